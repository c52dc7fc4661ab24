"""Who may do what, in one place. Every view and admin asks here."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from tenants.models import Membership, School, Trust, Workspace

EDITOR = Membership.Role.EDITOR
PUBLISHER = Membership.Role.PUBLISHER
READER = "reader"  # not a membership: what a school's editor is in its trust's template workspace


def school_role(user, school):
    """The strongest role `user` holds for `school`: "publisher", "editor" or None.

    Remembered on the user object for the request, because the admin asks the
    same question for every model on a page.
    """
    if not isinstance(school, School) or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    memo = user.__dict__.setdefault("_school_roles", {})
    if school.pk not in memo:
        roles = set(
            Membership.objects.filter(user=user)
            .filter(Q(role=EDITOR, school_id=school.pk) | Q(role=PUBLISHER, trust_id=school.trust_id))
            .values_list("role", flat=True)
        )
        memo[school.pk] = PUBLISHER if PUBLISHER in roles else EDITOR if EDITOR in roles else None
    return memo[school.pk]


def can_edit_school(user, school):
    return school_role(user, school) is not None


def can_publish_school(user, school):
    return school_role(user, school) == PUBLISHER


def can_publish_trust(user, trust):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Membership.objects.filter(user=user, role=PUBLISHER, trust=trust).exists()


def trust_for_publisher(request, slug):
    """The trust at `slug`, if the user publishes for it; 403 otherwise (404 if no such trust). For console views."""
    trust = get_object_or_404(Trust, slug=slug)
    if not can_publish_trust(request.user, trust):
        raise PermissionDenied("Only the trust's publishers can use its console.")
    return trust


def workspace_role(user, workspace):
    """What `user` may do with a trust's templates: "publisher" edits and releases them, "reader" (an editor
    at one of the trust's schools) reads them, None nothing. Remembered on the user for the request."""
    if not isinstance(workspace, Workspace) or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    memo = user.__dict__.setdefault("_workspace_roles", {})
    if workspace.trust_id not in memo:
        roles = set(
            Membership.objects.filter(user=user)
            .filter(
                Q(role=PUBLISHER, trust_id=workspace.trust_id) | Q(role=EDITOR, school__trust_id=workspace.trust_id)
            )
            .values_list("role", flat=True)
        )
        memo[workspace.trust_id] = PUBLISHER if PUBLISHER in roles else READER if EDITOR in roles else None
    return memo[workspace.trust_id]


def can_read_workspace(user, workspace):
    return workspace_role(user, workspace) is not None


def can_edit_workspace(user, workspace):
    return workspace_role(user, workspace) == PUBLISHER


def publish_refusal_reason(user, school):
    """Why `user` may not publish for `school`, or "" when they may."""
    if can_publish_school(user, school):
        return ""
    return "Only trust staff with the publisher role can publish. Ask your trust to publish this notice."
