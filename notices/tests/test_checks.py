"""The completeness check: each of the 13 ICO checklist items passes on a complete notice, fails on a
notice missing that item, and its message says what is missing and where to add it."""

import dataclasses

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from notices import document as doc
from notices.checks import RULES, check_document, failures
from notices.compose import compose_notice
from notices.models import Notice

replace = dataclasses.replace


def _right(kind):
    return doc.Right(uid=f"r-{kind}", right=kind, label=kind, how_to_exercise="Email the Data Lead.")


def _section(kind, heading, body="Some text.", placement="after_rights"):
    return doc.Section(uid=f"s-{kind}", heading=heading, kind=kind, placement=placement, body=body)


CORE_RIGHTS = ("access", "rectification", "erasure", "restriction", "objection")

COMPLETE = doc.NoticeDocument(
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
        address="1 Xavier Road\nTown",
        ico_registration="ZZ900001",
        dpo_name="Xavier DPO",
        dpo_email="dpo@trust-x.example.org",
        complaints_contact="Email complaints@trust-x.example.org; we acknowledge within 30 days.",
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
        doc.Category(uid="c-personal", name="Personal information", examples="name", special=False, source=""),
        doc.Category(uid="c-medical", name="Medical information", examples="allergies", special=True, source=""),
    ),
    bases=(
        doc.Basis(
            uid="b-task",
            title="Running the school",
            article6="e",
            article6_label="Article 6(1)(e): public task",
            article9="",
            article9_label="",
            special_categories=(),
            legislation="Education Act 1996",
            explanation="We need it to educate pupils.",
            legitimate_interest="",
        ),
        doc.Basis(
            uid="b-health",
            title="Keeping pupils healthy",
            article6="c",
            article6_label="Article 6(1)(c): legal obligation",
            article9="g",
            article9_label="Article 9(2)(g): substantial public interest",
            special_categories=("c-medical",),
            legislation="Children and Families Act 2014",
            explanation="Supporting pupils with medical needs.",
            legitimate_interest="",
        ),
    ),
    purposes=(
        doc.Purpose(uid="p-learning", name="To support pupil learning", detail="", bases=("b-task",)),
        doc.Purpose(uid="p-health", name="To look after pupils' health", detail="", bases=("b-health",)),
    ),
    systems=(
        doc.System(
            uid="sys-mis",
            name="Records System",
            used_for="pupil records",
            supplier="MIS Ltd",
            outside_uk=False,
            safeguard="",
        ),
    ),
    retention=(doc.Retention(uid="ret-pupil", record_type="Pupil record", period="Until the pupil is 25"),),
    recipients=(
        doc.Recipient(
            uid="rec-dfe",
            name="The Department for Education",
            reason="census returns",
            sharing="statutory",
            sharing_label="Required by law",
            legal_basis="regulation 5 of the 2013 Regulations",
            outside_uk=False,
            safeguard="",
        ),
    ),
    rights=tuple(_right(kind) for kind in (*CORE_RIGHTS, "complain_ico")),
    sections=(
        _section("collecting", "Collecting information", placement="after_purposes"),
        _section("sources", "Where we get information from", placement="after_purposes"),
        _section("automated_decisions", "Automated decisions"),
        _section("complaints", "How to complain", body="We acknowledge complaints within 30 days."),
    ),
)


def finding(document, item):
    found = check_document(document)[item - 1]
    assert found.item == item
    return found


def assert_passes(document, item):
    found = finding(document, item)
    assert found.passed, found.message
    assert found.problems == ()
    assert found.message == "Done."


def assert_fails(document, item, *phrases):
    """Item `item` fails and its message contains every phrase (what is missing and where to add it)."""
    found = finding(document, item)
    assert not found.passed
    assert found.problems
    for phrase in phrases:
        assert phrase in found.message, f"{phrase!r} not in {found.message!r}"
    return found


def with_basis(document, **fields):
    """The complete document plus one extra basis (uid b-extra) used by one extra purpose."""
    basis = replace(document.bases[0], uid="b-extra", title="Extra basis", **fields)
    purpose = doc.Purpose(uid="p-extra", name="Extra purpose", detail="", bases=("b-extra",))
    return replace(document, bases=(*document.bases, basis), purposes=(*document.purposes, purpose))


def with_rights(document, *kinds):
    return replace(document, rights=(*document.rights, *(_right(k) for k in kinds)))


def without_rights(document, *kinds):
    return replace(document, rights=tuple(r for r in document.rights if r.right not in kinds))


def without_section(document, kind):
    return replace(document, sections=tuple(s for s in document.sections if s.kind != kind))


# --- the whole check -------------------------------------------------------


