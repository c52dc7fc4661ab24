"""The admin sites that edit notices: a school's (its notices) and a trust's (its template drafts).

sites: the two sites and who may enter; forms and inlines: the notice page's
parts; notices: the notice page and a school's publish and revert; follow: a
school's pages for a notice that follows a template; templates: the trust's
template pages (release, revert to a release); rows: each row's own page and
the published versions.
"""

from notices.admin import follow, notices, rows, templates  # noqa: F401  (each registers its admins)
from notices.admin.sites import school_admin_site, template_admin_site

__all__ = ["school_admin_site", "template_admin_site"]
