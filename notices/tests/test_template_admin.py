"""The template admin (trust staff edit and release templates) and the school admin's follow pages, as the personas.

The trust X template is made from school A's notice and school B is linked to
it. Trust Y (school C) has a template of its own throughout, so every
isolation test runs with the other party's data present.
"""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import host
from notices import following
from notices.models import ItemState, Notice, NoticeVersion, Section, System
from notices.registers import BY_ATTR
from notices.releasing import release_template, template_from_school, template_notice, workspace_context
from tenants.models import TemplateRelease

pytestmark = pytest.mark.django_db
PORTAL = "localhost"
SYSTEMS, SECTIONS = BY_ATTR["systems"], BY_ATTR["sections"]


def _notice(school):
    with tenant_context(school):
        notice = Notice.objects.get(slug="pupils-and-parents")
    connection.set_schema_to_public()
    return notice


def _template(school, publisher, slug="pupils"):
    made = template_from_school(school, _notice(school), slug=slug, title="Pupils and parents", user=publisher)
    release_template(made, user=publisher, summary="First release.")
    return made


@pytest.fixture
def templates(world):
    """Trust X's template, with school B following it, and trust Y's, followed by school C."""
    x = _template(world.school_a, world.publisher_x)
    y = _template(world.school_c, world.publisher_y, slug="yarrow-pupils")
    for school, template, editor in ((world.school_b, x, world.editor_b), (world.school_c, y, None)):
        notice = _notice(school)
        with tenant_context(school):
            following.link_notice(notice, template, school=school, user=editor)
    connection.set_schema_to_public()
    return x, y


def _admin(template, rest=""):
    return f"/trust/{template.trust.slug}/templates/admin/notices/notice/{template.notice_id}/{rest}"


def _edit_template(template, model, label_field, label, **values):
    with workspace_context(template):
        row = model.objects.get(notice_id=template.notice_id, **{label_field: label})
        for name, value in values.items():
            setattr(row, name, value)
        row._change_reason = "Template edit"
        row.save()
    connection.set_schema_to_public()


def _b_row(world, model, **lookup):
    with tenant_context(world.school_b):
        row = model.objects.get(notice__slug="pupils-and-parents", **lookup)
    connection.set_schema_to_public()
    return row


# --- the template admin ------------------------------------------------------------


