"""URLs on the portal host (PORTAL_DOMAIN): the directory, the trust console, accounts and the platform admin."""

from django.contrib import admin
from django.urls import include, path

from announcements import console as webhooks
from announcements import feeds
from notices import console, platform
from tenants import views

urlpatterns = [
    path("", views.directory, name="directory"),
    path("healthz", views.healthz, name="healthz"),
    path("trust/<slug:slug>/", console.console, name="console"),
    path("trust/<slug:slug>/feed.atom", feeds.trust_feed, name="trust_feed"),
    path(
        "trust/<slug:slug>/publish/<slug:school_slug>/<slug:notice_slug>/", console.publish_one, name="console_publish"
    ),
    path("trust/<slug:slug>/runs/<int:run_id>/", console.run_detail, name="console_run"),
    path("trust/<slug:slug>/settings/", console.trust_settings, name="console_settings"),
    path(
        "trust/<slug:slug>/announce/<slug:school_slug>/<slug:notice_slug>/<int:number>/",
        console.announcement,
        name="console_announcement",
    ),
    path(
        "trust/<slug:slug>/withdraw/<slug:school_slug>/<slug:notice_slug>/<int:number>/",
        console.withdraw_upcoming_view,
        name="console_withdraw_upcoming",
    ),
    path("trust/<slug:slug>/templates/new/", console.new_template, name="console_new_template"),
    path("trust/<slug:slug>/runs/<int:run_id>.json", console.run_progress, name="console_run_progress"),
    path("trust/<slug:slug>/webhooks/", webhooks.webhooks, name="console_webhooks"),
    path("trust/<slug:slug>/webhooks/<int:pk>/", webhooks.webhook_detail, name="console_webhook"),
    path("trust/<slug:slug>/webhooks/<int:pk>/test/", webhooks.webhook_test, name="console_webhook_test"),
    path("trust/<slug:slug>/webhooks/<int:pk>/disable/", webhooks.webhook_disable, name="console_webhook_disable"),
    path("accounts/", include("trust_portal.urls_accounts")),
    path(
        "admin/versions/<int:school_id>/",
        admin.site.admin_view(platform.school_versions),
        name="platform_school_versions",
    ),
    path("admin/", admin.site.urls),
]
