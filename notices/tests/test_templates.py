"""Trust templates: releases, following, overrides, conflicts and linking (notices.releasing, notices.following).

The trust X template is made from school A's notice, as trusts usually start;
school B is linked to it. School C (trust Y) has data present throughout.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import tenant_context

from notices import following
from notices.compose import compose_notice
from notices.export import export_document
from notices.following import FollowRefused
from notices.models import ItemState, Notice, Right, Section, System
from notices.publishing import HasConflicts, PublishRefused, pending_change, publish_notice
from notices.registers import BY_ATTR
from notices.releasing import (
    ReleaseRefused,
    release_template,
    template_check,
    template_from_school,
    template_notice,
    workspace_context,
)
from tenants.appendonly import AppendOnlyError
from tenants.models import TemplateRelease

RIGHTS, SYSTEMS, SECTIONS, CATEGORIES = (
    BY_ATTR["rights"],
    BY_ATTR["systems"],
    BY_ATTR["sections"],
    BY_ATTR["categories"],
)


def _notice(school):
    with tenant_context(school):
        return Notice.objects.get(slug="pupils-and-parents")


@pytest.fixture
def template(world):
    made = template_from_school(
        world.school_a, _notice(world.school_a), slug="pupils", title="Pupils and parents", user=world.publisher_x
    )
    release_template(made, user=world.publisher_x, summary="First release.")
    return made


def _edit_template(template, register, label, **values):
    """Change one item of the template's draft, as trust staff would in the template admin."""
    with workspace_context(template):
        row = register.model.objects.get(notice_id=template.notice_id, **{register.match_column: label})
        for name, value in values.items():
            setattr(row, name, value)
        row.save()


def _linked_b(world, template):
    with tenant_context(world.school_b):
        notice = Notice.objects.get(slug="pupils-and-parents")
        following.link_notice(notice, template, school=world.school_b, user=world.editor_b)
        notice.refresh_from_db()
        return notice


def _row(register, notice, label):
    return register.model.objects.get(notice=notice, **{register.match_column: label})


# --- making and releasing a template -----------------------------------------------


def test_a_template_made_from_a_school_names_that_schools_details_with_placeholders(world, template):
    with workspace_context(template):
        rights = list(Right.objects.filter(notice_id=template.notice_id).values_list("how_to_exercise", flat=True))
    assert rights
    assert all(text == "Contact the {dpl_name}." for text in rights)
    assert connection.schema_name == "public"


def test_releases_are_numbered_and_frozen(world, template):
    _edit_template(template, SYSTEMS, "MarkerA Records System", supplier="Trust Supplier Ltd")
    second = release_template(template, user=world.publisher_x, summary="New supplier.")
    assert [r.number for r in template.releases.order_by("number")] == [1, 2]
    assert second.document["systems"][0]["supplier"] == "Trust Supplier Ltd"
    assert template.releases.get(number=1).document["systems"][0]["supplier"] == "MarkerA Ltd"
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        second.save()


def test_release_refuses_an_empty_summary_and_an_unchanged_draft(world, template):
    with pytest.raises(ReleaseRefused, match="Say what changed"):
        release_template(template, user=world.publisher_x, summary="  ")
    with pytest.raises(ReleaseRefused, match="Nothing to release"):
        release_template(template, user=world.publisher_x, summary="Again.")
    assert template.releases.count() == 1


def test_release_refuses_a_failing_template_check_unless_forced(world, template):
    with workspace_context(template):
        Section.objects.filter(notice_id=template.notice_id, kind="complaints").delete()
    assert any(f.item == 10 for f in template_check(template))
    with pytest.raises(ReleaseRefused, match="How to complain"):
        release_template(template, user=world.publisher_x, summary="Dropped complaints.")
    forced = release_template(template, user=world.publisher_x, summary="Dropped complaints.", force=True)
    assert forced.forced


def test_an_unknown_placeholder_is_refused_in_the_editor_and_never_released_even_forced(world, template):
    with workspace_context(template):
        row = System.objects.get(notice_id=template.notice_id)
        row.used_for = "records of {school.trust.dpo_email}"
        with pytest.raises(ValidationError, match="not a school detail"):
            row.full_clean()
        row.save()  # past the editor, as raw SQL or a bug might
    with pytest.raises(ReleaseRefused, match="not a school detail the portal knows"):
        release_template(template, user=world.publisher_x, summary="Bad text.", force=True)