def test_trust_staff_open_their_template_with_its_releases_and_check(world, client, templates):
    x, _ = templates
    client.force_login(world.publisher_x)
    response = client.get(_admin(x, "change/"), HTTP_HOST=PORTAL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "released as release 1" in html
    assert "First release." in html
    assert "Completeness check" in html
    assert 'name="_save"' in html  # publishers edit


def test_trust_staff_release_from_the_admin_and_the_following_school_gets_it_in_its_draft(world, client, templates):
    x, _ = templates
    _edit_template(x, Section, "heading", "How to complain", body="We review this notice every term.")
    client.force_login(world.publisher_x)
    page = client.get(_admin(x, "release/"), HTTP_HOST=PORTAL)
    assert "release 2" in page.content.decode()
    response = client.post(_admin(x, "release/"), {"summary": "We review every term now."}, HTTP_HOST=PORTAL)
    assert response.status_code == 302
    assert TemplateRelease.objects.filter(template=x, number=2, summary="We review every term now.").exists()
    section = _b_row(world, Section, heading="How to complain")
    assert section.body == "We review this notice every term."
    assert section.state == ItemState.INHERITED


def test_a_release_with_an_empty_summary_or_nothing_changed_is_a_form_error(world, client, templates):
    x, _ = templates
    client.force_login(world.publisher_x)
    empty = client.post(_admin(x, "release/"), {"summary": ""}, HTTP_HOST=PORTAL)
    same = client.post(_admin(x, "release/"), {"summary": "Again"}, HTTP_HOST=PORTAL)
    assert empty.status_code == same.status_code == 200
    assert "This field is required" in empty.content.decode()
    assert "Nothing to release" in same.content.decode()
    assert TemplateRelease.objects.filter(template=x).count() == 1


def test_a_school_dpl_reads_the_trust_template_but_cannot_change_or_release_it(world, client, templates):
    x, _ = templates
    _edit_template(x, Section, "heading", "How to complain", body="Changed by the trust.")
    client.force_login(world.editor_a)
    page = client.get(_admin(x, "change/"), HTTP_HOST=PORTAL)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in html
    assert "you can read it" in html
    assert client.post(_admin(x, "release/"), {"summary": "Sneaky"}, HTTP_HOST=PORTAL).status_code == 403
    assert client.post(_admin(x, "change/"), {"title": "Sneaky"}, HTTP_HOST=PORTAL).status_code == 403
    assert client.post(_admin(x, "revert/1/"), HTTP_HOST=PORTAL).status_code == 403
    assert TemplateRelease.objects.filter(template=x).count() == 1
    with workspace_context(x):
        assert template_notice(x).title == "Pupils and parents"


def test_trust_y_staff_cannot_reach_trust_x_templates_with_both_present(world, client, templates):
    x, y = templates
    client.force_login(world.publisher_y)
    change = client.get(_admin(x, "change/"), HTTP_HOST=PORTAL)
    release = client.post(_admin(x, "release/"), {"summary": "From Y"}, HTTP_HOST=PORTAL)
    assert change.status_code == 302
    assert "/login/" in change["Location"]
    assert release.status_code == 302
    assert "/login/" in release["Location"]
    assert TemplateRelease.objects.filter(template=x).count() == 1
    # Y's own template, under Y's address, opens; X's notice id under Y's address is not found.
    assert client.get(_admin(y, "change/"), HTTP_HOST=PORTAL).status_code == 200
    wrong = f"/trust/{y.trust.slug}/templates/admin/notices/notice/{x.notice_id + 1000}/change/"
    assert client.get(wrong, HTTP_HOST=PORTAL).status_code in (302, 404)


def test_the_template_admin_is_not_served_on_a_school_host_nor_for_a_trust_without_templates(world, client, templates):
    x, _ = templates
    client.force_login(world.publisher_x)
    on_school = client.get(_admin(x, "change/"), HTTP_HOST=host(world.school_a))
    assert on_school.status_code == 404
    assert client.get("/trust/no-such-trust/templates/admin/", HTTP_HOST=PORTAL).status_code == 404


def test_the_template_preview_fills_stand_ins_for_school_details(world, client, templates):
    x, _ = templates
    client.force_login(world.publisher_x)
    response = client.get(_admin(x, "preview/"), HTTP_HOST=PORTAL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "{school_name}" not in html
    assert "Preview of the template" in html


def test_trust_staff_load_a_release_back_into_the_draft(world, client, templates):
    x, _ = templates
    _edit_template(x, Section, "heading", "How to complain", body="A half-finished edit.")
    client.force_login(world.publisher_x)
    assert client.get(_admin(x, "revert/1/"), HTTP_HOST=PORTAL).status_code == 200
    response = client.post(_admin(x, "revert/1/"), HTTP_HOST=PORTAL)
    assert response.status_code == 302
    with workspace_context(x):
        body = Section.objects.get(notice_id=x.notice_id, heading="How to complain").body
    assert body != "A half-finished edit."


# --- the school admin: following a template -------------------------------------------


SCHOOL_ADMIN = "/admin/notices/notice/"


def _item_url(notice, register, row):
    return f"{SCHOOL_ADMIN}{notice.pk}/trust-item/{register.attr}/{row.pk}/"


def test_a_part_page_with_trust_rows_saves_from_a_browser_which_posts_no_disabled_field(world, client, templates):
    from notices.tests.test_admin import change_payload

    notice = _notice(world.school_b)
    row = _b_row(world, System, state=ItemState.INHERITED, name__isnull=False)
    client.force_login(world.editor_b)
    url = f"{SCHOOL_ADMIN}{notice.pk}/part/systems/"
    page = client.get(url, HTTP_HOST=host(world.school_b))
    disabled = {
        form.add_prefix(name)
        for _, formset in page.context["formsets"]
        for form in formset.forms
        for name, field in form.fields.items()
        if field.disabled
    }
    assert disabled  # the trust's rows are read-only here...
    data = {key: value for key, value in change_payload(page).items() if key not in disabled}
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == row.pk).removesuffix("-id")
    assert f"{prefix}-id" not in disabled  # ...but each keeps its id, which a browser must post
    response = client.post(url, data, HTTP_HOST=host(world.school_b))
    assert response.status_code == 302
    assert _b_row(world, System, pk=row.pk).name == row.name


def test_an_inherited_row_is_read_only_on_its_part_page(world, client, templates):
    from notices.tests.test_admin import change_payload

    notice = _notice(world.school_b)
    row = _b_row(world, System, state=ItemState.INHERITED, name__isnull=False)
    client.force_login(world.editor_b)
    url = f"{SCHOOL_ADMIN}{notice.pk}/part/systems/"
    page = client.get(url, HTTP_HOST=host(world.school_b))
    assert page.status_code == 200
    html = page.content.decode()
    assert "From the trust" in html
    assert _item_url(notice, BY_ATTR["systems"], row) in html  # replace or hide it on its own page
    data = change_payload(page)
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == row.pk).removesuffix("-id")
    data[f"{prefix}-name"] = "Typed over the trust's wording"
    data[f"{prefix}-DELETE"] = "on"
    response = client.post(url, data, HTTP_HOST=host(world.school_b))
    assert response.status_code == 302
    kept = _b_row(world, System, pk=row.pk)
    assert kept.name == row.name
    assert kept.state == ItemState.INHERITED


