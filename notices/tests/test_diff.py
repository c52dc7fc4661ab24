"""What changed between two notice documents: word runs, register items by uid, and notice details."""

import dataclasses

from notices import document as doc
from notices.diff import FieldChange, WordRun, diff_documents, word_diff
from notices.registers import REGISTERS

replace = dataclasses.replace


def _basis(uid, title, article6="e"):
    return doc.Basis(
        uid=uid,
        title=title,
        article6=article6,
        article6_label=f"Article 6(1)({article6})",
        article9="",
        article9_label="",
        special_categories=(),
        legislation="Education Act 1996",
        explanation="We need it.",
        legitimate_interest="",
    )


BASE = doc.NoticeDocument(
    schema=doc.SCHEMA_VERSION,
    title="Privacy notice for pupils and parents",
    slug="pupils-and-parents",
    audience="pupils_parents",
    audience_label="Pupils and parents",
    summary="We hold information about pupils to teach them and keep them safe.",
    review_by="2027-09-01",
    contact=doc.Contact(name="Dana Lead", role="Data Protection Lead", email="dpl@school.example.org", phone=""),
    controller=doc.Controller(
        name="Xavier Trust",
        address="1 Xavier Road",
        ico_registration="ZZ900001",
        dpo_name="Xavier DPO",
        dpo_email="dpo@trust-x.example.org",
        complaints_contact="Email complaints@trust-x.example.org.",
    ),
    school=doc.SchoolInfo(
        name="School A",
        slug="school-a",
        urn="990001",
        address="A Lane",
        headteacher="Head A",
        contact_email="office@school-a.example.org",
    ),
    categories=(
        doc.Category(uid="c1", name="Personal information", examples="name, address", special=False, source=""),
    ),
    bases=(_basis("b-task", "Running the school"), _basis("b-law", "Census returns to the DfE", "c")),
    purposes=(
        doc.Purpose(uid="p1", name="To support pupil learning", detail="", bases=("b-task",)),
        doc.Purpose(uid="p2", name="To meet the census duty", detail="", bases=("b-law",)),
    ),
    systems=(
        doc.System(
            uid="s1",
            name="Records System",
            used_for="pupil records",
            supplier="MIS Ltd",
            outside_uk=False,
            safeguard="",
        ),
    ),
    retention=(doc.Retention(uid="r1", record_type="Pupil record", period="Until the pupil is 25"),),
    recipients=(
        doc.Recipient(
            uid="rec1",
            name="The Department for Education",
            reason="census returns",
            sharing="statutory",
            sharing_label="Required by law",
            legal_basis="regulation 5",
            outside_uk=False,
            safeguard="",
        ),
        doc.Recipient(
            uid="rec2",
            name="The local authority",
            reason="admissions",
            sharing="routine",
            sharing_label="Routinely",
            legal_basis="",
            outside_uk=False,
            safeguard="",
        ),
    ),
    rights=(doc.Right(uid="right1", right="access", label="Right of access", how_to_exercise="Email us."),),
    sections=(
        doc.Section(
            uid="sec1",
            heading="Collecting information",
            kind="collecting",
            placement="after_purposes",
            body="Most information is required by law; we tell you when it is optional.",
        ),
    ),
)


def register(result, attr):
    titles = {r.attr: r.heading for r in REGISTERS}
    (found,) = [r for r in result.registers if r.title == titles[attr]]
    return found


def ops(words):
    return [(run.op, run.text) for run in words]


def with_section_body(document, body):
    return replace(document, sections=(replace(document.sections[0], body=body),))


# --- word_diff ---------------------------------------------------------------


def test_word_diff_marks_an_inserted_word():
    assert ops(word_diff("we keep records", "we keep paper records")) == [
        ("equal", "we keep"),
        ("insert", "paper"),
        ("equal", "records"),
    ]


def test_word_diff_marks_a_deleted_word():
    assert ops(word_diff("we keep paper records", "we keep records")) == [
        ("equal", "we keep"),
        ("delete", "paper"),
        ("equal", "records"),
    ]


def test_word_diff_shows_a_replaced_word_as_deleted_then_inserted():
    assert ops(word_diff("kept until 25", "kept until 30")) == [
        ("equal", "kept until"),
        ("delete", "25"),
        ("insert", "30"),
    ]