def test_check_document_returns_the_thirteen_checklist_findings_then_school_details():
    findings = check_document(COMPLETE)
    assert [f.item for f in findings] == list(range(1, 15))
    assert len(RULES) == 14
    assert all(f.title for f in findings)


def test_complete_document_passes_every_item_and_has_no_failures():
    assert [f.item for f in check_document(COMPLETE) if not f.passed] == []
    assert failures(COMPLETE) == []


def test_an_empty_document_fails_every_item_except_those_that_only_apply_conditionally():
    empty = replace(
        COMPLETE,
        contact=doc.Contact(name="", role="", email="", phone=""),
        controller=doc.Controller(
            name="", address="", ico_registration="", dpo_name="", dpo_email="", complaints_contact=""
        ),
        categories=(),
        bases=(),
        purposes=(),
        systems=(),
        retention=(),
        recipients=(),
        rights=(),
        sections=(),
    )
    # 4 (legitimate interests), 6 (transfers) and 9 (withdraw consent) only apply when something triggers them.
    assert [f.item for f in failures(empty)] == [1, 2, 3, 5, 7, 8, 10, 11, 12, 13]


@pytest.mark.django_db
@pytest.mark.parametrize("school", ["school_a", "school_b", "school_c"])
def test_world_complete_notice_passes_every_checklist_item(world, school):
    school = getattr(world, school)
    with tenant_context(school):
        document = compose_notice(Notice.objects.get(slug="pupils-and-parents"), school=school)
    connection.set_schema_to_public()
    findings = check_document(document)
    assert [f.item for f in findings] == list(range(1, 15))
    assert [(f.item, f.message) for f in findings if not f.passed] == []


# --- 1. controller identity and contact -------------------------------------


def test_controller_with_name_address_and_contact_passes_item_1():
    assert_passes(COMPLETE, 1)


@pytest.mark.parametrize("field", ["name", "address"])
def test_controller_without_name_or_address_fails_item_1_pointing_to_trust_record(field):
    document = replace(COMPLETE, controller=replace(COMPLETE.controller, **{field: "  "}))
    assert_fails(document, 1, "controller's name and address", "the trust's record")


@pytest.mark.parametrize("field", ["name", "email"])
def test_notice_without_contact_name_or_email_fails_item_1_pointing_to_the_notice(field):
    document = replace(COMPLETE, contact=replace(COMPLETE.contact, **{field: ""}))
    found = assert_fails(document, 1, "who to ask", "contact email", "on the notice")
    assert "trust's record" not in found.message


# --- 2. DPO ------------------------------------------------------------------


def test_dpo_name_and_email_pass_item_2():
    assert_passes(COMPLETE, 2)


@pytest.mark.parametrize("field", ["dpo_name", "dpo_email"])
def test_missing_dpo_name_or_email_fails_item_2_pointing_to_trust_record(field):
    document = replace(COMPLETE, controller=replace(COMPLETE.controller, **{field: ""}))
    assert_fails(document, 2, "Data Protection Officer", "name and email", "the trust's record")


# --- 3. purposes and bases ---------------------------------------------------


def test_every_purpose_with_a_basis_and_special_category_covered_passes_item_3():
    assert_passes(COMPLETE, 3)


def test_no_purposes_fails_item_3():
    assert_fails(replace(COMPLETE, purposes=()), 3, "what the data is used for", "under Purposes")


def test_purpose_with_no_basis_fails_item_3_naming_the_purpose():
    purposes = (replace(COMPLETE.purposes[0], bases=()), COMPLETE.purposes[1])
    found = assert_fails(
        replace(COMPLETE, purposes=purposes), 3, "'To support pupil learning'", "no lawful basis", "under Purposes"
    )
    assert "look after" not in found.message


def test_purpose_whose_basis_uid_is_unknown_fails_item_3():
    purposes = (replace(COMPLETE.purposes[0], bases=("no-such-basis",)), COMPLETE.purposes[1])
    assert_fails(replace(COMPLETE, purposes=purposes), 3, "'To support pupil learning'", "no lawful basis")


def test_special_category_not_covered_by_any_article_9_condition_fails_item_3():
    bases = (COMPLETE.bases[0], replace(COMPLETE.bases[1], special_categories=()))
    assert_fails(
        replace(COMPLETE, bases=bases),
        3,
        "'Medical information' is special category data",
        "Article 9 condition",
        "under Lawful bases",
    )


def test_special_category_listed_on_a_basis_without_article_9_condition_fails_item_3():
    bases = (COMPLETE.bases[0], replace(COMPLETE.bases[1], article9="", article9_label=""))
    assert_fails(replace(COMPLETE, bases=bases), 3, "'Medical information'", "Article 9", "Lawful bases")


