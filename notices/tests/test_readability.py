"""Readability (notices.readability): reading ages pinned on known texts, the exact hard sentences, jargon with plain
alternatives, British spellings, Markdown stripped, prose only, no network, and the advice snippet."""

import dataclasses
import socket
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django_tenants.utils import tenant_context

from notices import demo_content
from notices import document as doc
from notices.compose import compose_notice
from notices.demo import load_notice
from notices.models import Audience
from notices.readability import (
    FORMULA_HELP,
    Jargon,
    assess,
    assess_document,
    is_long_word,
    target_for,
    word_syllables,
)

SEED_000 = Path(__file__).parent / "fixtures" / "seeds" / "000_8b8c92d444d07b16.txt"
HOLLYBROOK = demo_content.TRUSTS[0]["schools"][0]["notice"]

SIMPLE = (
    "We keep your child's school work safe. We use it to help them learn and grow. "
    "We share it with the school they go to next, and with no one else unless the law says we must."
)
LEGALESE_1 = (
    "Pursuant to Article 6(1)(e) of the UK GDPR, the data controller undertakes the processing of personal data of "
    "the data subject in accordance with its statutory obligations, notwithstanding any objection received prior to "
    "the commencement of such processing."
)
LEGALESE_2 = (
    "Retention periods are determined in accordance with the retention schedule, subject to rectification or erasure "
    "where applicable."
)
LEGALESE_3 = (
    "Data subjects may exercise their rights in respect of automated decision-making by contacting the data "
    "protection officer."
)
LEGALESE = f"{LEGALESE_1} {LEGALESE_2} {LEGALESE_3}"


def _between(text, first, last):
    start = text.index(first)
    return text[start : text.index(last, start) + len(last)]


# --- the figures ---------------------------------------------------------------------------


def test_a_simple_text_scores_the_reading_age_counted_by_hand():
    # 37 words in 3 sentences, 38 syllables ("unless" has two): 0.39 * 37/3 + 11.8 * 38/37 - 15.59 = 1.34.
    result = assess(SIMPLE)
    assert (result.words, result.sentences) == (37, 3)
    assert (result.grade, result.reading_age) == (1.3, 6.3)
    assert result.meets_target is True
    assert result.long_sentences == ()
    assert result.jargon == ()


def test_hard_legalese_scores_far_above_the_target():
    result = assess(LEGALESE)
    # 154 syllables in 72 words ("Article 6(1)(e)" is two words): 0.39 * 72/3 + 11.8 * 154/72 - 15.59 = 19.01.
    assert (result.words, result.sentences) == (72, 3)
    assert (result.grade, result.reading_age) == (19.0, 24.0)
    assert result.meets_target is False


def test_a_real_seed_paragraph_scores_18_and_the_demos_plain_rewrite_of_it_reads_younger():
    seed = SEED_000.read_text(encoding="utf-8")
    original = assess(_between(seed, "The NPD is owned", "Regulations 2013."))
    assert (original.words, original.sentences, original.reading_age) == (119, 7, 18.2)
    rewrite = assess(next(s for s in HOLLYBROOK["sections"] if s["kind"] == "npd")["body"])
    assert rewrite.reading_age == 14.7


def test_text_too_short_to_score_has_no_reading_age_but_its_hard_sentences_are_still_flagged():
    long_one = " ".join(["We keep it."] + ["word"] * 26) + "."
    result = assess(f"Short. {long_one}")
    assert result.sentences == 2
    assert (result.reading_age, result.grade, result.meets_target) == (None, None, None)
    assert result.long_sentences == (long_one,)
    assert assess("").reading_age is None


def test_the_reading_age_is_never_below_school_age():
    result = assess("I am. We go. It is. " * 10)
    assert result.grade < 0
    assert result.reading_age == 5.0


# --- hard sentences and words ----------------------------------------------------------------


def test_the_hard_sentences_are_flagged_exactly_as_a_reader_sees_them():
    result = assess(LEGALESE)
    # The first has 38 words (and "notwithstanding", 15 letters), the second holds "rectification" (5 syllables);
    # the third has 17 words and none so long.
    assert result.long_sentences == (LEGALESE_1, LEGALESE_2)
    assert result.long_words == ("notwithstanding", "rectification")