def test_a_dpl_hides_a_trust_item_with_a_reason_and_goes_back_to_the_trusts_version(world, client, templates):
    notice = _notice(world.school_b)
    row = _b_row(world, System, state=ItemState.INHERITED, name__isnull=False)
    url = _item_url(notice, SYSTEMS, row)
    client.force_login(world.editor_b)
    assert client.get(url, HTTP_HOST=host(world.school_b)).status_code == 200
    no_reason = client.post(url, {"act": "hide", "reason": ""}, HTTP_HOST=host(world.school_b))
    assert no_reason.status_code == 200
    assert "This field is required" in no_reason.content.decode()
    assert _b_row(world, System, pk=row.pk).state == ItemState.INHERITED
    hidden = client.post(url, {"act": "hide", "reason": "We have no such system"}, HTTP_HOST=host(world.school_b))
    assert hidden.status_code == 302
    now = _b_row(world, System, pk=row.pk)
    assert (now.state, now.hidden_reason) == (ItemState.HIDDEN, "We have no such system")
    restored = client.post(url, {"act": "restore"}, HTTP_HOST=host(world.school_b))
    assert restored.status_code == 302
    assert _b_row(world, System, pk=row.pk).state == ItemState.INHERITED


def test_a_dpl_replaces_a_trust_item_then_edits_it_on_its_own_page(world, client, templates):
    notice = _notice(world.school_b)
    row = _b_row(world, System, state=ItemState.INHERITED, name__isnull=False)
    client.force_login(world.editor_b)
    response = client.post(_item_url(notice, SYSTEMS, row), {"act": "replace"}, HTTP_HOST=host(world.school_b))
    assert response.status_code == 302
    assert response["Location"] == f"/admin/notices/system/{row.pk}/change/"
    replaced = _b_row(world, System, pk=row.pk)
    assert replaced.state == ItemState.REPLACED
    assert replaced.based_on == 1


def test_another_schools_dpl_cannot_act_on_school_bs_trust_items(world, client, templates):
    notice = _notice(world.school_b)
    row = _b_row(world, System, state=ItemState.INHERITED, name__isnull=False)
    client.force_login(world.editor_a)
    response = client.post(
        _item_url(notice, SYSTEMS, row), {"act": "hide", "reason": "From A"}, HTTP_HOST=host(world.school_b)
    )
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert _b_row(world, System, pk=row.pk).state == ItemState.INHERITED


def test_a_conflict_shows_the_trusts_old_and_new_text_beside_the_schools_and_is_resolved(world, client, templates):
    x, _ = templates
    notice = _notice(world.school_b)
    row = _b_row(world, Section, heading="How to complain")
    with tenant_context(world.school_b):
        following.replace_item(notice, SECTIONS, row.pk, user=world.editor_b, values={"body": "Our own review words."})
    connection.set_schema_to_public()
    _edit_template(x, Section, "heading", "How to complain", body="The trust has new complaint words.")
    release_template(x, user=world.publisher_x, summary="New review wording.")
    client.force_login(world.editor_b)
    page = client.get(f"{SCHOOL_ADMIN}{notice.pk}/conflicts/", HTTP_HOST=host(world.school_b))
    html = page.content.decode()
    assert page.status_code == 200
    assert "The trust has new complaint words." in html
    assert "Our own review words." in html
    assert "release 1" in html
    assert "release 2" in html
    change = client.get(f"{SCHOOL_ADMIN}{notice.pk}/overview/", HTTP_HOST=host(world.school_b)).content.decode()
    assert "1 conflict" in change
    # The DPL reads the trust's template on the portal host, where its template admin is.
    assert f'href="http://localhost/trust/trust-x/templates/admin/notices/notice/{x.notice_id}/change/"' in change
    resolved = client.post(
        f"{SCHOOL_ADMIN}{notice.pk}/conflicts/sections/{row.pk}/", {"choice": "trust"}, HTTP_HOST=host(world.school_b)
    )
    assert resolved.status_code == 302
    after = _b_row(world, Section, pk=row.pk)
    assert (after.state, after.body) == (ItemState.INHERITED, "The trust has new complaint words.")


