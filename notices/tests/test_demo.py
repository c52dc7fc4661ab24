"""load_demo: idempotent, three published versions per school, and every fact of both seeds."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import tenant_context

from notices import demo_content
from notices.compose import compose_notice
from notices.models import Notice, NoticeVersion, System
from notices.rendering import markdown_as_text
from notices.tests.seed_facts import SEED_FACTS
from tenants.models import AuditEvent, Membership, School, Trust, User

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded twice (committed once for the module, like `make run` twice)."""
    with django_db_blocker.unblock():
        first = io.StringIO()
        call_command("load_demo", stdout=first)
        before = snapshot()
        second = io.StringIO()
        call_command("load_demo", stdout=second)
        connection.set_schema_to_public()
    return {"first": first.getvalue(), "second": second.getvalue(), "before": before}


def snapshot():
    state = {
        "trusts": sorted(Trust.objects.values_list("slug", "name", "ico_registration")),
        "schools": sorted(School.objects.values_list("slug", "urn", "schema_name")),
        "users": sorted(User.objects.values_list("email", "is_platform_admin")),
        "memberships": sorted(Membership.objects.values_list("user__email", "role", "school__slug", "trust__slug")),
        "versions": {},
    }
    for school in School.objects.filter(slug__in=[s["slug"] for t in demo_content.TRUSTS for s in t["schools"]]):
        with tenant_context(school):
            state["versions"][school.slug] = list(
                NoticeVersion.objects.order_by("number").values_list("number", "material", "pdf_sha256")
            )
    connection.set_schema_to_public()
    return state


def demo_school(slug):
    return School.objects.get(slug=slug)


def test_load_demo_twice_gives_the_same_state(demo):
    assert snapshot() == demo["before"]


def test_load_demo_prints_the_urls_and_a_login_for_each_persona(demo):
    for out in (demo["first"], demo["second"]):
        assert "http://localhost:8000/" in out
        assert "http://hollybrook.localhost:8000/" in out
        assert "http://elmsworth-vale.localhost:8000/" in out
        assert "admin@portal.example.org" in out
        assert "publisher@northfield-trust.example.org" in out
        assert "dpl@kingsmere.example.org" in out
        assert demo_content.DEMO_PASSWORD in out


def test_every_demo_school_has_three_versions_material_material_wording_fix(demo):
    for slug, versions in demo["before"]["versions"].items():
        assert [(n, material) for n, material, _ in versions] == [(1, True), (2, True), (3, False)], slug


def test_version_two_has_a_visible_change_and_each_publish_is_audited(demo, client):
    html = client.get("/privacy/pupils-and-parents/changes/1...2/", HTTP_HOST="hollybrook.localhost").content.decode()
    assert "<ins>Tapestry</ins>" in html
    assert "<ins>14</ins>" in html
    assert AuditEvent.objects.filter(action="publish", school__slug="hollybrook").count() == 3


def test_the_two_schools_of_trust_one_differ_in_systems_and_contacts(demo):
    docs = {}
    for slug in ("hollybrook", "kingsmere"):
        school = demo_school(slug)
        with tenant_context(school):
            docs[slug] = compose_notice(Notice.objects.get(), school=school)
    systems = {slug: {s.name for s in doc.systems} for slug, doc in docs.items()}
    assert systems["hollybrook"] != systems["kingsmere"]
    assert "Reception Baseline (NFER)" not in systems["kingsmere"]
    assert docs["hollybrook"].contact != docs["kingsmere"].contact


def register_text(document, register):
    if register == "categories":
        return " ".join(f"{c.name} {c.examples} {c.source}" for c in document.categories)
    if register == "purposes":
        return " ".join(f"{p.name} {p.detail}" for p in document.purposes)
    if register == "legislation":
        return " ".join(
            f"{b.legislation} {b.explanation} {b.article6_label} {b.article9_label}" for b in document.bases
        )
    if register == "recipients":
        return " ".join(f"{r.name} {r.reason} {r.legal_basis}" for r in document.recipients)
    if register == "systems":
        return " ".join(f"{s.name} {s.used_for} {s.supplier}" for s in document.systems)
    if register == "retention":
        return " ".join(f"{r.record_type} {r.period}" for r in document.retention)
    if register == "rights":
        return " ".join(r.right for r in document.rights)
    if register == "sections":
        # Links count by their address, so the URL must be in the Markdown source too.
        return " ".join(f"{s.heading} {markdown_as_text(s.body)} {s.body}" for s in document.sections)
    if register == "contacts":
        return f"{document.contact.name} {document.contact.role} {document.contact.email}"
    if register == "transfers":
        return " ".join(f"{s.name} {s.safeguard}" for s in document.systems if s.outside_uk)
    raise AssertionError(register)


@pytest.mark.parametrize("seed", ["000", "004"])
def test_every_seed_fact_is_in_the_demo_notice_modelled_on_it(demo, seed):
    slug = next(s["slug"] for t in demo_content.TRUSTS for s in t["schools"] if s["seed"] == seed)
    school = demo_school(slug)
    with tenant_context(school):
        document = compose_notice(Notice.objects.get(), school=school)
    missing = []
    for register, facts in SEED_FACTS[seed].items():
        text = " ".join(register_text(document, register).split()).lower()
        missing += [f"{register}: {fact}" for fact in facts if fact.lower() not in text]
    assert missing == []
    if seed == "000":
        assert len(document.systems) >= 17
    if seed == "004":
        assert any(s.kind == "immunisations" for s in document.sections)
        assert any(s.outside_uk and s.safeguard for s in document.systems)


def test_editing_a_demo_notice_leaves_the_others_alone(demo):
    hollybrook, elmsworth = demo_school("hollybrook"), demo_school("elmsworth-vale")
    with tenant_context(elmsworth):
        before = sorted(System.objects.values_list("name", flat=True))
    with tenant_context(hollybrook):
        assert System.objects.filter(name="Bromcom").exists()
    with tenant_context(elmsworth):
        assert sorted(System.objects.values_list("name", flat=True)) == before
        assert not System.objects.filter(name="Bromcom").exists()
