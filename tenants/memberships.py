"""Granting and removing roles, always with an audit record."""

from django.db import transaction

from tenants import audit
from tenants.models import Membership


@transaction.atomic
def grant_role(user, role, *, school=None, trust=None, by=None):
    membership, created = Membership.objects.get_or_create(user=user, role=role, school=school, trust=trust)
    if created:
        audit.record(audit.Action.MEMBERSHIP_ADDED, actor=by, school=school, trust=trust, user=user.email, role=role)
    return membership


@transaction.atomic
def remove_role(membership, *, by=None):
    audit.record(
        audit.Action.MEMBERSHIP_REMOVED,
        actor=by,
        school=membership.school,
        trust=membership.trust,
        user=membership.user.email,
        role=membership.role,
    )
    membership.delete()
