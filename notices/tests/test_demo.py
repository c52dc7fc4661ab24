"""load_demo: idempotent, three published versions per school, then a fourth following the trust's template,
and every fact of both seeds."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import tenant_context

from notices import demo_content, following, selectors
from notices.compose import compose_notice
from notices.models import ItemState, Notice, NoticeVersion, System
from notices.moments import spoken
from notices.publishing import pending_change
from notices.registers import REGISTERS
from notices.rendering import markdown_as_text
from notices.tests.seed_facts import SEED_FACTS
from tenants.models import AuditEvent, Membership, School, Template, TemplateRelease, Trust, User

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
        "releases": sorted(TemplateRelease.objects.values_list("template__trust__slug", "template__slug", "number")),
        "versions": {},
        "rows": {},
    }
    for school in School.objects.filter(slug__in=[s["slug"] for t in demo_content.TRUSTS for s in t["schools"]]):
        with tenant_context(school):
            state["versions"][school.slug] = list(
                NoticeVersion.objects.order_by("number").values_list("number", "material", "pdf_sha256")
            )
            state["rows"][school.slug] = sorted(
                (register.attr, str(row.uid), row.state, row.based_on)
                for register in REGISTERS
                for row in register.model.objects.all()
            )
    connection.set_schema_to_public()
    return state


def demo_school(slug):
    return School.objects.get(slug=slug)


def status_of(slug):
    """Where the school's notice stands with its trust's template (following.follow_status), and the notice."""
    school = demo_school(slug)
    with tenant_context(school):
        notice = Notice.objects.get()
        return following.follow_status(notice, current_version=selectors.current_version(notice)), notice


def overrides_of(slug):
    """(register, item, state) of each trust item the school words its own way or hides, with each hidden reason."""
    with tenant_context(demo_school(slug)):
        rows = [
            (register, row)
            for register in REGISTERS
            for row in register.model.objects.filter(state__in=(ItemState.REPLACED, ItemState.HIDDEN))
        ]
        return (
            {(register.attr, str(getattr(row, register.match_column)), row.state) for register, row in rows},
            [row.hidden_reason for _, row in rows if row.state == ItemState.HIDDEN],
        )


NORTHFIELD_SCHOOLS = ("hollybrook", "kingsmere")


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
        assert "http://localhost:8000/trust/northfield/templates/admin/" in out
        assert "http://localhost:8000/trust/elmsworth/templates/admin/" in out


def test_every_demo_school_has_three_versions_then_one_bringing_its_trusts_template(demo):
    for slug, versions in demo["before"]["versions"].items():
        expected = [(1, True), (2, True), (3, False), (4, True)]
        if slug == demo_content.UPCOMING["school"]:
            expected.append((5, True))
        assert [(n, material) for n, material, _ in versions] == expected, slug


def test_one_demo_school_announces_a_change_after_the_notice_period_and_its_page_shows_the_banner(demo, client):
    school = demo_school(demo_content.UPCOMING["school"])
    assert school.trust.min_notice_days == demo_content.NOTICE_DAYS
    with tenant_context(school):
        upcoming = NoticeVersion.objects.get(number=5)
    assert upcoming.effective_at >= upcoming.published_at + datetime.timedelta(days=demo_content.NOTICE_DAYS)
    assert upcoming.urgent_reason == ""
    html = client.get("/privacy/pupils-and-parents/", HTTP_HOST=f"{school.slug}.localhost").content.decode()
    assert f"This notice changes on {spoken(upcoming.effective_at)}" in html
    assert 'href="/privacy/pupils-and-parents/changes/4...5/"' in html
    assert "Version 4, published" in html  # the version in force is still the one shown


def test_version_two_has_a_visible_change_and_each_publish_is_audited(demo, client):
    html = client.get("/privacy/pupils-and-parents/changes/1...2/", HTTP_HOST="hollybrook.localhost").content.decode()
    assert "<ins>Tapestry</ins>" in html
    assert "<ins>14</ins>" in html
    assert AuditEvent.objects.filter(action="publish", school__slug="hollybrook").count() == 5


def test_every_demo_school_is_live_with_nothing_left_unpublished(demo):
    for slug in ("hollybrook", "kingsmere", "elmsworth-vale"):
        school = demo_school(slug)
        with tenant_context(school):
            expected = "upcoming" if slug == demo_content.UPCOMING["school"] else "live"
            assert pending_change(Notice.objects.get(), school=school).status == expected, slug


# --- trust templates ------------------------------------------------------------------


def test_the_northfield_template_has_two_releases_the_second_adding_the_immunisation_service(demo):
    template = Template.objects.get(trust__slug="northfield", slug="pupils-and-parents")
    releases = list(template.releases.order_by("number"))
    assert [r.number for r in releases] == [1, 2]
    assert "School Age Immunisation Service" in releases[1].summary
    [section] = [s for s in releases[1].document["sections"] if s["kind"] == "immunisations"]
    assert "{school_name}" in section["body"]
    assert not any(s["kind"] == "immunisations" for s in releases[0].document["sections"])


def test_both_northfield_schools_follow_the_northfield_template_at_its_latest_release(demo):
    template = Template.objects.get(trust__slug="northfield", slug="pupils-and-parents")
    for slug in NORTHFIELD_SCHOOLS:
        status, _ = status_of(slug)
        assert status.template.pk == template.pk, slug
        assert (status.release, status.latest, status.live_release, status.behind) == (2, 2, 2, 0), slug


def test_each_northfield_school_replaces_hides_and_adds_items_of_its_own(demo):
    for slug in NORTHFIELD_SCHOOLS:
        status, _ = status_of(slug)
        assert status.replaced >= 1, slug
        assert status.hidden >= 1, slug
        assert status.local >= 1, slug
        _, reasons = overrides_of(slug)
        assert reasons, slug
        assert all(reason.strip() for reason in reasons), slug


def test_the_two_northfield_schools_override_different_trust_items(demo):
    hollybrook, _ = overrides_of("hollybrook")
    kingsmere, _ = overrides_of("kingsmere")
    assert hollybrook != kingsmere
    assert ("systems", "Cashless catering", ItemState.HIDDEN) in hollybrook
    assert ("systems", "Reception Baseline (NFER)", ItemState.HIDDEN) in kingsmere


def test_elmsworth_vale_follows_the_elmsworth_template(demo):
    template = Template.objects.get(trust__slug="elmsworth", slug="pupils-and-parents")
    status, _ = status_of("elmsworth-vale")
    assert status.template.pk == template.pk
    assert (status.release, status.latest, status.live_release) == (1, 1, 1)
    assert status.local >= 1


def test_no_demo_school_has_a_conflict_with_its_trust(demo):
    for slug in ("hollybrook", "kingsmere", "elmsworth-vale"):
        status, _ = status_of(slug)
        assert status.conflicts == (), slug


def test_each_schools_version_in_force_names_the_trust_release_it_brings(demo):
    for slug in ("hollybrook", "kingsmere", "elmsworth-vale"):
        status, notice = status_of(slug)
        with tenant_context(demo_school(slug)):
            latest = selectors.current_version(notice)
        release = status.template.releases.get(number=status.latest)
        assert f"Trust release {release.number}: {release.summary}" in latest.summary, slug


def test_hollybrooks_export_has_trust_items_its_own_wording_of_them_and_its_own_items(demo, client):
    response = client.get("/privacy/pupils-and-parents.json", HTTP_HOST="hollybrook.localhost")
    document = json.loads(response.content)["document"]
    origins = {(item["name"], item["origin"]) for item in document["systems"]}
    assert ("Bromcom", "trust") in origins
    assert ("Library software", "overridden") in origins
    assert ("Times Tables Rock Stars", "school") in origins
    assert document["template"] == {
        "slug": "pupils-and-parents",
        "title": "Privacy notice for pupils and parents",
        "release": 2,
    }


def test_hidden_trust_items_are_absent_from_the_public_page_and_their_reasons_never_shown(demo, client):
    hollybrook = client.get("/privacy/pupils-and-parents/", HTTP_HOST="hollybrook.localhost").content.decode()
    kingsmere = client.get("/privacy/pupils-and-parents/", HTTP_HOST="kingsmere.localhost").content.decode()
    assert "Cashless catering" not in hollybrook
    assert "Cashless catering" in kingsmere  # the same trust item, kept by the other school
    assert "Reception Baseline" not in kingsmere
    assert "Tapestry" not in kingsmere
    assert "Immunisations and vaccinations" in hollybrook
    assert "Immunisations and vaccinations" in kingsmere
    for slug, html in (("hollybrook", hollybrook), ("kingsmere", kingsmere)):
        for reason in overrides_of(slug)[1]:
            assert reason not in html


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
