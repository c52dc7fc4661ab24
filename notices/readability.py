"""How easy a notice's prose is to read: advice for the editor and the console, never a reason to refuse a publish.

Each narrative section, the summary and the notice as a whole get a reading age from the Flesch–Kincaid grade
(0.39 × words per sentence + 11.8 × syllables per word − 15.59), plus 5 for the UK reading age, against the ICO's
target of about 14 for notices children read; GOV.UK's 9 is shown beside it for reference. The sentences that are
hard, Hemingway-style (over 25 words, or holding a very long word), are listed exactly, with legal jargon and a plain
alternative. Register rows are never scored: they are short phrases, which the formula misjudges.

No library: textstat (0.7.13, the current release) looks syllables up in the CMU Pronouncing Dictionary, which it
fetches with nltk.download() on first use, so it fails with no network, and that dictionary is American: "colour",
"behaviour" and "organisation" are not in it. pyphen's en_GB dictionary, already here under WeasyPrint, finds
hyphenation points, not syllables: it never splits "carer", "centre", "area" or "people", so it undercounts by about
a seventh. So syllables are counted below from vowel groups with English's silent and split vowels; checked against
the CMU dictionary on 2,000 words of prose it had not been tuned on, 96% were exact and the total within 1%. It is
pure Python with no data files, so nothing is fetched or opened at run time (docs/decisions/0011-readability.md).
"""

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import nh3

from notices.document import NoticeDocument
from notices.models import Audience, Placement
from notices.rendering import render_markdown

FORMULA_HELP = (
    "Flesch–Kincaid grade + 5 = UK reading age. A rough guide: it counts sentence length and syllables, "
    "not whether words are familiar."
)

SUMMARY_HEADING = "At a glance (the summary)"

ICO_TARGET = 14  # the ICO: a reading age of about 14 for notices that children read
GOVUK_READING_AGE = 9  # GOV.UK writes for a reading age of 9; shown for reference, not as the target
TARGETS = {
    Audience.PUPILS_PARENTS: ICO_TARGET,
    # Staff, governors, volunteers and visitors are the general public (support staff, parents who volunteer), not
    # specialists, so they get the same figure as parents: no audience of a school notice needs harder prose.
    Audience.WORKFORCE: ICO_TARGET,
    Audience.GOVERNORS: ICO_TARGET,
    Audience.VISITORS: ICO_TARGET,
}

LONG_SENTENCE_WORDS = 25  # more words than this makes a sentence hard
LONG_WORD_SYLLABLES = 5
LONG_WORD_LETTERS = 14
# Too little text for the formula, which was normed on passages: below either, no reading age is given.
MIN_SENTENCES = 3
MIN_WORDS = 30

# Long words families read in every school letter; flagging them would bury the ones worth changing.
FAMILIAR_WORDS = frozenset(
    {
        "educational",
        "immunisation",
        "immunisations",
        "international",
        "opportunities",
        "organisation",
        "organisations",
        "university",
    }
)


class Jargon(NamedTuple):
    term: str  # as found in the text, in lower case
    alternative: str


# (pattern, plain alternative), longest first: a phrase found is not found again inside a longer one.
_JARGON = tuple(
    (re.compile(rf"\b(?:{pattern})\b"), alternative)
    for pattern, alternative in (
        (r"data subjects?", "you, or the person the information is about"),
        (r"personal data", "information about you"),
        (r"data controllers?|controllers?", "we, or the trust"),
        (r"data processors?|processors?", "an organisation that does the work for us"),
        (
            r"special categor(?:y|ies)(?: of (?:personal )?data)?",
            "keep the term, and say it means sensitive information such as health or ethnicity",
        ),
        (r"lawful bas[ie]s", "keep the term, and explain it: the reason the law lets us use the information"),
        (r"legitimate interests?", "keep the term, and say in plain words what the interest is"),
        (r"data portability", "getting your information in a form you can take elsewhere"),
        (r"in accordance with", "under, or in line with"),
        (r"pursuant to", "under"),
        (r"third[ -]part(?:y|ies)", "another organisation, or other organisations"),
        (r"retention", "how long we keep it"),
        (r"rectification", "correcting"),
        (r"erasure", "deleting"),
        (r"processing", "using"),
        (r"processed", "used"),
        # Only the verb: "a strict approval process" is plain English.
        (r"process(?:es)?(?= (?:your|their|his|her|personal|information|data|it|them)\b)", "use"),
        (r"in order to", "to"),
        (r"prior to", "before"),
        (r"in respect of|with regard to|in relation to", "about"),
        (r"notwithstanding", "despite"),
        (r"here(?:by|in|after|of|to)|there(?:in|of|by)|afore(?:mentioned|said)", "leave it out"),
        (r"whilst", "while"),
        (r"statutory", "required by law"),
        (r"obtain(?:s|ed|ing)?", "get"),
        (r"utili[sz](?:e|es|ed|ing)", "use"),
        (r"facilitat(?:e|es|ed|ing)", "help"),
        (r"commenc(?:e|es|ed|ing)", "start"),
    )
)