def test_more_than_25_words_makes_a_sentence_long_and_25_does_not():
    twenty_five = "We " + " ".join(["keep"] * 23) + " it."
    twenty_six = "We " + " ".join(["keep"] * 24) + " it."
    result = assess(f"{twenty_five} {twenty_six} Then we stop.")
    assert result.long_sentences == (twenty_six,)


@pytest.mark.parametrize(
    ("british", "american", "syllables"),
    [
        ("colour", "color", 2),
        ("behaviour", None, 3),
        ("carer", None, 2),
        ("organisation", None, 5),
        ("programme", "program", 2),
        ("centre", "center", 2),
    ],
)
def test_british_spellings_are_not_hard_words_and_count_as_said(british, american, syllables):
    assert word_syllables(british) == syllables
    if american:
        assert word_syllables(american) == syllables
    assert not is_long_word(british)
    assert not is_long_word(british.capitalize() + "s")


def test_a_sentence_of_british_spellings_is_not_flagged_but_a_truly_long_word_is():
    plain = "The carer at the centre told us about the colour programme, the organisation and its behaviour policy."
    hard = "We record characteristics."
    result = assess(f"{plain} {hard}")
    assert result.long_sentences == (hard,)
    assert result.long_words == ("characteristics",)


def test_addresses_numbers_and_initialisms_are_never_long_words():
    text = (
        "Email dpo@northfield-trust.example.org or see https://www.gov.uk/government/publications/"
        "national-pupil-database-requests-received about the GDPR. The DfE keeps 20250101 records."
    )
    result = assess(text)
    assert result.long_sentences == ()
    assert result.words == 13


# --- jargon -------------------------------------------------------------------------------------


def test_legal_jargon_is_found_once_each_with_a_plain_alternative():
    found = dict(assess(LEGALESE).jargon)
    assert found["pursuant to"] == "under"
    assert found["data controller"] == "we, or the trust"
    assert found["processing"] == "using"
    assert found["personal data"] == "information about you"
    assert found["data subject"].startswith("you")
    assert found["in accordance with"].startswith("under")
    assert found["retention"] == "how long we keep it"
    assert found["rectification"] == "correcting"
    assert found["erasure"] == "deleting"
    assert found["prior to"] == "before"
    # Inside "data controller" the bare "controller" is not found again; "data subjects" is the same entry.
    assert "controller" not in found
    assert "data subjects" not in found
    assert len(assess(LEGALESE).jargon) == len(found)


def test_jargon_in_a_real_seed_section_and_the_verb_process_but_not_the_noun():
    seed = SEED_000.read_text(encoding="utf-8")
    rights = assess(_between(seed, "Under data protection legislation", "Data Protection regulations"))
    assert ("data subject", "you, or the person the information is about") in rights.jargon
    assert Jargon("processing", "using") in rights.jargon
    assert ("personal data", "information about you") in rights.jargon
    assert assess("We process your data safely.").jargon == (("process", "use"),)
    assert assess("The DfE has a strict approval process that looks at each request.").jargon == ()
    assert assess("Lawful basis: public task.").jargon[0].alternative.startswith("keep the term")


# --- Markdown -----------------------------------------------------------------------------------


def test_markdown_is_stripped_before_scoring():
    markdown = (
        "By law, we send **some information** to the\n"
        "[Department for Education](https://www.gov.uk/contact-dfe). They use it to:\n\n"
        "- run *statistics*\n"
        "- give advice\n\n"
        "### Asking us\n\n"
        "Ask the school office."
    )
    result = assess(markdown)
    plain = assess(
        "By law, we send some information to the Department for Education. They use it to:\n"
        "run statistics\ngive advice\nAsk the school office.",
        markdown=False,
    )
    assert (result.words, result.sentences) == (plain.words, plain.sentences) == (23, 5)
    long_one = "By law, we send some information to the " + " ".join(["big"] * 20) + " Department for Education."
    flagged = assess(f"**{long_one[:6]}**{long_one[6:]}\n\n- [Item](https://example.org)").long_sentences
    assert flagged == (long_one,)  # the sentence is joined across the bold, its line break and its link text