# --- linking ------------------------------------------------------------------------


def test_linking_shows_what_becomes_inherited_replaced_local_and_added_before_changing_anything(world, template):
    with tenant_context(world.school_b):
        notice = Notice.objects.get(slug="pupils-and-parents")
        plan = following.plan_link(notice, template, school=world.school_b)
        assert not System.objects.filter(notice=notice, template_uid__isnull=False).exists()
    outcomes = {(s.register.attr, s.label): s.outcome for s in plan.steps}
    # Identical once {dpl_name} is filled with school B's contact.
    assert outcomes[("rights", "Ask for a copy of your information (right of access)")] == following.INHERIT
    assert outcomes[("categories", "Personal information")] == following.INHERIT
    assert outcomes[("systems", "MarkerB Records System")] == following.LOCAL
    assert outcomes[("systems", "MarkerA Records System")] == following.ADD
    assert outcomes[("sections", "Collecting information")] == following.INHERIT


def test_linking_loses_nothing_and_is_one_recorded_change(world, template):
    with tenant_context(world.school_b):
        before = compose_notice(_notice(world.school_b), school=world.school_b)
    notice = _linked_b(world, template)
    with tenant_context(world.school_b):
        after = compose_notice(notice, school=world.school_b)
        history = System.history.filter(notice_id=notice.pk, history_change_reason__startswith="Linked")
        assert history.exists()
    for register in following.REGISTERS:
        labels = {getattr(i, register.label) for i in getattr(after, register.attr)}
        assert {getattr(i, register.label) for i in getattr(before, register.attr)} <= labels
    assert after.template.slug == "pupils"
    assert after.template.release == 1
    origins = {item.name: item.origin for item in after.systems}
    assert origins == {"MarkerA Records System": "trust", "MarkerB Records System": "school"}
    assert {r.how_to_exercise for r in after.rights} == {"Contact the MarkerB Data Lead."}


def test_a_school_can_follow_only_a_template_of_its_own_trust(world, template):
    with tenant_context(world.school_c), pytest.raises(FollowRefused, match="own trust"):
        following.link_notice(_notice(world.school_c), template, school=world.school_c, user=world.publisher_y)
    with tenant_context(world.school_c):
        assert Notice.objects.get(slug="pupils-and-parents").follows_id is None


# --- a release reaches the schools --------------------------------------------------


def test_a_release_reaches_every_following_school_as_unpublished_changes(world, template):
    notice_b = _linked_b(world, template)
    with tenant_context(world.school_b):
        publish_notice(notice_b, user=world.publisher_x, summary="Following the trust.")
    _edit_template(template, CATEGORIES, "Personal information", examples="name, address, date of birth")
    release_template(template, user=world.publisher_x, summary="Date of birth added.")
    with tenant_context(world.school_b):
        notice_b.refresh_from_db()
        change = pending_change(notice_b, school=world.school_b)
        status = following.follow_status(notice_b, current_version=change.latest)
        assert change.status == "live + unpublished changes"
        [categories] = [r for r in change.diff.registers if r.title == "The information we hold"]
        assert [c.label for c in categories.changed] == ["Personal information"]
        assert not (categories.added)
        assert not (categories.removed)
        assert (status.release, status.latest, status.behind) == (2, 2, 1)
        row = _row(CATEGORIES, notice_b, "Personal information")
        assert row.history.first().history_change_reason.startswith("Trust release 2")
    # School A never linked: untouched. School C is another trust's.
    with tenant_context(world.school_a):
        assert _row(CATEGORIES, _notice(world.school_a), "Personal information").examples == "name, address"