@dataclass(frozen=True)
class Assessment:
    reading_age: float | None  # UK reading age in years; None for text too short to score (see MIN_SENTENCES)
    grade: float | None  # the Flesch–Kincaid (US) grade it comes from
    words: int
    sentences: int
    long_sentences: tuple[str, ...]  # the hard sentences, exactly as a reader sees them (Markdown stripped)
    long_words: tuple[str, ...]  # the very long words that made some of them hard
    jargon: tuple[Jargon, ...]
    target: int
    meets_target: bool | None  # None when there is no reading age


@dataclass(frozen=True)
class SectionReadability:
    uid: str
    heading: str
    assessment: Assessment


@dataclass(frozen=True)
class DocumentReadability:
    target: int
    reference: int  # GOV.UK's reading age, shown beside the target
    summary: Assessment
    sections: tuple[SectionReadability, ...]
    overall: Assessment  # the summary and every section read as one text

    formula_help = FORMULA_HELP

    @property
    def long_sentence_count(self) -> int:
        return len(self.overall.long_sentences)

    @property
    def parts(self) -> tuple[SectionReadability, ...]:
        """The summary, then each section, in the order a reader meets them."""
        return (SectionReadability(uid="", heading=SUMMARY_HEADING, assessment=self.summary), *self.sections)


def target_for(audience: str) -> int:
    return TARGETS.get(audience, ICO_TARGET)


def assess(text: str, *, target: int = ICO_TARGET, markdown: bool = True) -> Assessment:
    """How hard `text` is to read: a section body in the safe Markdown subset, or plain text (the summary)."""
    return _assess(*(_markdown_blocks(text) if markdown else _plain_blocks(text)), target=target)


def assess_document(document: NoticeDocument) -> DocumentReadability:
    """Readability of the document's summary, each narrative section and all of that prose together."""
    target = target_for(document.audience)
    summary = _plain_blocks(document.summary)
    sections = [(section, _markdown_blocks(section.body)) for section in _reading_order(document.sections)]
    everything = [summary, *(blocks for _, blocks in sections)]
    return DocumentReadability(
        target=target,
        reference=GOVUK_READING_AGE,
        summary=_assess(*summary, target=target),
        sections=tuple(
            SectionReadability(uid=s.uid, heading=s.heading, assessment=_assess(*blocks, target=target))
            for s, blocks in sections
        ),
        overall=_assess(
            [b for prose, _ in everything for b in prose], [h for _, hs in everything for h in hs], target=target
        ),
    )


def _reading_order(sections):
    # Placement's choices are in DfE model order, as rendering.notice_parts lays the notice out.
    order = list(Placement.values)
    return sorted(
        sections, key=lambda section: order.index(section.placement) if section.placement in order else len(order)
    )


# ---------------------------------------------------------------- text to blocks and sentences

_HEADING_HTML = re.compile(r"<h([34])>(.*?)</h\1>", re.DOTALL)
_BLOCK_HTML = re.compile(r"</?(?:p|ul|ol|li)>|<br\s*/?>")


@lru_cache(maxsize=512)  # rendering Markdown is most of the time taken; a page shows the same bodies again
def _markdown_blocks(text):
    """(prose blocks, headings) of a Markdown body as a reader sees them.

    Rendered by rendering.render_markdown, the one place Markdown is read, then split where the page breaks:
    markdown_as_text keeps a paragraph's own line breaks, which would end sentences that carry on.
    Headings are labels: checked for jargon, not scored.
    """
    fragment = str(render_markdown(text))
    headings = [_as_text(m.group(2)) for m in _HEADING_HTML.finditer(fragment)]
    blocks = [_as_text(piece) for piece in _BLOCK_HTML.split(_HEADING_HTML.sub("<p>", fragment))]
    return tuple(b for b in blocks if b), tuple(h for h in headings if h)


def _plain_blocks(text):
    # The summary is shown with |linebreaks: every line is a paragraph or ends at a <br>.
    return tuple(" ".join(line.split()) for line in text.splitlines() if line.strip()), ()


def _as_text(fragment):
    return " ".join(html.unescape(nh3.clean(fragment, tags=set())).split())


# A sentence ends at . ! or ? (and any closing quote or bracket) before a space and a capital, digit or quote.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_NO_END_AFTER = re.compile(r"(?:\b(?:e\.g|i\.e|Mr|Mrs|Ms|Dr|St|No)\.)$")


def _sentences(block):
    sentences, start = [], 0
    for end in _SENTENCE_END.finditer(block):
        if not _NO_END_AFTER.search(block, 0, end.start() + 1):
            sentences.append(block[start : end.end()].strip())
            start = end.end()
    return [*sentences, block[start:].strip()]


# ---------------------------------------------------------------- words and syllables

_ADDRESS = re.compile(r"\S+@\S+\.\w+|https?://\S+|www\.\S+")
_CORE = re.compile(r"[^\W_](?:.*[^\W_])?")
_PART = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _words(sentence):
    """The sentence's words as a reader counts them: what stands between spaces, less the punctuation around it.

    "Article 6(1)(e)" is two words, "decision-making" one; an email or web address is one short word.
    """
    return [m.group() for token in _ADDRESS.sub(" link ", sentence).split() if (m := _CORE.search(token))]


