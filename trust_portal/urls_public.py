"""URLs on the portal host (PORTAL_DOMAIN): the directory, the trust console and the platform admin."""

from django.contrib import admin
from django.urls import path

from tenants import views

urlpatterns = [
    path("", views.directory, name="directory"),
    path("admin/", admin.site.urls),
]