def test_hidden_items_are_absent_from_the_document_with_the_reason_only_in_the_history(world, template):
    notice = _linked_b(world, template)
    with tenant_context(world.school_b):
        row = _row(SYSTEMS, notice, "MarkerA Records System")
        following.hide_item(notice, SYSTEMS, row.pk, user=world.editor_b, reason="We do not use this system")
        document = compose_notice(notice, school=world.school_b)
        assert "MarkerA Records System" not in {s.name for s in document.systems}
        assert "We do not use this system" not in document.to_json()
        assert "We do not use this system" in row.history.first().history_change_reason
        with pytest.raises(FollowRefused, match="Say why"):
            following.hide_item(notice, SYSTEMS, row.pk, user=world.editor_b, reason="")


def test_hiding_a_required_item_fails_the_check_of_the_composed_school_document(world, template):
    from notices.checks import failures

    notice = _linked_b(world, template)
    with tenant_context(world.school_b):
        row = _row(SECTIONS, notice, "How to complain")
        following.hide_item(notice, SECTIONS, row.pk, user=world.editor_b, reason="Testing")
        assert 10 in {f.item for f in failures(compose_notice(notice, school=world.school_b))}


def test_a_replaced_item_the_trust_then_changes_is_a_conflict_that_blocks_publishing(world, template):
    notice = _linked_b(world, template)
    with tenant_context(world.school_b):
        row = _row(SYSTEMS, notice, "MarkerA Records System")
        following.replace_item(notice, SYSTEMS, row.pk, user=world.editor_b, values={"supplier": "Our own supplier"})
        assert not following.conflicts(notice)
    _edit_template(template, SYSTEMS, "MarkerA Records System", supplier="Trust Supplier Ltd")
    release_template(template, user=world.publisher_x, summary="New supplier.")
    with tenant_context(world.school_b):
        notice.refresh_from_db()
        [conflict] = following.conflicts(notice)
        assert (conflict.was.supplier, conflict.now.supplier, conflict.row.supplier) == (
            "MarkerA Ltd",
            "Trust Supplier Ltd",
            "Our own supplier",
        )
        with pytest.raises(HasConflicts, match="Resolve the conflicts"):
            publish_notice(notice, user=world.publisher_x, summary="Try.")
        following.resolve_conflict(notice, SYSTEMS, row.pk, user=world.editor_b, choice=following.KEEP_OURS)
        assert not following.conflicts(notice)
        assert _row(SYSTEMS, notice, "MarkerA Records System").supplier == "Our own supplier"


def test_taking_the_trusts_version_resolves_a_conflict_and_inherits_again(world, template):
    notice = _linked_b(world, template)
    with tenant_context(world.school_b):
        row = _row(SYSTEMS, notice, "MarkerA Records System")
        following.hide_item(notice, SYSTEMS, row.pk, user=world.editor_b, reason="Not ours")
    _edit_template(template, SYSTEMS, "MarkerA Records System", used_for="pupil records and timetables")
    release_template(template, user=world.publisher_x, summary="Wider use.")
    with tenant_context(world.school_b):
        notice.refresh_from_db()
        assert [c.row.pk for c in following.conflicts(notice)] == [row.pk]
        following.resolve_conflict(notice, SYSTEMS, row.pk, user=world.editor_b, choice=following.TAKE_TRUST)
        row.refresh_from_db()
        assert (row.state, row.used_for, row.based_on) == (ItemState.INHERITED, "pupil records and timetables", 2)
        assert not following.conflicts(notice)


def test_an_unchanged_trust_item_is_no_conflict_for_the_school_that_replaced_it(world, template):
    notice = _linked_b(world, template)
    with tenant_context(world.school_b):
        row = _row(SYSTEMS, notice, "MarkerA Records System")
        following.replace_item(notice, SYSTEMS, row.pk, user=world.editor_b, values={"supplier": "Ours"})
    _edit_template(template, CATEGORIES, "Personal information", examples="name")
    release_template(template, user=world.publisher_x, summary="Shorter examples.")
    with tenant_context(world.school_b):
        notice.refresh_from_db()
        assert following.conflicts(notice) == []