def test_ordinary_category_needs_no_article_9_condition_for_item_3():
    categories = (COMPLETE.categories[0], replace(COMPLETE.categories[1], special=False))
    bases = (COMPLETE.bases[0], replace(COMPLETE.bases[1], article9="", special_categories=()))
    assert_passes(replace(COMPLETE, categories=categories, bases=bases), 3)


# --- 4. legitimate interests -------------------------------------------------


def test_legitimate_interests_basis_stating_the_interest_passes_item_4():
    assert_passes(with_basis(COMPLETE, article6="f", legitimate_interest="Keeping alumni in touch."), 4)


def test_legitimate_interests_basis_without_the_interest_fails_item_4():
    assert_fails(
        with_basis(COMPLETE, article6="f", legitimate_interest="   "),
        4,
        "'Extra basis'",
        "legitimate interests",
        "state the interest",
        "under Lawful bases",
    )


def test_non_f_basis_without_legitimate_interest_passes_item_4():
    assert all(b.legitimate_interest == "" and b.article6 != "f" for b in COMPLETE.bases)
    assert_passes(COMPLETE, 4)


# --- 5. recipients -----------------------------------------------------------


def test_recipients_listed_pass_item_5():
    assert_passes(COMPLETE, 5)


def test_no_recipients_fails_item_5():
    assert_fails(replace(COMPLETE, recipients=()), 5, "who you share data with", "under Recipients")


# --- 6. transfers ------------------------------------------------------------


def test_nothing_outside_the_uk_passes_item_6():
    assert not any(s.outside_uk for s in COMPLETE.systems)
    assert not any(r.outside_uk for r in COMPLETE.recipients)
    assert_passes(COMPLETE, 6)


def test_outside_uk_system_without_safeguard_fails_item_6_pointing_to_systems():
    systems = (replace(COMPLETE.systems[0], outside_uk=True, safeguard=" "),)
    found = assert_fails(
        replace(COMPLETE, systems=systems),
        6,
        "'Records System'",
        "outside the UK",
        "without a safeguard",
        "under Systems",
    )
    assert "Recipients" not in found.message


def test_outside_uk_recipient_without_safeguard_fails_item_6_pointing_to_recipients():
    recipients = (replace(COMPLETE.recipients[0], outside_uk=True, safeguard=""),)
    found = assert_fails(
        replace(COMPLETE, recipients=recipients),
        6,
        "'The Department for Education'",
        "outside the UK",
        "safeguard",
        "under Recipients",
    )
    assert "Systems" not in found.message


def test_outside_uk_system_and_recipient_with_safeguards_pass_item_6():
    document = replace(
        COMPLETE,
        systems=(replace(COMPLETE.systems[0], outside_uk=True, safeguard="UK IDTA"),),
        recipients=(replace(COMPLETE.recipients[0], outside_uk=True, safeguard="Adequacy regulations"),),
    )
    assert_passes(document, 6)


def test_safeguard_on_a_uk_only_system_is_not_needed_for_item_6():
    systems = (replace(COMPLETE.systems[0], outside_uk=False, safeguard=""),)
    assert_passes(replace(COMPLETE, systems=systems), 6)


# --- 7. retention ------------------------------------------------------------


def test_retention_rule_with_period_passes_item_7():
    assert_passes(COMPLETE, 7)


def test_no_retention_rules_fails_item_7():
    assert_fails(replace(COMPLETE, retention=()), 7, "how long data is kept", "under Retention rules")


def test_retention_rule_without_period_fails_item_7_naming_the_record():
    retention = (replace(COMPLETE.retention[0], period="  "),)
    assert_fails(
        replace(COMPLETE, retention=retention), 7, "'Pupil record'", "no period or criteria", "under Retention rules"
    )


# --- 8. rights ---------------------------------------------------------------


def test_core_rights_pass_item_8_when_no_basis_is_consent_or_contract():
    assert {b.article6 for b in COMPLETE.bases} == {"c", "e"}
    assert "portability" not in {r.right for r in COMPLETE.rights}
    assert_passes(COMPLETE, 8)


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("access", "right of access"),
        ("rectification", "rectification"),
        ("erasure", "erasure"),
        ("restriction", "restriction"),
        ("objection", "objection"),
    ],
)
def test_missing_core_right_fails_item_8_naming_the_right(kind, label):
    found = assert_fails(without_rights(COMPLETE, kind), 8, label, "under Rights")
    assert len(found.problems) == 1


@pytest.mark.parametrize("article6", ["a", "b"])
def test_consent_or_contract_basis_without_portability_fails_item_8(article6):
    document = with_rights(with_basis(COMPLETE, article6=article6), "withdraw_consent")
    assert_fails(document, 8, "(portability)", "under Rights")


