"""Writing the audit log. Every domain act that matters calls record().

Entries are kept for AUDIT_RETENTION_DAYS (two years by default, never less
than one: the trigger refuses younger ones), then purge_expired may delete
them: the only deletion the log allows, and itself an entry.
"""

import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from tenants.models import AuditEvent, School

Action = AuditEvent.Action


def record(action, *, actor=None, actor_email="", school=None, trust=None, **details):
    if actor is not None and not actor_email:
        actor_email = actor.email
    if school is not None and trust is None:
        trust_id = school.trust_id
    else:
        trust_id = trust.pk if trust is not None else None
    return AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_email=actor_email,
        school=school,
        trust_id=trust_id,
        details=details,
    )


def _school_of(request):
    school = getattr(request, "tenant", None)
    return school if isinstance(school, School) else None


def _host_of(request):
    # Raw header, not get_host(): a refused host must still be recorded, never raise here.
    return request.META.get("HTTP_HOST", "")[:200] if request is not None else ""


def on_login(sender, request, user, **kwargs):
    record(Action.LOGIN, actor=user, school=_school_of(request), host=_host_of(request))


def on_login_failed(sender, credentials, request=None, **kwargs):
    email = str(credentials.get("username") or credentials.get("email") or "")[:254]
    record(Action.LOGIN_FAILED, actor_email=email, school=_school_of(request), host=_host_of(request))


def purge_expired(*, by=None, now=None):
    """Delete audit entries older than the retention period; returns how many.

    Only the owner role may delete from the log (the app role has no DELETE on
    it), so this uses the owner's connection where one is configured.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    alias = "owner" if "owner" in connections else DEFAULT_DB_ALIAS
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        # For this transaction only: the append-only trigger lets old entries go while it is on.
        cursor.execute("SET LOCAL portal.audit_purge = 'on'")
        cursor.execute("DELETE FROM public.tenants_auditevent WHERE at < %s", [cutoff])
        deleted = cursor.rowcount
        cursor.execute("SET LOCAL portal.audit_purge = 'off'")
    record(Action.AUDIT_PURGE, actor=by, before=cutoff.isoformat(), deleted=deleted)
    return deleted