def test_a_replacement_of_an_item_the_trust_removed_is_a_conflict_and_keeping_it_makes_it_the_schools(world, template):
    notice = _linked_b(world, template)
    with tenant_context(world.school_b):
        row = _row(SYSTEMS, notice, "MarkerA Records System")
        following.replace_item(notice, SYSTEMS, row.pk, user=world.editor_b, values={"supplier": "Ours"})
    with workspace_context(template):
        System.objects.filter(notice_id=template.notice_id).delete()
    release_template(template, user=world.publisher_x, summary="No central system.")
    with tenant_context(world.school_b):
        notice.refresh_from_db()
        [conflict] = following.conflicts(notice)
        assert conflict.removed
        following.resolve_conflict(notice, SYSTEMS, row.pk, user=world.editor_b, choice=following.KEEP_OURS)
        row.refresh_from_db()
        assert (row.state, row.template_uid) == (ItemState.LOCAL, None)


def test_going_back_to_the_trusts_version_undoes_a_replacement(world, template):
    notice = _linked_b(world, template)
    with tenant_context(world.school_b):
        row = _row(RIGHTS, notice, "access")
        following.replace_item(notice, RIGHTS, row.pk, user=world.editor_b, values={"how_to_exercise": "Write to us."})
        following.restore_item(notice, RIGHTS, row.pk, user=world.editor_b)
        row.refresh_from_db()
        assert (row.state, row.how_to_exercise) == (ItemState.INHERITED, "Contact the {dpl_name}.")
        reasons = [h.history_change_reason for h in row.history.all()]
        assert "Back to the trust's version" in reasons
        assert any(r.startswith("Replaced") for r in reasons)


def test_a_school_cannot_act_on_its_own_items_as_trust_items(world, template):
    notice = _linked_b(world, template)
    with tenant_context(world.school_b):
        own = _row(SYSTEMS, notice, "MarkerB Records System")
        with pytest.raises(FollowRefused, match="does not come from the trust"):
            following.hide_item(notice, SYSTEMS, own.pk, user=world.editor_b, reason="x")


def test_revert_keeps_the_schools_hides_and_the_trusts_latest_wording(world, template):
    from notices.publishing import revert_notice

    notice = _linked_b(world, template)
    with tenant_context(world.school_b):
        version = publish_notice(notice, user=world.publisher_x, summary="Following the trust.")
        row = _row(SYSTEMS, notice, "MarkerA Records System")
        following.hide_item(notice, SYSTEMS, row.pk, user=world.editor_b, reason="Not ours")
    _edit_template(template, CATEGORIES, "Personal information", examples="name only")
    release_template(template, user=world.publisher_x, summary="Shorter.")
    with tenant_context(world.school_b):
        notice.refresh_from_db()
        revert_notice(notice, version, user=world.editor_b)
        document = compose_notice(notice, school=world.school_b)
        assert "MarkerA Records System" in {s.name for s in document.systems}  # the version had it
        assert {c.examples for c in document.categories if c.name == "Personal information"} == {"name only"}


# --- placeholders -------------------------------------------------------------------


def test_placeholders_are_filled_per_school_and_a_missing_detail_fails_the_check(world, template):
    from notices.checks import failures

    with workspace_context(template):
        System.objects.filter(notice_id=template.notice_id).update(used_for="records at {school_name}, {headteacher}")
    release_template(template, user=world.publisher_x, summary="Names the school.")
    notice = _linked_b(world, template)
    with tenant_context(world.school_b):
        document = compose_notice(notice, school=world.school_b)
        assert {s.used_for for s in document.systems if s.origin == "trust"} == {"records at School B, Head B"}
        school = world.school_b
        school.headteacher = ""
        try:
            problems = failures(compose_notice(notice, school=school))
        finally:
            school.headteacher = "Head B"
    assert any("{headteacher}" in p for f in problems for p in f.problems)


# --- the document and its export ------------------------------------------------------


def test_the_export_gives_every_item_its_origin_and_trust_items_their_template_uid(world, template):
    notice = _linked_b(world, template)
    with tenant_context(world.school_b):
        row = _row(RIGHTS, notice, "access")
        following.replace_item(notice, RIGHTS, row.pk, user=world.editor_b, values={"how_to_exercise": "Write."})
        exported = export_document(compose_notice(notice, school=world.school_b))
    with workspace_context(template):
        trust_uid = str(Right.objects.get(notice_id=template.notice_id, right="access").uid)
    assert exported["template"] == {"slug": "pupils", "title": "Pupils and parents", "release": 1}
    access = next(r for r in exported["rights"] if r["right"] == "access")
    assert (access["origin"], access["template_uid"]) == ("overridden", trust_uid)
    own = next(s for s in exported["systems"] if s["name"] == "MarkerB Records System")
    assert own["origin"] == "school"
    assert "template_uid" not in own
    assert {c["origin"] for c in exported["categories"]} == {"trust"}


