"""The school admin: DPLs edit every part of their own school's notice, with history, checks and preview."""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import PASSWORD, change_draft, host
from notices.models import DataCategory, LawfulBasis, Notice, NoticeVersion, Purpose, RetentionRule, System
from notices.publishing import publish_notice

pytestmark = pytest.mark.django_db
ADMIN = "/admin/notices/notice/"


def admin_get(client, school, path, **kw):
    return client.get(path, HTTP_HOST=host(school), **kw)


def admin_post(client, school, path, data):
    return client.post(path, data, HTTP_HOST=host(school))


def reviewed_post(client, school, url, data, *, host_header=None):
    """POST the publish form as a publisher does: with the base that the page they reviewed carried."""
    page = client.get(url, HTTP_HOST=host_header or host(school))
    return client.post(url, {**page.context["form"].initial, **data}, HTTP_HOST=host_header or host(school))


def notice_of(school):
    with tenant_context(school):
        notice = Notice.objects.get(slug="pupils-and-parents")
    connection.set_schema_to_public()
    return notice


def change_payload(response):
    """The POST data a page would send unchanged: the notice page's form, or a part page's formsets."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            key = form.add_prefix(name)
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple) or hasattr(value, "all"):
                items = value.all() if hasattr(value, "all") else value
                data[key] = [getattr(v, "pk", v) for v in items]
            else:
                data[key] = getattr(value, "pk", value)

    if "adminform" in response.context:
        add(response.context["adminform"].form)
    else:
        data["seen_at"] = response.context["seen_at"]
    for formset in _formsets(response):
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            add(form)
            if form.instance.pk:  # a part page's blank row for a new item has no id yet
                data[form.add_prefix("id")] = form.instance.pk
                data[form.add_prefix("notice")] = form.instance.notice_id
    return data


def _formsets(response):
    return [formset for _, formset in response.context.get("formsets", ())]


def formset_prefix(response, model):
    for formset in _formsets(response):
        if formset.model is model:
            return formset.prefix
    raise AssertionError(model)


def part_url(notice, part):
    return f"{ADMIN}{notice.pk}/part/{part}/"


def test_dpl_logs_in_with_email_and_password_and_sees_the_notice(world, client):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "EDITOR-A@example.org", "password": PASSWORD},
        HTTP_HOST=host(world.school_a),
    )
    assert response.status_code == 302
    html = admin_get(client, world.school_a, ADMIN).content.decode()
    assert "Privacy notice for pupils and parents" in html
    assert "School A: privacy notices" in html


@pytest.mark.parametrize("persona", ["editor_b", "publisher_y", "platform_admin"])
def test_accounts_without_a_role_at_the_school_cannot_log_in_there(world, client, persona):
    user = getattr(world, persona)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.email, "password": PASSWORD}, HTTP_HOST=host(world.school_a)
    )
    assert response.status_code == 200
    assert "has no role at School A" in response.content.decode()


def test_the_overview_shows_status_completeness_and_preview_link(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    html = admin_get(client, world.school_a, f"{ADMIN}{notice.pk}/overview/").content.decode()
    assert "Status: live" in html
    assert html.count('class="pass"') == 14
    assert f"{ADMIN}{notice.pk}/preview/" in html
    # Editors see why they cannot publish.
    assert "Only trust staff with the publisher role can publish" in html


def test_dpl_edits_a_part_and_the_notice_details_each_with_history(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    url = part_url(notice, "systems")
    response = admin_get(client, world.school_a, url)
    data = change_payload(response)
    systems = formset_prefix(response, System)
    data[f"{systems}-0-name"] = "MarkerA Records System (renamed)"
    total = int(data[f"{systems}-TOTAL_FORMS"])
    data.update(
        {
            f"{systems}-TOTAL_FORMS": total + 1,
            f"{systems}-{total}-order": 5,
            f"{systems}-{total}-name": "New Reading App",
            f"{systems}-{total}-used_for": "reading practice",
            f"{systems}-{total}-supplier": "Books Ltd",
        }
    )
    data["change_reason"] = "Annual review"
    response = admin_post(client, world.school_a, url, data)
    assert response.status_code == 302, response.context and response.context["formsets"]
    about = f"{ADMIN}{notice.pk}/change/"
    details = change_payload(admin_get(client, world.school_a, about))
    details["summary"] = "A clearer summary for parents."
    details["change_reason"] = "Annual review"
    assert admin_post(client, world.school_a, about, details).status_code == 302
    with tenant_context(world.school_a):
        assert set(System.objects.filter(notice=notice).values_list("name", flat=True)) == {
            "MarkerA Records System (renamed)",
            "New Reading App",
        }
        record = Notice.history.filter(id=notice.pk).first()
        assert record.history_user == world.editor_a
        assert record.history_change_reason == "Annual review"
        renamed = System.history.filter(name="MarkerA Records System (renamed)").first()
        assert renamed.history_user == world.editor_a
        assert renamed.history_change_reason == "Annual review"
    connection.set_schema_to_public()
    status = admin_get(client, world.school_a, f"{ADMIN}{notice.pk}/overview/").content.decode()
    assert "Status: live + unpublished changes" in status


def test_a_purpose_without_a_lawful_basis_is_a_form_error(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    url = part_url(notice, "purposes")
    response = admin_get(client, world.school_a, url)
    data = change_payload(response)
    data[f"{formset_prefix(response, Purpose)}-0-bases"] = []
    response = admin_post(client, world.school_a, url, data)
    assert response.status_code == 200
    assert "Choose at least one lawful basis for this purpose." in response.content.decode()


def test_an_article_9_condition_on_a_non_special_category_is_a_form_error(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    url = part_url(notice, "purposes")
    response = admin_get(client, world.school_a, url)
    data = change_payload(response)
    with tenant_context(world.school_a):
        # Only special categories are offered; a crafted POST naming another is refused all the same.
        ordinary = DataCategory.objects.get(notice=notice, special=False)
        first_basis = LawfulBasis.objects.filter(notice=notice).order_by("order").first()
    connection.set_schema_to_public()
    prefix = formset_prefix(response, LawfulBasis)
    assert data[f"{prefix}-0-id"] == first_basis.pk
    data[f"{prefix}-0-article9"] = "g"
    data[f"{prefix}-0-special_categories"] = [ordinary.pk]
    response = admin_post(client, world.school_a, url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in html
    with tenant_context(world.school_a):
        assert not LawfulBasis.objects.get(pk=first_basis.pk).special_categories.exists()


def test_history_view_shows_field_changes_and_revert_saves_a_new_change(world, client):
    client.force_login(world.editor_a)
    with tenant_context(world.school_a):
        system = System.objects.get(name="MarkerA Records System")
        system.used_for = "everything about pupils"
        system._history_user = world.editor_a
        system.save()
        old = system.history.order_by("history_date").first()
        records_before = system.history.count()
    connection.set_schema_to_public()
    history = admin_get(client, world.school_a, f"/admin/notices/system/{system.pk}/history/").content.decode()
    assert "editor-a@example.org" in history
    assert "pupil records" in history
    assert "everything about pupils" in history
    revert_url = f"/admin/notices/system/{system.pk}/history/{old.history_id}/"
    form = admin_get(client, world.school_a, revert_url)
    assert form.status_code == 200
    data = {k: v for k, v in form.context["adminform"].form.initial.items() if v is not None}
    data["notice"] = system.notice_id
    data.pop("outside_uk", None)
    response = admin_post(client, world.school_a, revert_url, data)
    assert response.status_code == 302
    with tenant_context(world.school_a):
        system.refresh_from_db()
        assert system.used_for == "pupil records"
        assert system.history.count() == records_before + 1


def test_preview_shows_the_draft_and_what_is_missing(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    with tenant_context(world.school_a):
        from notices.models import Right

        Right.objects.filter(notice=notice, right="complain_ico").delete()
        System.objects.filter(notice=notice).update(name="Draft-only System")
    connection.set_schema_to_public()
    html = admin_get(client, world.school_a, f"{ADMIN}{notice.pk}/preview/").content.decode()
    assert "Preview of the draft" in html
    assert "Draft-only System" in html
    assert "Explain the right to complain to the ICO" in html
    assert html.count('class="fail"') == 1
    # Parents still see the published version.
    public = client.get("/privacy/pupils-and-parents/", HTTP_HOST=host(world.school_a)).content.decode()
    assert "Draft-only System" not in public


def test_preview_is_for_staff_of_the_school_only(world, client):
    notice = notice_of(world.school_a)
    url = f"{ADMIN}{notice.pk}/preview/"
    assert admin_get(client, world.school_a, url).status_code == 302
    client.force_login(world.editor_b)
    response = admin_get(client, world.school_a, url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_another_schools_edits_cannot_be_seen_from_this_school(world, client):
    with tenant_context(world.school_b):
        System.objects.filter(name="MarkerB Records System").update(name="B-only secret system")
        b_system = System.objects.get(name="B-only secret system")
    connection.set_schema_to_public()
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    for path in (
        f"{ADMIN}{notice.pk}/change/",
        f"{ADMIN}{notice.pk}/preview/",
        f"/admin/notices/system/{b_system.pk}/change/",
        f"/admin/notices/system/{b_system.pk}/history/",
        "/admin/notices/noticeversion/",
    ):
        body = admin_get(client, world.school_a, path).content.decode()
        assert "B-only secret system" not in body
        assert "MarkerB" not in body


def test_editor_cannot_publish_but_a_trust_publisher_can(world, client):
    notice = notice_of(world.school_a)
    url = f"{ADMIN}{notice.pk}/publish/"
    client.force_login(world.editor_a)
    page = admin_get(client, world.school_a, url).content.decode()
    assert "disabled" in page
    assert admin_post(client, world.school_a, url, {"summary": "x", "material": "on"}).status_code == 403
    client.force_login(world.publisher_x)
    with tenant_context(world.school_a):
        change_draft(notice)
    connection.set_schema_to_public()
    page = admin_get(client, world.school_a, url)
    assert "Publish version 2" in page.content.decode()
    response = reviewed_post(client, world.school_a, url, {"summary": "Reviewed for the new year.", "material": "on"})
    assert response.status_code == 302
    with tenant_context(world.school_a):
        version = NoticeVersion.objects.get(notice=notice, number=2)
        assert version.published_by == world.publisher_x
        assert version.summary == "Reviewed for the new year."


def test_publishing_with_nothing_changed_is_refused_with_a_form_error(world, client):
    notice = notice_of(world.school_a)
    client.force_login(world.publisher_x)
    url = f"{ADMIN}{notice.pk}/publish/"
    assert "Nothing to publish" in admin_get(client, world.school_a, url).content.decode()
    response = reviewed_post(client, world.school_a, url, {"summary": "Again.", "material": "on"})
    assert response.status_code == 200
    assert "Nothing to publish: the draft reads the same as version 1" in response.content.decode()
    with tenant_context(world.school_a):
        assert NoticeVersion.objects.filter(notice=notice).count() == 1


def test_a_publish_is_refused_when_the_draft_changed_after_the_publisher_reviewed_it(world, client):
    notice = notice_of(world.school_a)
    client.force_login(world.publisher_x)
    url = f"{ADMIN}{notice.pk}/publish/"
    with tenant_context(world.school_a):
        change_draft(notice, "Reviewed wording.")
    connection.set_schema_to_public()
    reviewed = admin_get(client, world.school_a, url).context["form"].initial
    with tenant_context(world.school_a):
        System.objects.filter(notice=notice).update(name="Slipped in after the review")
    connection.set_schema_to_public()
    response = admin_post(client, world.school_a, url, {**reviewed, "summary": "Reviewed.", "material": "on"})
    assert response.status_code == 200
    assert "The draft changed after you reviewed it" in response.content.decode()
    with tenant_context(world.school_a):
        assert NoticeVersion.objects.filter(notice=notice).count() == 1


def test_a_publish_is_refused_when_someone_published_after_the_publisher_opened_the_page(world, client):
    notice = notice_of(world.school_a)
    client.force_login(world.publisher_x)
    url = f"{ADMIN}{notice.pk}/publish/"
    with tenant_context(world.school_a):
        change_draft(notice, "First edit.")
    connection.set_schema_to_public()
    reviewed = admin_get(client, world.school_a, url).context["form"].initial
    with tenant_context(world.school_a):
        publish_notice(notice, user=world.publisher_x, summary="Published elsewhere.")
        change_draft(notice, "Second edit.")
    connection.set_schema_to_public()
    response = admin_post(client, world.school_a, url, {**reviewed, "summary": "Mine.", "material": "on"})
    assert "Version 2 was published after you opened this page" in response.content.decode()
    with tenant_context(world.school_a):
        assert list(NoticeVersion.objects.filter(notice=notice).values_list("number", flat=True)) == [2, 1]


def test_publish_form_requires_a_summary_and_shows_failures(world, client):
    notice = notice_of(world.school_a)
    client.force_login(world.publisher_x)
    response = admin_post(client, world.school_a, f"{ADMIN}{notice.pk}/publish/", {"summary": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    with tenant_context(world.school_a):
        assert NoticeVersion.objects.filter(notice=notice).count() == 1


def test_revert_loads_an_old_version_into_the_draft_without_touching_versions(world, client):
    notice = notice_of(world.school_a)
    with tenant_context(world.school_a):
        System.objects.filter(notice=notice).update(name="Changed after v1")
    connection.set_schema_to_public()
    client.force_login(world.editor_a)
    response = admin_post(client, world.school_a, f"{ADMIN}{notice.pk}/revert/1/", {})
    assert response.status_code == 302
    with tenant_context(world.school_a):
        assert System.objects.get(notice=notice).name == "MarkerA Records System"
        assert NoticeVersion.objects.filter(notice=notice).count() == 1


def test_a_save_from_a_stale_page_is_refused_with_what_changed_and_keeps_what_was_typed(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    url = f"{ADMIN}{notice.pk}/change/"
    response = admin_get(client, world.school_a, url)
    data = change_payload(response)
    with tenant_context(world.school_a):
        colleague = System.objects.get(notice=notice)
        colleague.name, colleague._history_user = "Saved by a colleague meanwhile", world.publisher_x
        colleague.save()
    connection.set_schema_to_public()
    data["summary"] = "My careful new summary."
    response = admin_post(client, world.school_a, url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone saved this notice after you opened it" in page
    assert "Saved by a colleague meanwhile" in page
    assert "publisher-x@example.org" in page
    assert "My careful new summary." in page  # what was typed is still on the page
    with tenant_context(world.school_a):
        assert Notice.objects.get(pk=notice.pk).summary != "My careful new summary."
        assert System.objects.get(notice=notice).name == "Saved by a colleague meanwhile"


def test_a_part_page_with_more_than_a_thousand_fields_saves(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    url = part_url(notice, "retention")
    response = admin_get(client, world.school_a, url)
    data = change_payload(response)
    retention = formset_prefix(response, RetentionRule)
    total = int(data[f"{retention}-TOTAL_FORMS"])
    existing = int(data[f"{retention}-INITIAL_FORMS"])
    for n in range(total, total + 600):
        data[f"{retention}-{n}-order"] = 0
        data[f"{retention}-{n}-record_type"] = f"Record kind {n}"
        data[f"{retention}-{n}-period"] = "Six years"
    data[f"{retention}-TOTAL_FORMS"] = total + 600
    assert len(data) > 1000
    response = admin_post(client, world.school_a, url, data)
    assert response.status_code == 302
    with tenant_context(world.school_a):
        assert RetentionRule.objects.filter(notice=notice).count() == existing + 600


def test_new_rows_left_at_order_zero_go_after_the_existing_ones_in_the_order_added(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    url = part_url(notice, "systems")
    response = admin_get(client, world.school_a, url)
    data = change_payload(response)
    systems = formset_prefix(response, System)
    total = int(data[f"{systems}-TOTAL_FORMS"])
    for n, name in enumerate(("Second system", "Third system"), start=total):
        data.update({f"{systems}-{n}-order": 0, f"{systems}-{n}-name": name, f"{systems}-{n}-used_for": "x"})
    data[f"{systems}-TOTAL_FORMS"] = total + 2
    assert admin_post(client, world.school_a, url, data).status_code == 302
    with tenant_context(world.school_a):
        names = list(System.objects.filter(notice=notice).order_by("order", "pk").values_list("name", flat=True))
    assert names == ["MarkerA Records System", "Second system", "Third system"]


def test_the_slug_is_fixed_once_published(world, client):
    client.force_login(world.editor_a)
    notice = notice_of(world.school_a)
    response = admin_get(client, world.school_a, f"{ADMIN}{notice.pk}/change/")
    assert "slug" not in response.context["adminform"].form.fields
    assert "/privacy//" not in response.content.decode()


def test_the_version_admin_links_to_the_pdf_parents_download(world, client):
    client.force_login(world.editor_a)
    with tenant_context(world.school_a):
        version = NoticeVersion.objects.get(number=1)
    connection.set_schema_to_public()
    page = admin_get(client, world.school_a, f"/admin/notices/noticeversion/{version.pk}/change/").content.decode()
    link = "/privacy/pupils-and-parents/versions/1.pdf"
    assert link in page
    assert admin_get(client, world.school_a, link).status_code == 200