# --- a whole notice -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_notice_gets_figures_per_section_and_its_register_rows_are_never_scored(world):
    with tenant_context(world.school_a):
        notice = load_notice({**HOLLYBROOK, "slug": "readability-demo"})
        document = compose_notice(notice, school=world.school_a)
    connection.set_schema_to_public()
    result = assess_document(document)
    assert (result.target, result.reference) == (14, 9)
    assert {(s.uid, s.heading) for s in result.sections} == {(s.uid, s.heading) for s in document.sections}
    assert [p.heading for p in result.parts][0] == "At a glance (the summary)"
    npd = next(s for s in result.sections if s.heading == "The DfE's data collection and the National Pupil Database")
    assert npd.assessment.reading_age == 14.7
    assert (
        npd.assessment.long_sentences
        == assess(next(s for s in document.sections if s.kind == "npd").body).long_sentences
    )
    # The whole is the summary and the sections read together, nothing else.
    parts = [result.summary, *(s.assessment for s in result.sections)]
    assert result.overall.words == sum(p.words for p in parts)
    assert result.long_sentence_count == sum(len(p.long_sentences) for p in parts)
    assert result.overall.meets_target

    wordy_rows = dataclasses.replace(
        document,
        categories=tuple(dataclasses.replace(c, examples=LEGALESE) for c in document.categories),
        purposes=tuple(
            dataclasses.replace(p, name="Processing of personal data", detail=LEGALESE) for p in document.purposes
        ),
        rights=tuple(dataclasses.replace(r, how_to_exercise=LEGALESE) for r in document.rights),
    )
    assert assess_document(wordy_rows) == result


def test_every_audience_has_a_target_of_14():
    assert {audience: target_for(audience) for audience in Audience.values} == dict.fromkeys(Audience.values, 14)


def test_readability_opens_no_connection_and_loads_no_dictionary(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("readability tried to reach the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert assess(LEGALESE).reading_age == 24.0
    assert assess_document(_document(summary=SIMPLE)).summary.reading_age == 6.3
    assert "nltk" not in sys.modules
    assert "textstat" not in sys.modules


# --- the snippet --------------------------------------------------------------------------------


def _document(summary, sections=()):
    return doc.NoticeDocument(
        schema=doc.SCHEMA_VERSION,
        title="Privacy notice for pupils and parents",
        slug="pupils-and-parents",
        audience="pupils_parents",
        audience_label="Pupils and parents",
        summary=summary,
        review_by="2027-09-01",
        contact=doc.Contact(name="Dana Lead", role="Data Protection Lead", email="dpl@school.example.org", phone=""),
        controller=doc.Controller(
            name="Xavier Trust",
            address="1 Road",
            ico_registration="ZZ900001",
            dpo_name="DPO",
            dpo_email="",
            complaints_contact="",
        ),
        school=doc.SchoolInfo(
            name="School A", slug="school-a", urn="990001", address="", headteacher="", contact_email=""
        ),
        categories=(),
        bases=(),
        purposes=(),
        systems=(),
        retention=(),
        recipients=(),
        rights=(),
        sections=tuple(sections),
    )


def test_the_snippet_is_advice_with_each_hard_sentence_escaped_inside_mark():
    hard = "Parents & carers <often> ask about " + " ".join(["our"] * 25) + " records."
    section = doc.Section(
        uid="s-npd", heading="The National Pupil Database", kind="npd", placement="after_sharing", body=LEGALESE
    )
    readability = assess_document(_document(f"{SIMPLE} {hard}", [section]))
    page = render_to_string("notices/readability.html", {"readability": readability})
    assert "Parents &amp; carers &lt;often&gt; ask about" in page
    assert f"<mark>{hard.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</mark>" in page
    assert f"<mark>{LEGALESE_2}</mark>" in page
    assert f"Reading age {readability.overall.reading_age} – target 14 (GOV.UK writes for 9)" in page
    assert "above the target" in page  # said in words, not only by colour
    assert "<h4>The National Pupil Database</h4>" in page
    assert "<h4>At a glance (the summary)</h4>" in page
    assert "“pursuant to”: under" in page
    assert FORMULA_HELP in page
    assert "never stops a publish" in page
    assert "Missing" not in page
    assert 'class="fail"' not in page