def test_word_diff_from_and_to_empty_text():
    assert ops(word_diff("", "new words")) == [("insert", "new words")]
    assert ops(word_diff("old words", "")) == [("delete", "old words")]


def test_word_diff_ignores_how_words_are_spaced():
    assert ops(word_diff("a b  c", "a\nb c ")) == [("equal", "a b c")]


def test_word_diff_collapses_a_long_unchanged_run_into_a_skip():
    words = [f"w{i}" for i in range(40)]
    runs = word_diff(" ".join(words), " ".join([*words, "added"]))
    assert ops(runs) == [
        ("equal", " ".join(words[:8])),
        ("skip", "24 unchanged words"),
        ("equal", " ".join(words[-8:])),
        ("insert", "added"),
    ]


def test_word_diff_collapses_unchanged_words_between_two_changes():
    middle = " ".join(f"m{i}" for i in range(20))
    runs = word_diff(f"old {middle} old", f"new {middle} new")
    assert [run.op for run in runs] == ["delete", "insert", "equal", "skip", "equal", "delete", "insert"]
    assert runs[3] == WordRun("skip", "4 unchanged words")


def test_word_diff_keeps_an_unchanged_run_of_sixteen_words_whole():
    middle = " ".join(f"m{i}" for i in range(16))
    runs = word_diff(f"old {middle}", f"new {middle}")
    assert ops(runs) == [("delete", "old"), ("insert", "new"), ("equal", middle)]


# --- diff_documents: identical -----------------------------------------------


def test_identical_documents_have_no_changes():
    result = diff_documents(BASE, replace(BASE))
    assert not result.has_changes
    assert result.details == []
    assert [r.title for r in result.registers] == [r.heading for r in REGISTERS]
    for reg in result.registers:
        assert not reg.has_changes
        assert (reg.added, reg.removed, reg.changed) == ([], [], [])
    assert register(result, "recipients").unchanged == 2
    assert register(result, "purposes").unchanged == 2


def test_document_and_its_json_round_trip_have_no_changes():
    assert not diff_documents(BASE, doc.NoticeDocument.from_json(BASE.to_json())).has_changes


# --- diff_documents: register items ------------------------------------------


def test_added_register_item_is_reported_by_its_label():
    new_system = doc.System(
        uid="s2", name="Library Catalogue", used_for="lending", supplier="", outside_uk=False, safeguard=""
    )
    result = diff_documents(BASE, replace(BASE, systems=(*BASE.systems, new_system)))
    systems = register(result, "systems")
    assert result.has_changes
    assert systems.added == ["Library Catalogue"]
    assert systems.removed == []
    assert systems.changed == []
    assert systems.unchanged == 1
    assert [r.title for r in result.registers if r.has_changes] == ["Where we store it"]


def test_removed_register_item_is_reported_by_its_label():
    result = diff_documents(BASE, replace(BASE, recipients=BASE.recipients[:1]))
    recipients = register(result, "recipients")
    assert recipients.removed == ["The local authority"]
    assert recipients.added == []
    assert recipients.changed == []
    assert recipients.unchanged == 1


def test_items_are_matched_by_uid_not_by_content():
    same_content_new_uid = replace(BASE.retention[0], uid="r-new")
    result = diff_documents(BASE, replace(BASE, retention=(same_content_new_uid,)))
    retention = register(result, "retention")
    assert retention.added == ["Pupil record"]
    assert retention.removed == ["Pupil record"]
    assert retention.changed == []


def test_renamed_item_with_the_same_uid_is_changed_not_added_and_removed():
    renamed = replace(BASE.systems[0], name="Pupil Records System")
    result = diff_documents(BASE, replace(BASE, systems=(renamed,)))
    systems = register(result, "systems")
    assert systems.added == []
    assert systems.removed == []
    (change,) = systems.changed
    assert change.label == "Pupil Records System"
    assert change.fields == (FieldChange("System", (WordRun("insert", "Pupil"), WordRun("equal", "Records System"))),)