def test_a_conflict_is_settled_by_editing_the_schools_version(world, client, templates):
    x, _ = templates
    notice = _notice(world.school_b)
    row = _b_row(world, Section, heading="How to complain")
    with tenant_context(world.school_b):
        following.replace_item(notice, SECTIONS, row.pk, user=world.editor_b, values={"body": "Ours."})
    connection.set_schema_to_public()
    _edit_template(x, Section, "heading", "How to complain", body="Theirs, new.")
    release_template(x, user=world.publisher_x, summary="New review wording.")
    client.force_login(world.editor_b)
    url = f"{SCHOOL_ADMIN}{notice.pk}/conflicts/sections/{row.pk}/edit/"
    page = client.get(url, HTTP_HOST=host(world.school_b))
    assert page.status_code == 200
    data = {**page.context["form"].initial, "body": "Ours, edited after the trust's change."}
    assert client.post(url, data, HTTP_HOST=host(world.school_b)).status_code == 302
    after = _b_row(world, Section, pk=row.pk)
    assert (after.state, after.based_on) == (ItemState.REPLACED, 2)
    assert after.body == "Ours, edited after the trust's change."
    with tenant_context(world.school_b):
        assert following.conflicts(Notice.objects.get(pk=notice.pk)) == []


def test_the_link_page_shows_what_linking_would_do_before_it_is_done(world, client):
    x = _template(world.school_a, world.publisher_x)
    notice = _notice(world.school_b)
    client.force_login(world.editor_b)
    url = f"{SCHOOL_ADMIN}{notice.pk}/link/"
    page = client.get(url, {"template": x.slug}, HTTP_HOST=host(world.school_b))
    html = page.content.decode()
    assert page.status_code == 200
    assert "will follow the trust" in html
    assert _notice(world.school_b).follows_id is None  # showing changed nothing
    assert client.post(url, {"template": x.slug}, HTTP_HOST=host(world.school_b)).status_code == 302
    assert _notice(world.school_b).follows_id == x.pk


def test_a_school_cannot_link_to_another_trusts_template(world, client, templates):
    _, y = templates
    notice = _notice(world.school_a)
    client.force_login(world.editor_a)
    response = client.post(f"{SCHOOL_ADMIN}{notice.pk}/link/", {"template": y.slug}, HTTP_HOST=host(world.school_a))
    # Trust Y's template is not among school A's choices: the page says so and nothing changes.
    assert response.status_code == 200
    assert response.context["problem"] == "Choose one of your trust's released templates."
    assert _notice(world.school_a).follows_id is None
    with tenant_context(world.school_a):
        assert not NoticeVersion.objects.filter(summary__icontains="trust").exists()


# --- the trust console -------------------------------------------------------------


def test_the_console_lists_templates_and_each_schools_release_conflicts_and_releases_behind(world, client, templates):
    x, _ = templates
    notice = _notice(world.school_b)
    row = _b_row(world, Section, heading="How to complain")
    with tenant_context(world.school_b):
        following.replace_item(notice, SECTIONS, row.pk, user=world.editor_b, values={"body": "Ours."})
    connection.set_schema_to_public()
    _edit_template(x, Section, "heading", "How to complain", body="Theirs, new.")
    release_template(x, user=world.publisher_x, summary="New complaints wording.")
    client.force_login(world.publisher_x)
    html = client.get("/trust/trust-x/", HTTP_HOST=PORTAL).content.decode()
    assert f'href="/trust/trust-x/templates/admin/notices/notice/{x.notice_id}/change/"' in html
    assert "Pupils and parents</a>: release 2" in html
    row_b = html.split("School B</th>")[1].split("</tr>")[0]
    assert "release 2" in row_b
    assert "live is 2 releases behind" in row_b
    assert "1 conflict" in row_b
    assert f"http://school-b.localhost/admin/notices/notice/{notice.pk}/conflicts/" in row_b
    # Trust Y's template is on trust Y's console, never on X's.
    assert "yarrow-pupils" not in html
    assert "/trust/trust-y/templates/admin/" not in html


