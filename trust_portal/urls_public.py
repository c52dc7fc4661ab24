"""URLs on the portal host (PORTAL_DOMAIN): the directory, the trust console, accounts and the platform admin."""

from django.contrib import admin
from django.urls import include, path

from notices import console, platform
from tenants import views

urlpatterns = [
    path("", views.directory, name="directory"),
    path("healthz", views.healthz, name="healthz"),
    path("trust/<slug:slug>/", console.console, name="console"),
    path(
        "trust/<slug:slug>/publish/<slug:school_slug>/<slug:notice_slug>/", console.publish_one, name="console_publish"
    ),
    path("trust/<slug:slug>/runs/<int:run_id>/", console.run_detail, name="console_run"),
    path("trust/<slug:slug>/templates/new/", console.new_template, name="console_new_template"),
    path("trust/<slug:slug>/runs/<int:run_id>.json", console.run_progress, name="console_run_progress"),
    path("accounts/", include("trust_portal.urls_accounts")),
    path(
        "admin/versions/<int:school_id>/",
        admin.site.admin_view(platform.school_versions),
        name="platform_school_versions",
    ),
    path("admin/", admin.site.urls),
]