def test_changed_item_lists_only_the_changed_fields_with_word_runs():
    longer = replace(BASE.retention[0], period="Until the pupil is 30")
    (change,) = register(diff_documents(BASE, replace(BASE, retention=(longer,))), "retention").changed
    assert change.label == "Pupil record"
    assert [f.name for f in change.fields] == ["How long we keep them"]
    assert ops(change.fields[0].words) == [("equal", "Until the pupil is"), ("delete", "25"), ("insert", "30")]


def test_changed_flag_and_underscored_field_names_read_as_words():
    abroad = replace(BASE.recipients[0], outside_uk=True, safeguard="Adequacy regulations")
    (change,) = register(
        diff_documents(BASE, replace(BASE, recipients=(abroad, BASE.recipients[1]))), "recipients"
    ).changed
    fields = {f.name: ops(f.words) for f in change.fields}
    assert fields == {
        "Data leaves the UK": [("delete", "no"), ("insert", "yes")],
        "Safeguard": [("insert", "Adequacy regulations")],
    }


def test_purpose_basis_change_is_shown_by_basis_title_not_uid():
    moved = replace(BASE.purposes[0], bases=("b-law",))
    result = diff_documents(BASE, replace(BASE, purposes=(moved, BASE.purposes[1])))
    purposes = register(result, "purposes")
    (change,) = purposes.changed
    assert change.label == "To support pupil learning"
    (field,) = change.fields
    assert field.name == "Lawful bases"
    assert ops(field.words) == [
        ("delete", "Running"),
        ("insert", "Census returns to"),
        ("equal", "the"),
        ("delete", "school"),
        ("insert", "DfE"),
    ]
    assert not any(uid in run.text for run in field.words for uid in ("b-task", "b-law"))
    assert purposes.unchanged == 1
    assert not register(result, "bases").has_changes


def test_purpose_gaining_a_second_basis_shows_the_added_title():
    both = replace(BASE.purposes[0], bases=("b-task", "b-law"))
    (change,) = register(diff_documents(BASE, replace(BASE, purposes=(both, BASE.purposes[1]))), "purposes").changed
    assert ops(change.fields[0].words) == [
        ("equal", "Running the"),
        ("delete", "school"),
        ("insert", "school; Census returns to the DfE"),
    ]
    assert not any("b-law" in run.text for run in change.fields[0].words)


def test_retitled_basis_shows_in_bases_and_in_the_purposes_that_use_it():
    retitled = replace(BASE.bases[0], title="Educating pupils")
    result = diff_documents(BASE, replace(BASE, bases=(retitled, BASE.bases[1])))
    (basis_change,) = register(result, "bases").changed
    assert basis_change.fields[0].name == "Name"
    (purpose_change,) = register(result, "purposes").changed
    assert purpose_change.label == "To support pupil learning"
    assert ops(purpose_change.fields[0].words) == [("delete", "Running the school"), ("insert", "Educating pupils")]


# --- diff_documents: section bodies as plain text ------------------------------


def test_markdown_formatting_only_change_in_a_section_body_is_no_change():
    bolder = with_section_body(BASE, "Most information is **required by law**; we tell you when it is *optional*.")
    result = diff_documents(BASE, bolder)
    assert not result.has_changes
    assert register(result, "sections").unchanged == 1


def test_section_body_word_change_is_compared_as_plain_text():
    reworded = with_section_body(BASE, "Most information is **required by statute**; we tell you when it is optional.")
    (change,) = register(diff_documents(BASE, reworded), "sections").changed
    assert change.label == "Collecting information"
    (field,) = change.fields
    assert field.name == "Text"
    assert ("delete", "law;") in ops(field.words)
    assert ("insert", "statute;") in ops(field.words)
    assert not any("*" in run.text or "<" in run.text for run in field.words)


def test_section_heading_change_is_a_field_change():
    renamed = replace(BASE, sections=(replace(BASE.sections[0], heading="Must you give us information?"),))
    (change,) = register(diff_documents(BASE, renamed), "sections").changed
    assert [f.name for f in change.fields] == ["Heading"]
    assert change.label == "Must you give us information?"


def test_section_body_diff_shows_an_ampersand_as_the_reader_sees_it():
    before = with_section_body(BASE, "Pupils aged 13 & over.")
    after = with_section_body(BASE, "Pupils aged 13 and over.")
    (change,) = register(diff_documents(before, after), "sections").changed
    assert ops(change.fields[0].words) == [
        ("equal", "Pupils aged 13"),
        ("delete", "&"),
        ("insert", "and"),
        ("equal", "over."),
    ]


