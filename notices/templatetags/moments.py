from django import template

from notices.moments import spoken

register = template.Library()


@register.filter
def moment(value):
    """{{ version.effective_at|moment }}: a moment in the words notices.moments.spoken uses everywhere."""
    return spoken(value) if value else ""
