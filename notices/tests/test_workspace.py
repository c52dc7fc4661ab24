"""The notice workspace: an overview, then each part of the notice on its own page, in plain words."""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import host
from notices.admin.parts import PARTS
from notices.models import Notice, Section, SectionKind, System
from notices.tests.test_admin import ADMIN, admin_get, admin_post, change_payload, formset_prefix, notice_of, part_url

pytestmark = pytest.mark.django_db


def systems_of(school, notice):
    with tenant_context(school):
        names = list(System.objects.filter(notice=notice).order_by("order", "pk").values_list("name", flat=True))
    connection.set_schema_to_public()
    return names


def test_the_notices_list_opens_each_notice_on_its_overview(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    html = admin_get(client, world.school_a, ADMIN).content.decode()
    assert f'href="{ADMIN}{notice.pk}/overview/"' in html


def test_the_overview_lists_every_part_with_its_count_and_links_each_finding_to_where_it_is_fixed(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    with tenant_context(world.school_a):
        Notice.objects.get(pk=notice.pk).recipients.all().delete()
    connection.set_schema_to_public()
    response = admin_get(client, world.school_a, f"{ADMIN}{notice.pk}/overview/")
    html = response.content.decode()
    for part in PARTS:
        assert part.title in html
    assert "Who we share it with</a>: <strong>1 thing to fix</strong>" in html.replace(" – 0 items", "")
    assert f'<a href="{part_url(notice, "recipients")}">Fix it' in html
    assert "What changed since version 1" in html


@pytest.mark.parametrize("part", [p.slug for p in PARTS if p.registers])
def test_each_part_has_its_own_page_with_only_its_registers(world, client, part):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    response = admin_get(client, world.school_a, part_url(notice, part))
    assert response.status_code == 200
    shown = [register.attr for register, _ in response.context["formsets"]]
    assert shown == list(next(p for p in PARTS if p.slug == part).registers)


def test_a_part_page_asks_plain_questions_and_chooses_lawful_bases_with_checkboxes(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    systems = admin_get(client, world.school_a, part_url(notice, "systems")).content.decode()
    assert "Does this data leave the UK?" in systems
    assert "If it does, which safeguard protects it?" in systems
    purposes = admin_get(client, world.school_a, part_url(notice, "purposes")).content.decode()
    assert 'type="checkbox" name="purposes-0-bases"' in purposes
    assert "Public task: what a school does because the law gives it the job" in purposes
    categories = admin_get(client, world.school_a, part_url(notice, "categories")).content.decode()
    assert "Is any of this health, ethnicity, religion or biometric data?" in categories


def test_a_missing_required_value_says_what_to_fill_in(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    url = part_url(notice, "systems")
    response = admin_get(client, world.school_a, url)
    data = change_payload(response)
    prefix = formset_prefix(response, System)
    data[f"{prefix}-0-used_for"] = ""
    html = admin_post(client, world.school_a, url, data).content.decode()
    assert "Fill in &#x27;What it is used for&#x27;: it cannot be left empty." in html
    assert "Nothing was saved" in html


def test_rows_move_up_and_down_with_buttons_and_each_move_is_in_the_history(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    with tenant_context(world.school_a):
        System.objects.create(notice=notice, name="Second", used_for="x", order=50)
    connection.set_schema_to_public()
    url = part_url(notice, "systems")
    assert systems_of(world.school_a, notice) == ["MarkerA Records System", "Second"]
    data = change_payload(admin_get(client, world.school_a, url))
    with tenant_context(world.school_a):
        second = System.objects.get(name="Second")
    connection.set_schema_to_public()
    response = admin_post(client, world.school_a, url, {**data, "move": f"systems:{second.pk}:up"})
    assert response.status_code == 302
    assert systems_of(world.school_a, notice) == ["Second", "MarkerA Records System"]
    with tenant_context(world.school_a):
        moved = System.history.filter(id=second.pk).first()
        assert (moved.history_user, moved.history_change_reason) == (world.editor_a, "Moved")
    connection.set_schema_to_public()
    data = change_payload(admin_get(client, world.school_a, url))
    admin_post(client, world.school_a, url, {**data, "move": f"systems:{second.pk}:up"})  # already first
    assert systems_of(world.school_a, notice) == ["Second", "MarkerA Records System"]


def test_a_part_saved_from_a_stale_page_is_refused_with_what_changed_meanwhile(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    url = part_url(notice, "systems")
    response = admin_get(client, world.school_a, url)
    data = change_payload(response)
    with tenant_context(world.school_a):
        colleague = System.objects.get(notice=notice)
        colleague.name, colleague._history_user = "Renamed by a colleague", world.publisher_x
        colleague.save()
    connection.set_schema_to_public()
    data[f"{formset_prefix(response, System)}-0-supplier"] = "My edit"
    response = admin_post(client, world.school_a, url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone saved this notice after you opened it" in html
    assert "Renamed by a colleague" in html
    assert "publisher-x@example.org" in html
    with tenant_context(world.school_a):
        assert System.objects.get(notice=notice).supplier != "My edit"


def test_a_new_notice_starts_with_the_sections_the_check_needs_and_their_kind_is_fixed(world, client):
    client.force_login(world.editor_a)
    data = {
        "title": "Workforce notice",
        "slug": "workforce",
        "audience": "workforce",
        "summary": "What we hold about staff.",
        "contact_name": "HR",
        "contact_email": "hr@school-a.example.org",
        "review_by": "2027-09-01",
        "seen_at": "",
    }
    response = admin_post(client, world.school_a, f"{ADMIN}add/", data)
    assert response.status_code == 302
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug="workforce")
        kinds = set(Section.objects.filter(notice=notice).values_list("kind", flat=True))
    connection.set_schema_to_public()
    assert response["Location"] == f"{ADMIN}{notice.pk}/overview/"
    assert {
        SectionKind.COMPLAINTS,
        SectionKind.COLLECTING,
        SectionKind.SOURCES,
        SectionKind.AUTOMATED_DECISIONS,
    } <= kinds
    page = admin_get(client, world.school_a, part_url(notice, "sections"))
    [(_, formset)] = page.context["formsets"]
    assert all(form.fields["kind"].disabled for form in formset.forms if form.instance.pk)
    overview = admin_get(client, world.school_a, f"{ADMIN}{notice.pk}/overview/")
    problems = [p for f in overview.context["findings"] for p in f.problems]
    assert problems  # a new notice has its registers still to fill in...
    assert not [p for p in problems if "section" in p]  # ...but never a section the check looks for by kind


def test_an_unknown_part_is_a_404_and_the_about_part_is_the_notice_page(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    assert admin_get(client, world.school_a, part_url(notice, "no-such-part")).status_code == 404
    assert admin_get(client, world.school_a, part_url(notice, "about"))["Location"] == f"{ADMIN}{notice.pk}/change/"


def test_another_schools_dpl_cannot_reach_a_part_page_nor_save_one(world, client):
    notice = notice_of(world.school_a)
    client.force_login(world.editor_b)
    url = part_url(notice, "systems")
    assert admin_get(client, world.school_a, url).status_code in (302, 403)
    assert admin_post(client, world.school_a, url, {"systems-TOTAL_FORMS": "0"}).status_code in (302, 403)
    # On school B's own host the same id is school B's notice, never school A's.
    with tenant_context(world.school_b):
        own = Notice.objects.get(slug="pupils-and-parents")
    connection.set_schema_to_public()
    html = client.get(part_url(own, "systems"), HTTP_HOST=host(world.school_b)).content.decode()
    assert "MarkerB" in html
    assert "MarkerA" not in html


def test_the_workspace_pages_need_few_queries_whatever_the_number_of_rows(world, client, django_assert_max_num_queries):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    with django_assert_max_num_queries(40):
        admin_get(client, world.school_a, f"{ADMIN}{notice.pk}/overview/")
    with django_assert_max_num_queries(40) as few:
        admin_get(client, world.school_a, part_url(notice, "systems"))
    with tenant_context(world.school_a):
        System.objects.bulk_create(System(notice=notice, name=f"System {n}", used_for="x", order=n) for n in range(30))
    connection.set_schema_to_public()
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_get(client, world.school_a, part_url(notice, "systems"))