def test_trust_staff_make_a_template_from_a_schools_notice_in_the_console(world, client):
    client.force_login(world.publisher_x)
    page = client.get("/trust/trust-x/templates/new/", HTTP_HOST=PORTAL)
    choices = dict(page.context["form"].fields["source"].choices)
    assert "school-a/pupils-and-parents" in choices
    assert not any(key.startswith("school-c/") for key in choices)  # trust Y's school is not offered
    response = client.post(
        "/trust/trust-x/templates/new/",
        {"source": "school-a/pupils-and-parents", "title": "Pupils", "slug": "pupils"},
        HTTP_HOST=PORTAL,
    )
    made = world.trust_x.templates.get(slug="pupils")
    assert response["Location"] == f"/trust/trust-x/templates/admin/notices/notice/{made.notice_id}/change/"
    again = client.post(
        "/trust/trust-x/templates/new/",
        {"source": "school-a/pupils-and-parents", "title": "Pupils", "slug": "pupils"},
        HTTP_HOST=PORTAL,
    )
    assert again.status_code == 200
    assert "already has a template" in again.context["form"].errors["slug"][0]
    assert (
        client.post(
            "/trust/trust-x/templates/new/",
            {"source": "school-c/pupils-and-parents", "title": "T", "slug": "t"},
            HTTP_HOST=PORTAL,
        ).status_code
        == 200
    )
    assert not world.trust_x.templates.filter(slug="t").exists()


def test_a_school_dpl_cannot_make_a_trust_template(world, client):
    client.force_login(world.editor_a)
    response = client.post(
        "/trust/trust-x/templates/new/",
        {"source": "school-a/pupils-and-parents", "title": "Pupils", "slug": "pupils"},
        HTTP_HOST=PORTAL,
    )
    assert response.status_code == 403
    assert not world.trust_x.templates.exists()


# --- importing through the admin ------------------------------------------------------


def _seed_upload(name="000"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from notices.tests.test_importing import _seed_file

    filename, data = _seed_file(name, "txt")
    return SimpleUploadedFile(filename, data, content_type="text/plain")


def test_a_dpl_uploads_a_notice_checks_the_report_and_then_creates_the_draft(world, client):
    client.force_login(world.editor_a)
    url = "/admin/notices/notice/import/"
    assert "Start from your current notice" in client.get(SCHOOL_ADMIN, HTTP_HOST=host(world.school_a)).content.decode()
    report = client.post(
        url, {"file": _seed_upload(), "slug": "imported", "audience": "pupils_parents"}, HTTP_HOST=host(world.school_a)
    )
    html = report.content.decode()
    assert report.status_code == 200
    assert "Import report" in html
    assert "From the file" in html
    assert "Completeness check" in html
    with tenant_context(world.school_a):
        assert not Notice.objects.filter(slug="imported").exists()  # the report saved nothing
    created = client.post(url, {"token": report.context["token"]}, HTTP_HOST=host(world.school_a))
    assert created.status_code == 302
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug="imported")
        assert not notice.versions.exists()
    assert created["Location"] == f"{SCHOOL_ADMIN}{notice.pk}/change/"


def test_an_upload_token_is_the_uploaders_own_at_their_school(world, client):
    client.force_login(world.editor_a)
    url = "/admin/notices/notice/import/"
    report = client.post(
        url, {"file": _seed_upload(), "slug": "imported", "audience": "pupils_parents"}, HTTP_HOST=host(world.school_a)
    )
    token = report.context["token"]
    client.force_login(world.editor_b)
    elsewhere = client.post(url, {"token": token}, HTTP_HOST=host(world.school_b))
    assert elsewhere.status_code == 302
    assert elsewhere["Location"] == url  # expired for anyone else: choose the file again
    with tenant_context(world.school_b):
        assert not Notice.objects.filter(slug="imported").exists()
    with tenant_context(world.school_a):
        assert not Notice.objects.filter(slug="imported").exists()


def test_a_bad_file_is_a_form_error_in_the_admin(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.editor_a)
    response = client.post(
        "/admin/notices/notice/import/",
        {"file": SimpleUploadedFile("old.doc", b"\xd0\xcf\x11\xe0 binary"), "slug": "x", "audience": "pupils_parents"},
        HTTP_HOST=host(world.school_a),
    )
    assert response.status_code == 200
    assert "save it as .docx first" in response.context["form"].errors["file"][0]


def test_trust_staff_import_a_template_in_the_template_admin_and_school_dpls_cannot(world, client, templates):
    x, _ = templates
    url = f"/trust/{x.trust.slug}/templates/admin/notices/notice/import/"
    client.force_login(world.editor_a)
    assert client.get(url, HTTP_HOST=PORTAL).status_code == 403
    client.force_login(world.publisher_x)
    report = client.post(
        url, {"file": _seed_upload("004"), "slug": "imported", "audience": "pupils_parents"}, HTTP_HOST=PORTAL
    )
    assert report.status_code == 200
    assert client.post(url, {"token": report.context["token"]}, HTTP_HOST=PORTAL).status_code == 302
    made = x.trust.templates.get(slug="imported")
    assert not made.releases.exists()
