"""create_school makes a school with its schema and host, or nothing at all."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context

from conftest import run_manage
from notices.models import Notice
from tenants.models import Domain, School

pytestmark = pytest.mark.django_db


def create(**options):
    out = io.StringIO()
    call_command("create_school", stdout=out, **options)
    return out.getvalue()


def test_create_school_makes_a_migrated_schema_and_a_host(world, client):
    output = create(trust="trust-x", name="Oak Primary", slug="oak-primary", urn="991234")
    school = School.objects.get(slug="oak-primary")
    assert school.trust == world.trust_x
    assert school.schema_name == "oak_primary"
    assert schema_exists("oak_primary")
    assert Domain.objects.get(tenant=school).domain == "oak-primary.localhost"
    assert "oak-primary.localhost" in output
    with tenant_context(school):
        assert Notice.objects.count() == 0  # the schema has the notice tables, empty
    connection.set_schema_to_public()
    assert "Oak Primary" in client.get("/", HTTP_HOST="oak-primary.localhost").content.decode()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"trust": "no-such-trust", "urn": "991235"},
            "No trust with slug 'no-such-trust'. Known trusts: trust-x, trust-y",
        ),
        ({"urn": "12345"}, "urn: A URN is exactly six digits"),
        ({"urn": "990001"}, "urn: School with this URN already exists"),
        ({"slug": "school-a", "urn": "991236"}, "slug: School with this Slug already exists"),
        ({"slug": "www", "urn": "991237"}, "'www' is reserved"),
        ({"slug": "Bad_Slug!", "urn": "991238"}, "slug: "),
        ({"contact_email": "not-an-email", "urn": "991239"}, "contact_email: Enter a valid email address"),
    ],
)
def test_bad_input_fails_clearly_and_leaves_nothing_behind(world, options, message):
    schemas_before = set(School.objects.values_list("schema_name", flat=True))
    arguments = {"trust": "trust-x", "name": "New School", "slug": "new-school", **options}
    with pytest.raises(CommandError) as failure:
        create(**arguments)
    assert message in str(failure.value)
    assert set(School.objects.values_list("schema_name", flat=True)) == schemas_before
    if arguments["slug"] != "school-a":
        assert not schema_exists(arguments["slug"].replace("-", "_"))


def test_a_failure_after_the_schema_is_made_rolls_the_schema_back(world, monkeypatch):
    from tenants import provisioning

    def broken_domain(**kwargs):
        raise RuntimeError("domain table unavailable")

    monkeypatch.setattr(provisioning.Domain.objects, "create", broken_domain)
    with pytest.raises(RuntimeError):
        provisioning.create_school(trust=world.trust_x, name="Half", slug="half-made", urn="991240")
    assert not School.objects.filter(slug="half-made").exists()
    assert not schema_exists("half_made")


def test_create_school_exits_non_zero_from_the_command_line(world):
    result = run_manage("create_school", "--trust", "nope", "--name", "X", "--slug", "xx-x", "--urn", "1")
    assert result.returncode == 1
    assert "No trust with slug 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_school_tables_keep_no_foreign_key_into_the_public_schema(world):
    """Each key into public puts triggers on a public table: one set per school, reloaded at every new key."""
    create(trust="trust-x", name="Elm Primary", slug="elm-primary", urn="991241")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT k.connamespace::regnamespace::text, k.conrelid::regclass::text, t.relnamespace = k.connamespace
            FROM pg_constraint k JOIN pg_class t ON t.oid = k.confrelid
            WHERE k.contype = 'f' AND k.connamespace <> 'public'::regnamespace
            """
        )
        keys = cursor.fetchall()
    schools = {"elm_primary", world.school_a.schema_name, world.school_b.schema_name, "school_template"}
    assert schools <= {schema for schema, _, _ in keys}  # keys within each school are kept
    assert [(schema, table) for schema, table, same_schema in keys if not same_schema] == []
