"""Accounts: email logins, roles from memberships, throttling, password reset, the audit log."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from conftest import PASSWORD, host, owner_cursor
from tenants.appendonly import AppendOnlyError
from tenants.models import AuditEvent, Membership, User

pytestmark = pytest.mark.django_db


def create_user(*args):
    out = io.StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


def test_create_user_makes_an_editor_of_one_school(world):
    output = create_user("new.dpl@example.org", "--role", "editor", "--school", "school-a", "--password", PASSWORD)
    user = User.objects.get(email="new.dpl@example.org")
    assert user.check_password(PASSWORD)
    assert list(Membership.objects.filter(user=user).values_list("role", "school__slug")) == [("editor", "school-a")]
    assert "as editor of School A" in output
    event = AuditEvent.objects.get(action="membership_added", details__user="new.dpl@example.org")
    assert event.school == world.school_a


def test_create_user_makes_a_publisher_of_a_trust_and_a_platform_admin(world):
    create_user("staff@example.org", "--role", "publisher", "--trust", "trust-y", "--password", PASSWORD)
    create_user("ops@example.org", "--platform-admin", "--password", PASSWORD)
    assert Membership.objects.get(user__email="staff@example.org").trust == world.trust_y
    assert User.objects.get(email="ops@example.org").is_platform_admin


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x@example.org", "--role", "editor", "--school", "nope"], "No school with slug 'nope'"),
        (["x@example.org", "--role", "publisher", "--trust", "nope"], "No trust with slug 'nope'"),
        (["x@example.org", "--role", "editor", "--trust", "trust-x"], "An editor belongs to one school"),
        (["x@example.org"], "Give a role"),
        (["EDITOR-A@example.org", "--platform-admin"], "already exists"),
        (["not-an-email", "--platform-admin"], "not a valid email address"),
        (["x@example.org", "--platform-admin", "--password", "short"], "Password refused: This password is too short"),
        (["x@example.org", "--platform-admin", "--password", "password1234"], "This password is too common"),
    ],
)
def test_create_user_fails_clearly_on_bad_input(world, args, message):
    if "--password" not in args:
        args = [*args, "--password", PASSWORD]
    with pytest.raises(CommandError, match=message):
        create_user(*args)
    assert not User.objects.filter(email="x@example.org").exists()


def test_logins_and_failed_logins_are_audited_with_the_school(world, client):
    client.post(
        "/admin/login/", {"username": "editor-a@example.org", "password": "wrong"}, HTTP_HOST=host(world.school_a)
    )
    client.post(
        "/admin/login/", {"username": "editor-a@example.org", "password": PASSWORD}, HTTP_HOST=host(world.school_a)
    )
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.actor_email == "editor-a@example.org"
    assert failed.school == world.school_a
    ok = AuditEvent.objects.get(action="login")
    assert ok.actor == world.editor_a
    assert ok.details["host"] == "school-a.localhost"


def test_repeated_failed_logins_are_throttled(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/", {"username": "publisher-x@example.org", "password": "wrong"}, HTTP_HOST="localhost"
        )
    response = client.post(
        "/accounts/login/", {"username": "publisher-x@example.org", "password": PASSWORD}, HTTP_HOST="localhost"
    )
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()


def test_password_reset_sends_a_link_for_the_same_host(world, client, mailoutbox):
    response = client.post(
        "/accounts/password-reset/", {"email": "editor-a@example.org"}, HTTP_HOST=host(world.school_a)
    )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "http://school-a.localhost/accounts/reset/" in mailoutbox[0].body


def test_session_cookie_is_host_only(world, client, settings):
    assert settings.SESSION_COOKIE_DOMAIN is None
    client.post(
        "/admin/login/", {"username": "editor-a@example.org", "password": PASSWORD}, HTTP_HOST=host(world.school_a)
    )
    assert client.cookies["sessionid"]["domain"] == ""


def test_the_audit_log_is_append_only_even_for_raw_sql(world):
    # As the owner, whom only the triggers stop (the app role is refused by its grants first),
    # on the rows the world's publishes committed, before this test's own insert locks the table.
    for sql in (
        "UPDATE tenants_auditevent SET actor_email = 'x'",
        "DELETE FROM tenants_auditevent",
        "TRUNCATE tenants_auditevent CASCADE",
    ):
        with pytest.raises(IntegrityError, match="append-only"), owner_cursor() as cursor:
            cursor.execute(sql)
    event = AuditEvent.objects.create(action="login", actor_email="someone@example.org")
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk, actor_email="someone@example.org").exists()


def test_a_user_is_never_deleted_even_with_raw_sql(world):
    """School histories and versions name users without a database key, so the row must stay."""
    user = world.editor_a
    with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM tenants_user WHERE id = %s", [user.pk])
    assert User.objects.filter(pk=user.pk).exists()


def test_platform_admin_reads_the_audit_log_filtered_by_school_and_action(world, client):
    AuditEvent.objects.create(action="publish", actor_email="p@example.org", school=world.school_b)
    AuditEvent.objects.create(action="login", actor_email="q@example.org", school=world.school_a)
    client.force_login(world.platform_admin)
    response = client.get(
        f"/admin/tenants/auditevent/?school__id__exact={world.school_b.pk}&action__exact=publish", HTTP_HOST="localhost"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "p@example.org" in html
    assert "q@example.org" not in html
    client.force_login(world.publisher_x)
    assert client.get("/admin/tenants/auditevent/", HTTP_HOST="localhost").status_code == 302


def test_role_changes_in_the_platform_admin_are_audited(world, client):
    client.force_login(world.platform_admin)
    user = User.objects.create_user("new-editor@example.org", PASSWORD)
    url = f"/admin/tenants/user/{user.pk}/change/"
    form = client.get(url, HTTP_HOST="localhost").context["adminform"].form
    data = {
        "email": user.email,
        "name": "",
        "is_active": "on",
        "password": form.initial["password"],
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-role": "editor",
        "memberships-0-school": world.school_b.pk,
        "memberships-0-user": user.pk,
    }
    response = client.post(url, data, HTTP_HOST="localhost")
    assert response.status_code == 302, response.context and response.context["errors"]
    event = AuditEvent.objects.get(action="membership_added", details__user="new-editor@example.org")
    assert event.actor == world.platform_admin
    assert event.school == world.school_b
    membership = Membership.objects.get(user=user)
    data.update(
        {
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": membership.pk,
            "memberships-0-DELETE": "on",
        }
    )
    assert client.post(url, data, HTTP_HOST="localhost").status_code == 302
    assert not Membership.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="membership_removed", details__user="new-editor@example.org").exists()


NEW_USER_FORM = {
    "name": "",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "memberships-TOTAL_FORMS": "0",
    "memberships-INITIAL_FORMS": "0",
}


def test_emails_are_stored_in_one_spelling_by_every_way_in(world, client):
    create_user("  New.DPL@Example.ORG ", "--role", "editor", "--school", "school-a", "--password", PASSWORD)
    assert User.objects.filter(email="new.dpl@example.org").exists()
    client.force_login(world.platform_admin)
    response = client.post(
        "/admin/tenants/user/add/",
        {"email": "Staff.Member@Example.org", **NEW_USER_FORM},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    assert User.objects.filter(email="staff.member@example.org").exists()
    again = client.post(
        "/admin/tenants/user/add/",
        {"email": "STAFF.member@example.org", **NEW_USER_FORM},
        HTTP_HOST="localhost",
    )
    assert again.status_code == 200
    assert User.objects.filter(email__iexact="staff.member@example.org").count() == 1


def test_the_database_refuses_an_email_in_another_spelling(world):
    with pytest.raises(IntegrityError, match="user_email_normalised"), transaction.atomic():
        User.objects.filter(pk=world.editor_a.pk).update(email="Editor-A@example.org")


def _normalise_emails():
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connections

    # As a migration runs: on the owner's connection, which may alter the table.
    owner = SimpleNamespace(connection=connections["owner" if "owner" in connections else "default"])
    import_module("tenants.migrations.0010_user_email_normalised_platform_audit_actions").normalise_emails(apps, owner)


def test_the_migration_lowercases_stored_emails_and_stops_on_accounts_that_would_merge(world):
    with owner_cursor() as cursor:  # rolled back at the end
        cursor.execute("ALTER TABLE tenants_user DROP CONSTRAINT user_email_normalised")
        cursor.execute("UPDATE tenants_user SET email = ' Editor-A@Example.org' WHERE id = %s", [world.editor_a.pk])
        _normalise_emails()
        cursor.execute("SELECT email FROM tenants_user WHERE id = %s", [world.editor_a.pk])
        assert cursor.fetchone()[0] == "editor-a@example.org"
        cursor.execute("UPDATE tenants_user SET email = 'editor-a@example.org ' WHERE id = %s", [world.editor_b.pk])
        with pytest.raises(RuntimeError, match=r"differ only in case or spaces.*'editor-a@example.org'"):
            _normalise_emails()