def test_rewrapping_a_section_body_paragraph_is_no_change():
    rewrapped = with_section_body(BASE, "Most information is required by law;\nwe tell you when it is optional.")
    result = diff_documents(BASE, rewrapped)
    assert not result.has_changes


# --- diff_documents: notice details --------------------------------------------


def test_title_and_summary_changes_are_notice_details():
    changed = replace(
        BASE,
        title="Privacy notice for parents",
        summary="We hold information about pupils to teach them, keep them safe and plan trips.",
    )
    result = diff_documents(BASE, changed)
    assert result.has_changes
    assert not any(r.has_changes for r in result.registers)
    details = {d.name: ops(d.words) for d in result.details}
    assert list(details) == ["title", "summary"]
    assert details["title"] == [("equal", "Privacy notice for"), ("delete", "pupils and"), ("equal", "parents")]
    assert details["summary"] == [
        ("equal", "We hold information about pupils to teach"),
        ("delete", "them and"),
        ("insert", "them,"),
        ("equal", "keep them"),
        ("delete", "safe."),
        ("insert", "safe and plan trips."),
    ]


def test_review_date_contact_and_controller_changes_are_notice_details():
    changed = replace(
        BASE,
        review_by="2028-09-01",
        contact=replace(BASE.contact, name="Sam Lead"),
        controller=replace(BASE.controller, dpo_email="new-dpo@trust-x.example.org"),
    )
    details = {d.name: ops(d.words) for d in diff_documents(BASE, changed).details}
    assert details == {
        "review by": [("delete", "2027-09-01"), ("insert", "2028-09-01")],
        "who to ask: name": [("delete", "Dana"), ("insert", "Sam"), ("equal", "Lead")],
        "data controller: data protection officer's email": [
            ("delete", "dpo@trust-x.example.org"),
            ("insert", "new-dpo@trust-x.example.org"),
        ],
    }


def test_word_diff_keeps_a_run_whole_when_collapsing_would_save_almost_nothing():
    middle = " ".join(f"m{i}" for i in range(19))
    runs = word_diff(f"old {middle}", f"new {middle}")
    assert ops(runs) == [("delete", "old"), ("insert", "new"), ("equal", middle)]


def test_reordered_rows_are_reported_as_moved_not_as_no_change():
    swapped = replace(BASE, recipients=BASE.recipients[::-1])
    result = diff_documents(BASE, swapped)
    recipients = register(result, "recipients")
    assert result.has_changes
    assert recipients.moved == ["The Department for Education"] or recipients.moved == ["The local authority"]
    assert recipients.changed == []
    assert recipients.added == []
    assert recipients.removed == []


def test_a_section_given_another_placement_is_moved():
    moved = replace(BASE.sections[0], placement="end")
    sections = register(diff_documents(BASE, replace(BASE, sections=(moved,))), "sections")
    assert sections.moved == ["Collecting information"]
    assert sections.changed == []


def test_whitespace_only_edits_are_no_change_anywhere():
    spaced = replace(
        BASE,
        summary="We  hold information about pupils\nto teach them and keep them safe. ",
        systems=(replace(BASE.systems[0], used_for=" pupil   records"),),
    )
    assert not diff_documents(BASE, spaced).has_changes


def test_sharing_change_shows_the_reader_facing_words_once_never_the_code():
    changed = replace(BASE.recipients[0], sharing="routine", sharing_label="Routinely")
    result = diff_documents(BASE, replace(BASE, recipients=(changed, BASE.recipients[1])))
    (change,) = register(result, "recipients").changed
    assert [f.name for f in change.fields] == ["When we share"]
    words = " ".join(run.text for run in change.fields[0].words)
    assert "statutory" not in words
    assert "routine" not in words
    assert "Required by law" in words
    assert "Routinely" in words


def test_field_names_in_every_register_are_reader_facing_never_internal_codes():
    for reg in REGISTERS:
        for name, label in reg.reader_fields.items():
            assert "_" not in label, (reg.attr, name)
            assert label[0].isupper(), (reg.attr, name)