def _parts(word):
    # What is said of it: "well-being" is "well" and "being", "6(1)(e)" is "6", "1" and "e", "child's" is "child".
    return [re.sub(r"['’]s$", "", part) for part in _PART.findall(word)]


def _is_initialism(part):
    return 2 <= len(part) <= 5 and sum(c.isupper() for c in part) >= 2  # UK, DfE, GDPR: said letter by letter


@lru_cache(maxsize=16384)
def word_syllables(word: str) -> int:
    return sum(_part_syllables(part) for part in _parts(word)) or 1


def _part_syllables(part):
    if part.isdigit():
        return 1
    if _is_initialism(part):
        return sum(3 if c in "wW" else 1 for c in part if c.isalpha())
    return _syllables(part.lower())


_VOWEL_GROUP = re.compile(r"[aeiouy]+")
# A last e that is not said ("made", "makes", "used", "league") ...
_SILENT_END = re.compile(r"(?:[^aeiouy]e|[^aeiouytd]ed|[^aeiouy]es|[gq]ue)$")
# ... unless it follows a consonant + l or r ("people", "centre", "handled") or a hiss ("changes"), or is "ee".
_SAID_END = re.compile(r"(?:[^aeiouylr][lr]e[sd]?|(?:[cgsxz]|[cs]h)es|ee[sd]?)$")
# The silent e of "safe", "state", "some" inside a longer word ("safely", "statement", "someone").
_INNER_SILENT_E = re.compile(
    r"[aeiou][^aeiouy]{1,2}e(?=ly|ments?$|ness|ful|less|ty$|guard|thing|one|times?$|work|line|where|what|fore|of$|way"
    r"|name|wise|out|zone)"
)
# Two vowels said apart ("area", "being", "individual", "carrying", "video"), but not in "-tion", "-cial", "-iour".
_SPLIT_VOWELS = re.compile(
    r"(?<![tcsgx])i(?:a|o(?!u)|u)|(?<![tcsgx])ious|ea$|creat|[aeiouy]ing|y(?=ing)|(?<=[aeiou])y[aeiou]|yone|[^gq]ua"
    r"|[^aeiou]eo(?!p)|ism$|[^gq]uo|[^aeiouc]ie(?:nce|nts?$|rs?$|ty)"
)


def _syllables(word):
    count = len(_VOWEL_GROUP.findall(word))
    if count > 1 and _SILENT_END.search(word) and not _SAID_END.search(word):
        count -= 1
    count -= len(_INNER_SILENT_E.findall(word))
    count += len(_SPLIT_VOWELS.findall(word))
    return max(count, 1)


@lru_cache(maxsize=16384)
def is_long_word(word: str) -> bool:
    """A word a reader may stumble on: 5 or more syllables or 14 or more letters, unless families know it well."""
    return any(
        not (part.isdigit() or _is_initialism(part) or part.lower() in FAMILIAR_WORDS)
        and (len(part) >= LONG_WORD_LETTERS or _part_syllables(part) >= LONG_WORD_SYLLABLES)
        for part in _parts(word)
    )


# ---------------------------------------------------------------- the figures


def _assess(prose, headings, *, target):
    sentences = [s for block in prose for s in _sentences(block) if s]
    words = syllables = 0
    long_sentences, long_words = [], {}
    for sentence in sentences:
        found = _words(sentence)
        words += len(found)
        syllables += sum(word_syllables(w) for w in found)
        hard = [w for w in found if is_long_word(w)]
        long_words.update((w.lower(), w) for w in hard if w.lower() not in long_words)
        if len(found) > LONG_SENTENCE_WORDS or hard:
            long_sentences.append(sentence)
    grade = reading_age = None
    if len(sentences) >= MIN_SENTENCES and words >= MIN_WORDS:
        exact = 0.39 * words / len(sentences) + 11.8 * syllables / words - 15.59
        grade = round(exact, 1)
        # The formula goes below zero for very short words and sentences; no child reads before school age.
        reading_age = round(max(exact + 5, 5.0), 1)
    return Assessment(
        reading_age=reading_age,
        grade=grade,
        words=words,
        sentences=len(sentences),
        long_sentences=tuple(long_sentences),
        long_words=tuple(long_words.values()),
        jargon=_jargon(" ".join([*headings, *prose])),
        target=target,
        meets_target=None if reading_age is None else reading_age <= target,
    )


def _jargon(text):
    lowered = text.lower()
    taken, found = [], []
    for entry, (pattern, alternative) in enumerate(_JARGON):
        for match in pattern.finditer(lowered):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append(match.span())
            found.append((match.start(), entry, Jargon(" ".join(match.group().split()), alternative)))
    first = {}  # each entry once, as first found
    for _, entry, jargon in sorted(found):
        first.setdefault(entry, jargon)
    return tuple(first.values())
