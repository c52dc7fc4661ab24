"""Writing the audit log. Every domain act that matters calls record()."""

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
