from django import template

register = template.Library()


@register.filter
def fix_for(fix_urls, item):
    """{{ fix_urls|fix_for:finding.item }}: where a completeness finding is fixed, if the page knows (the workspace)."""
    return (fix_urls or {}).get(item)
