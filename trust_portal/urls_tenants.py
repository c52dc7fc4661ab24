"""URLs on a school's host (<school-slug>.<PORTAL_DOMAIN>)."""

from django.urls import include, path, register_converter
from django.views.generic import RedirectView

from announcements import feeds
from notices import views
from notices.admin import school_admin_site
from subscriptions import views as subscription_views
from tenants import views as tenant_views


class VersionNumber:
    # Digits only, at most 9, so a huge number is a 404 rather than an overflow.
    regex = "[1-9][0-9]{0,8}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(VersionNumber, "version")

urlpatterns = [
    path("", views.school_home, name="school_home"),
    path("healthz", tenant_views.healthz, name="healthz"),
    path("privacy/<slug:slug>/", views.notice_current, name="notice_current"),
    path("privacy/<slug:slug>.pdf", views.notice_pdf, name="notice_pdf"),
    path("privacy/<slug:slug>.json", views.notice_json, name="notice_json"),
    path("privacy/<slug:slug>/feed.atom", feeds.notice_feed, name="notice_feed"),
    path("privacy/<slug:slug>/versions/", views.version_list, name="version_list"),
    path("privacy/<slug:slug>/versions/<version:number>/", views.version_detail, name="version_detail"),
    path("privacy/<slug:slug>/versions/<version:number>.pdf", views.version_pdf, name="version_pdf"),
    path("privacy/<slug:slug>/changes/<version:old>...<version:new>/", views.changes, name="changes"),
    path("privacy/<slug:slug>/subscribe/", subscription_views.subscribe, name="subscribe"),
    # Not under privacy/: privacy/<slug>/ would take it for a notice called "subscribers".
    path("subscriptions/privacy/", subscription_views.subscriber_privacy, name="subscriber_privacy"),
    path("subscriptions/confirm/<str:token>/", subscription_views.confirm, name="subscription_confirm"),
    path("subscriptions/unsubscribe/<str:token>/", subscription_views.unsubscribe, name="unsubscribe"),
    path("accounts/", include("trust_portal.urls_accounts")),
    # The admin login page links here for "Forgotten your password?".
    path("admin/password_reset/", RedirectView.as_view(pattern_name="password_reset"), name="admin_password_reset"),
    path("admin/", school_admin_site.urls),
]
