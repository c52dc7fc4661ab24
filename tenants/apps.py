from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Logins happen inside django.contrib.auth; its signals are the extension point for auditing them.
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from tenants import audit

        user_logged_in.connect(audit.on_login, dispatch_uid="audit-login")
        user_login_failed.connect(audit.on_login_failed, dispatch_uid="audit-login-failed")