def test_composing_costs_the_same_queries_however_many_items_the_template_has(
    world, template, django_assert_num_queries
):
    notice = _linked_b(world, template)
    with tenant_context(world.school_b):
        notice = Notice.objects.get(pk=notice.pk)
        with django_assert_num_queries(11):
            compose_notice(notice, school=world.school_b)
    with workspace_context(template):
        template_row = template_notice(template)
        for n in range(30):
            System.objects.create(notice=template_row, name=f"Trust system {n}", used_for="x", order=100 + n)
    release_template(template, user=world.publisher_x, summary="Thirty systems.")
    with tenant_context(world.school_b):
        notice = Notice.objects.get(pk=notice.pk)
        with django_assert_num_queries(11):
            document = compose_notice(notice, school=world.school_b)
    assert len(document.systems) == 32


def test_release_rows_cannot_be_rewritten_even_with_raw_sql(world, template):
    from django.db import connection

    from conftest import owner_cursor

    release = TemplateRelease.objects.get(template=template, number=1)
    with pytest.raises(Exception, match="permission denied|append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE tenants_templaterelease SET summary = 'x' WHERE id = %s", [release.pk])
    with owner_cursor() as cursor, pytest.raises(Exception, match="append-only"):
        cursor.execute("TRUNCATE tenants_templaterelease CASCADE")


def test_publishing_refuses_a_draft_with_an_unknown_placeholder_even_forced(world):
    with tenant_context(world.school_a):
        notice = _notice(world.school_a)
        System.objects.filter(notice=notice).update(used_for="records for {secret}")
        with pytest.raises(PublishRefused, match="not a school detail"):
            publish_notice(notice, user=world.publisher_x, summary="Try.", force=True)


# --- commands ---------------------------------------------------------------------------


def _call(*args):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_release_template_command_releases_and_refuses_bad_arguments(world, template):
    from django.core.management import CommandError

    _edit_template(template, CATEGORIES, "Personal information", examples="name")
    assert "release 2" in _call("release_template", "trust-x", "pupils", "--summary", "Shorter.")
    for args, message in (
        (("no-trust", "pupils", "--summary", "x"), "No trust"),
        (("trust-y", "pupils", "--summary", "x"), "has no template"),
        (("trust-x", "pupils", "--summary", " "), "Say what changed"),
        (("trust-x", "pupils", "--summary", "Again."), "Nothing to release"),
        (("trust-x", "pupils", "--summary", "x", "--user", "publisher-y@example.org"), "not a publisher"),
    ):
        with pytest.raises(CommandError, match=message):
            _call("release_template", *args)


def test_link_notice_command_prints_the_plan_and_changes_nothing_on_a_dry_run(world, template):
    from django.core.management import CommandError

    out = _call("link_notice", "school-b", "pupils-and-parents", "--template", "pupils", "--dry-run")
    assert "local: 1" in out
    assert "MarkerB Records System" in out
    assert "Would link" in out
    assert _notice(world.school_b).follows_id is None
    with pytest.raises(CommandError, match="has no template"):
        _call("link_notice", "school-c", "pupils-and-parents", "--template", "pupils")
    with pytest.raises(CommandError, match="has no notice"):
        _call("link_notice", "school-b", "nope", "--template", "pupils")
    assert "Linked" in _call("link_notice", "school-b", "pupils-and-parents", "--template", "pupils")
    assert _notice(world.school_b).follows_id == template.pk


def test_template_status_command_prints_each_school_of_the_trust_only(world, template):
    from django.core.management import CommandError

    _linked_b(world, template)
    lines = _call("template_status", "trust-x").splitlines()
    assert lines[0].startswith("school\tnotice\ttemplate")
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert set(rows) == {"school-a", "school-b"}
    assert rows["school-b"][2:6] == ["pupils", "1", "1", "1"]
    assert rows["school-a"][2] == "-"
    with pytest.raises(CommandError, match="No trust"):
        _call("template_status", "nope")