@pytest.mark.parametrize("article6", ["a", "b"])
def test_consent_or_contract_basis_with_portability_passes_item_8(article6):
    document = with_rights(with_basis(COMPLETE, article6=article6), "portability", "withdraw_consent")
    assert_passes(document, 8)


@pytest.mark.parametrize("article6", ["c", "d", "e", "f"])
def test_portability_not_required_for_other_bases_item_8(article6):
    assert_passes(with_basis(COMPLETE, article6=article6, legitimate_interest="An interest."), 8)


def test_explicit_consent_article_9_alone_does_not_require_portability_item_8():
    assert_passes(with_rights(with_basis(COMPLETE, article9="a"), "withdraw_consent"), 8)


# --- 9. withdraw consent -----------------------------------------------------


def test_no_consent_basis_passes_item_9_without_withdrawal_right():
    assert_passes(COMPLETE, 9)


def test_consent_basis_without_withdrawal_right_fails_item_9():
    assert_fails(with_basis(COMPLETE, article6="a"), 9, "consent", "withdraw consent", "under Rights")


def test_article_9_explicit_consent_without_withdrawal_right_fails_item_9():
    document = with_basis(COMPLETE, article6="e", article9="a", special_categories=("c-medical",))
    assert_fails(document, 9, "withdraw consent", "under Rights")


@pytest.mark.parametrize(("article6", "article9"), [("a", ""), ("e", "a")])
def test_consent_basis_with_withdrawal_right_passes_item_9(article6, article9):
    document = with_rights(with_basis(COMPLETE, article6=article6, article9=article9), "withdraw_consent")
    assert_passes(document, 9)


# --- 10. complaints ----------------------------------------------------------


def test_ico_right_trust_contact_and_complaints_section_pass_item_10():
    assert_passes(COMPLETE, 10)


def test_missing_ico_right_fails_item_10():
    found = assert_fails(without_rights(COMPLETE, "complain_ico"), 10, "complain to the ICO", "under Rights")
    assert len(found.problems) == 1


def test_missing_trust_complaints_contact_fails_item_10_pointing_to_trust_record():
    document = replace(COMPLETE, controller=replace(COMPLETE.controller, complaints_contact=" "))
    found = assert_fails(document, 10, "complaints contact", "the trust's record")
    assert len(found.problems) == 1


def test_missing_complaints_section_fails_item_10_asking_for_a_section():
    found = assert_fails(
        without_section(COMPLETE, "complaints"), 10, "complaints route", "30 days", "'How to complain' section"
    )
    assert len(found.problems) == 1


def test_complaints_section_with_empty_body_fails_item_10():
    sections = tuple(replace(s, body="  \n") if s.kind == "complaints" else s for s in COMPLETE.sections)
    assert_fails(replace(COMPLETE, sections=sections), 10, "'How to complain' section")


def test_all_three_complaint_gaps_are_each_reported_by_item_10():
    document = replace(
        without_section(without_rights(COMPLETE, "complain_ico"), "complaints"),
        controller=replace(COMPLETE.controller, complaints_contact=""),
    )
    assert len(assert_fails(document, 10).problems) == 3


# --- 11. collecting ----------------------------------------------------------


def test_collecting_section_passes_item_11():
    assert_passes(COMPLETE, 11)


def test_missing_collecting_section_fails_item_11():
    assert_fails(without_section(COMPLETE, "collecting"), 11, "must give by law", "'Collecting information' section")


# --- 12. automated decisions -------------------------------------------------


def test_automated_decisions_section_passes_item_12():
    assert_passes(COMPLETE, 12)


def test_missing_automated_decisions_section_fails_item_12():
    assert_fails(
        without_section(COMPLETE, "automated_decisions"),
        12,
        "by computer alone",
        "'Automated decision-making' section",
    )


# --- 13. other sources -------------------------------------------------------


def test_sources_section_alone_passes_item_13():
    assert not any(c.source for c in COMPLETE.categories)
    assert_passes(COMPLETE, 13)


def test_category_source_alone_passes_item_13():
    categories = (replace(COMPLETE.categories[0], source="previous school"), COMPLETE.categories[1])
    assert_passes(replace(without_section(COMPLETE, "sources"), categories=categories), 13)


def test_neither_category_source_nor_sources_section_fails_item_13():
    assert_fails(
        without_section(COMPLETE, "sources"),
        13,
        "comes from others",
        "add a source to the data categories",
        "'Where we get information from' section",
    )


def test_blank_category_source_does_not_pass_item_13():
    categories = tuple(replace(c, source="  ") for c in COMPLETE.categories)
    assert_fails(replace(without_section(COMPLETE, "sources"), categories=categories), 13, "section")
