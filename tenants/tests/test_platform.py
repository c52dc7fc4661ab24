"""The platform's writes (tenants/services.py) from the admin and the commands: audited, re-routed, refused clearly."""

import io

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_exists

from conftest import owner_cursor, run_manage
from tenants.models import AuditEvent, Domain, School, Trust
from tenants.services import update_trust

pytestmark = pytest.mark.django_db


def admin_form_data(response, **changes):
    """What the browser would post back from an admin change page, with `changes` applied."""
    data = {}
    for form in [
        response.context["adminform"].form,
        *(
            f
            for fs in response.context["inline_admin_formsets"]
            for f in [fs.formset.management_form, *fs.formset.forms]
        ),
    ]:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None:
                continue
            data[form.add_prefix(name)] = getattr(value, "pk", value)
    data.update(changes)
    return {name: value for name, value in data.items() if value is not False}


@pytest.fixture
def admin_client(world, client):
    client.force_login(world.platform_admin)
    return client


def test_the_school_change_page_renders_and_saves_for_the_platform_admin(world, admin_client):
    url = f"/admin/tenants/school/{world.school_a.pk}/change/"
    page = admin_client.get(url, HTTP_HOST="localhost")
    assert page.status_code == 200
    assert "school-a" in page.content.decode()  # the slug, shown read-only
    data = admin_form_data(page, headteacher="A New Head")
    response = admin_client.post(url, data, HTTP_HOST="localhost")
    assert response.status_code == 302, response.context and response.context["errors"]
    school = School.objects.get(pk=world.school_a.pk)
    assert (school.headteacher, school.slug) == ("A New Head", "school-a")
    event = AuditEvent.objects.get(action="school_changed", school=school)
    assert (event.actor, event.details["fields"]) == (world.platform_admin, ["headteacher"])


def test_hosts_added_and_removed_in_the_school_page_are_routed_at_once(
    world, admin_client, client, django_capture_on_commit_callbacks
):
    extra = "extra-a.localhost"
    assert client.get("/", HTTP_HOST=extra).status_code == 404  # and cached as unknown
    url = f"/admin/tenants/school/{world.school_a.pk}/change/"
    data = admin_form_data(admin_client.get(url, HTTP_HOST="localhost"))
    total = int(data["domains-TOTAL_FORMS"])
    data.update({"domains-TOTAL_FORMS": total + 1, f"domains-{total}-domain": extra})
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, data, HTTP_HOST="localhost").status_code == 302
    assert "School A" in client.get("/", HTTP_HOST=extra).content.decode()
    added = AuditEvent.objects.get(action="domain_added", details__domain=extra)
    assert (added.actor, added.school) == (world.platform_admin, world.school_a)

    data = admin_form_data(admin_client.get(url, HTTP_HOST="localhost"))
    row = next(key for key, value in data.items() if key.endswith("-domain") and value == extra)
    data[row.replace("-domain", "-DELETE")] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, data, HTTP_HOST="localhost").status_code == 302
    assert not Domain.objects.filter(domain=extra).exists()
    assert client.get("/", HTTP_HOST=extra).status_code == 404
    assert AuditEvent.objects.filter(action="domain_removed", details__domain=extra).exists()


def test_the_platform_admin_adds_a_school_on_the_add_page(world, admin_client, client):
    page = admin_client.get("/admin/tenants/school/add/", HTTP_HOST="localhost")
    assert page.status_code == 200
    data = {"trust": world.trust_y.pk, "name": "Birch Academy", "slug": "birch-academy", "urn": "991301"}
    response = admin_client.post("/admin/tenants/school/add/", data, HTTP_HOST="localhost")
    assert response.status_code == 302, response.context and response.context["errors"]
    school = School.objects.get(slug="birch-academy")
    assert schema_exists("birch_academy")
    assert AuditEvent.objects.get(action="school_created", school=school).actor == world.platform_admin
    assert "Birch Academy" in client.get("/", HTTP_HOST="birch-academy.localhost").content.decode()


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("school-template", "'school-template' is reserved"),
        ("pg-academy", "PostgreSQL refuses schema names starting with pg_"),
    ],
)
def test_slugs_that_cannot_name_a_schema_are_refused_on_the_form_and_the_command(world, admin_client, slug, message):
    data = {"trust": world.trust_x.pk, "name": "Clash", "slug": slug, "urn": "991302"}
    response = admin_client.post("/admin/tenants/school/add/", data, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["slug"])
    with pytest.raises(CommandError, match=message):
        call_command("create_school", trust="trust-x", name="Clash", slug=slug, urn="991302", stdout=io.StringIO())
    assert not School.objects.filter(slug=slug).exists()


def test_a_pg_slug_fails_in_one_line_from_the_command_line(world):
    result = run_manage("create_school", "--trust", "trust-x", "--name", "X", "--slug", "pg-x", "--urn", "991303")
    assert result.returncode == 1
    assert "PostgreSQL refuses schema names starting with pg_" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_template_holding_rows_is_refused_naming_the_table(world, admin_client):
    # On the connection that clones (the owner's); rolled back when the block ends.
    with owner_cursor() as cursor:
        cursor.execute(
            "INSERT INTO school_template.django_admin_log (action_time, user_id, object_repr, action_flag, "
            "change_message) VALUES (now(), %s, 'stray', 1, '')",
            [world.platform_admin.pk],
        )
        with pytest.raises(CommandError, match=r"holds rows in django_admin_log; it may hold only its migration"):
            call_command(
                "create_school", trust="trust-x", name="Stray", slug="stray-row", urn="991304", stdout=io.StringIO()
            )
        data = {"trust": world.trust_x.pk, "name": "Stray", "slug": "stray-row", "urn": "991304"}
        response = admin_client.post("/admin/tenants/school/add/", data, HTTP_HOST="localhost", follow=True)
        assert response.status_code == 200
        assert "holds rows in django_admin_log" in response.content.decode()
    assert not School.objects.filter(slug="stray-row").exists()
    assert not schema_exists("stray_row")


def test_a_trust_edit_is_audited_and_reaches_its_schools_pages(world, client, django_capture_on_commit_callbacks):
    assert "Xavier Trust" in client.get("/", HTTP_HOST="school-a.localhost").content.decode()
    trust = Trust.objects.get(pk=world.trust_x.pk)  # the world's own object stays as it is
    with django_capture_on_commit_callbacks(execute=True):
        update_trust(trust, by=world.platform_admin, name="Xavier Learning Trust", dpo_name=trust.dpo_name)
    assert "Xavier Learning Trust" in client.get("/", HTTP_HOST="school-a.localhost").content.decode()
    event = AuditEvent.objects.get(action="trust_changed")
    assert event.details["fields"] == ["name"]
    update_trust(trust, name="Xavier Learning Trust")  # nothing changes: nothing recorded
    assert AuditEvent.objects.filter(action="trust_changed").count() == 1