def test_a_failing_command_exits_non_zero_with_one_line(world):
    from conftest import run_manage

    result = run_manage("release_template", "no-such-trust", "x", "--summary", "y")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["CommandError: No trust with slug 'no-such-trust'."]


# --- isolation -----------------------------------------------------------------------


def test_a_publisher_of_another_trust_cannot_release_this_trusts_template(world, template):
    _edit_template(template, CATEGORIES, "Personal information", examples="name")
    with pytest.raises(ReleaseRefused, match="Only publishers of Xavier Trust"):
        release_template(template, user=world.publisher_y, summary="Not mine.")
    with pytest.raises(ReleaseRefused, match="Only publishers"):
        release_template(template, user=world.editor_a, summary="A DPL cannot release.")
    assert template.releases.count() == 1


def test_a_dpl_of_school_b_cannot_change_school_as_overrides(world, template):
    with tenant_context(world.school_a):
        notice_a = _notice(world.school_a)
        following.link_notice(notice_a, template, school=world.school_a, user=world.editor_a)
        row = _row(SYSTEMS, notice_a, "MarkerA Records System")
        with pytest.raises(FollowRefused, match="no role at this school"):
            following.hide_item(notice_a, SYSTEMS, row.pk, user=world.editor_b, reason="Not theirs")
        row.refresh_from_db()
        assert row.state == ItemState.INHERITED


def test_each_trust_has_its_own_workspace_and_one_trusts_templates_are_not_in_anothers(world, template):
    from notices.compose import compose_template
    from notices.releasing import create_template
    from tenants.models import Workspace

    with workspace_context(template):
        document = compose_template(template_notice(template), trust=world.trust_x)
    other = create_template(world.trust_y, document=document, slug="copied", title="Copied", user=world.publisher_y)
    assert Workspace(world.trust_x).schema_name != Workspace(world.trust_y).schema_name
    # Trust Y's workspace may hold other templates of Y (the browser tests commit one): X's is never among them.
    with workspace_context(other):
        in_y = set(Notice.objects.values_list("slug", flat=True))
    assert "copied" in in_y
    assert template.slug not in in_y
    with workspace_context(template):
        assert "copied" not in set(Notice.objects.values_list("slug", flat=True))


def test_a_one_item_release_writes_only_that_item_in_each_following_school(world, template):
    from notices.registers import REGISTERS

    notice = _linked_b(world, template)
    _edit_template(template, SYSTEMS, "MarkerA Records System", used_for="records and the timetable")
    with tenant_context(world.school_b):
        before = {r.attr: r.model.history.filter(notice_id=notice.pk).count() for r in REGISTERS}
    release_template(template, user=world.publisher_x, summary="Timetables too.")
    with tenant_context(world.school_b):
        after = {r.attr: r.model.history.filter(notice_id=notice.pk).count() for r in REGISTERS}
        row = _row(SYSTEMS, notice, "MarkerA Records System")
        untouched = _row(CATEGORIES, notice, CATEGORIES.model.objects.filter(notice=notice).first().name)
    assert {attr: after[attr] - before[attr] for attr in after} == {r.attr: int(r is SYSTEMS) for r in REGISTERS}
    assert (row.used_for, row.based_on) == ("records and the timetable", 2)
    assert untouched.based_on == 1  # the release the trust last changed it in


def test_linking_keeps_each_schools_own_item_right_after_the_trust_item_it_followed(world, template):
    with tenant_context(world.school_b):
        notice = Notice.objects.get(slug="pupils-and-parents")
        after = Section.objects.get(notice=notice, heading="Where we get information from")
        Section.objects.create(
            notice=notice, order=after.order, heading="Our breakfast club", kind="other", body="We run one."
        )
    notice = _linked_b(world, template)
    with tenant_context(world.school_b):
        headings = [s.heading for s in compose_notice(notice, school=world.school_b).sections]
    place = headings.index("Where we get information from")
    assert headings[place + 1] == "Our breakfast club"
    assert headings.count("Our breakfast club") == 1
