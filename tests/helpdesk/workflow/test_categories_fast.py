"""The category suggestion skips the patterns a text cannot match, and suggests exactly what
scanning every pattern over the text did.

`reference_scores` below is the previous implementation, kept here (and only here) as the
specification: one `re.finditer` per pattern, the context words taken by splitting the text.
The product code must give the same scores, first positions and suggestions, float for float,
on the bench generators' complaints, the labelled sets, the unit cases, hand-made edge cases
and a seeded random mix of every keyword, need and support word, neutral phrase and noise.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.email_ingest import FOLLOW_UPS, TOPICS, fill, make_mails
from helpdesk.models import Category
from helpdesk.workflow import categories
from helpdesk.workflow.categories import (
    MIN_SCORE,
    NEED,
    NEUTRAL,
    PATTERNS,
    SUPPORT,
    WINDOW,
    first_words,
    scores,
    suggest,
)

DATA = Path(__file__).parent / "data"


# --- the reference: the implementation before the skipping ------------------------------------


def reference_normalise(text: str) -> str:
    text = re.sub(r"[^\w\s]|_", " ", text.lower())
    text = re.sub(r"\b(e)\s+(ktp)\b", r"\1\2", text)
    return " ".join(w[:-3] if len(w) > 5 and w.endswith("nya") else w for w in text.split())


def reference_scores(text: str) -> dict[Category, tuple[float, int]]:
    norm = NEUTRAL.sub(" ", reference_normalise(text))
    found: dict[Category, tuple[float, int]] = {}
    for category, patterns in PATTERNS.items():
        total, first = 0.0, len(norm)
        for pattern, weight in patterns:
            for match in re.finditer(pattern, norm):
                before = norm[: match.start()].split()[-WINDOW:]
                after = norm[match.end() :].split()[:WINDOW]
                factor = 1.0
                if NEED & set(before + after):
                    factor = 1.5
                if SUPPORT & set(before):
                    factor = 0.4
                total += weight * factor
                first = min(first, match.start())
        if total:
            found[category] = (total, first)
    return found


def reference_suggest(text: str) -> Category:
    found = reference_scores(text or "")
    if not found:
        return Category.other
    best = max(found.items(), key=lambda item: (item[1][0], -item[1][1]))
    return best[0] if best[1][0] >= MIN_SCORE else Category.other


# --- the corpus --------------------------------------------------------------------------------

EDGE_CASES = [
    "",
    " ",
    "\n\t ",
    "?!.,",
    "KTP",
    "kTp-El HiLaNg",
    "E KTP saya rusak",
    "e  ktp",
    "e\nktp",
    "E-KTP,KK,KIA:akta-lahir;skpwni!",
    "(ktp)[kk]{kia}",
    "ktp_el rusak",  # the underscore is punctuation here
    "ktp__el",
    "ktpku rusak",  # a keyword inside a longer word is not a mention
    "kkn di desa",
    "kiamat",
    "bayinya lahir",
    "aktanya hilang",
    "kelahirannya belum jadi",
    "pindahnya kapan",
    "nya",
    "punya ktp",
    "ktp tanggal lahir el",  # a neutral phrase between two keyword halves
    "akta tanggal lahir kelahiran",
    "tanggal lahir",
    "tgl lahir di akta kelahiran salah",
    "akta nikah dan akta kelahiran",
    "ktp orang tua hilang",
    "ktp kedua orang tua, kk dan akta lahir",
    "ktp kk",  # tied scores: the first mention wins
    "kk ktp",
    "kia kk",
    "akta kematian akta kelahiran",
    "meninggal pindah",
    "ktp ktp ktp ktp ktp ktp ktp ktp",
    "fotokopi ktp rusak",
    "bawa fc kk dgn akta lahir hilang",
    "rusak ktp",
    "a b c ktp d e f",
    "rusak a b c ktp",
    "ktp a b c rusak",
    "ktp a b rusak",
    "f 1 03 sudah",
    "f103",
    "f1 03",
    "form f 103",
    "k k hilang",
    "ktp el ktp e ktpel ektp ktp elektronik",
    "kartu tanda penduduk elektronik",
    "akte lahir aktelahiran akt lahir akta kelahir",
    "kutipan akta kelahiran",
    "Akta Kematian Almarhumah",
    "ALM. Bapak",
    "tutup usia",
    "surat keterangan pindah WNI",
    "pindahan rumah",
    "mutasi pegawai",
    "KTP Élektronik",  # accents are not folded: É lower-cases to é, a different word
    "ｋｔｐ rusak",  # full-width letters stay what they are
    "İKD",  # İ lower-cases to i plus a combining dot, which is punctuation here
    "ktp\u00a0el",  # a no-break space is a space
    "ktp\u2028el",
    "ktp\x1fel",
    "kartu\u200bkeluarga",  # a zero-width space is not
    "ktp٣ rusak",
    "SKPWNI-nya",
    "pecah KK-nya",
    "KIA-ku",
    "bayi bayi bayi akta anak",
    "ikd identitas kependudukan digital",
]

VOCABULARY = sorted(
    {
        *(
            word
            for patterns in PATTERNS.values()
            for pattern, _ in patterns
            for word in re.findall(r"[a-z0-9]+", pattern)
        ),
        *NEED,
        *SUPPORT,
        "e ktp",
        "ktp el",
        "kartu keluarga",
        "akta kelahiran",
        "akte lahir",
        "akta kematian",
        "surat pindah",
        "pecah kk",
        "kartu identitas anak",
        "tanggal lahir",
        "tgl lahir",
        "akta nikah",
        "ktp orang tua",
        "nya",
        "saya",
        "anak",
        "bapak",
        "lahir",
        "mati",
        "ke",
        "an",
        "e",
        "el",
        "k",
        "f",
        "1",
        "03",
    }
)
NOISE = (" ", "  ", ", ", ". ", "-", "/", "\n", "?", "!", "_", "(", ")", ": ", "'")


def random_texts(count: int, seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 14)):
            word = rng.choice(VOCABULARY)
            if rng.random() < 0.15:
                word += "nya"
            if rng.random() < 0.2:
                word = word.upper() if rng.random() < 0.5 else word.title()
            parts.append(word)
            parts.append(rng.choice(NOISE) if rng.random() < 0.4 else " ")
        yield "".join(parts)


def bench_texts() -> Iterator[str]:
    yield "Bench 7: KTP-el saya rusak, bagaimana cara menggantinya?"  # bench/ingest.py
    for mail in make_mails(400, reply_share=0.3, attachment_share=0.0, seed=8):
        yield mail.text
        yield f"{mail.subject}\n\n{mail.text}"
    rng = random.Random(8)
    when = datetime(2026, 8, 17, tzinfo=UTC)
    for subject, opening in TOPICS:
        yield subject
        yield fill(opening, rng, when)
    for follow_up in FOLLOW_UPS:
        yield fill(follow_up, rng, when)


def labelled_texts() -> Iterator[str]:
    for name in ("categories.jsonl", "categories_holdout.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line:
                yield json.loads(line)["text"]


UNIT_CASES = [
    "KTP saya rusak",
    "e-ktp hilang",
    "ktp el blm jadi",
    "Kartu kluarga sy sobek",
    "mau pecah kk",
    "bikin KIA anak",
    "akte lahir anak saya",
    "akta kelahirannya salah",
    "akta kematian bapak",
    "ibu saya meninggal",
    "urus skpwni",
    "surat pindah ke Bandung",
    "jam buka kantor?",
    "mau buat KIA, syaratnya fotokopi KK dan akta",
    "tanggal lahir di KTP saya salah",
]


def corpus() -> list[str]:
    return [
        *bench_texts(),
        *labelled_texts(),
        *UNIT_CASES,
        *EDGE_CASES,
        *random_texts(4000, seed=20261127),
    ]


# --- the specification -------------------------------------------------------------------------


def test_the_corpus_exercises_every_category_and_the_skipping():
    texts = corpus()
    suggested = {reference_suggest(t) for t in texts}
    assert suggested == {*PATTERNS, Category.other}
    # Most bench complaints leave most patterns unrun; some texts run every one.
    assert any(len(reference_scores(t)) == len(PATTERNS) for t in texts)


def test_scores_and_suggestions_are_those_of_one_scan_per_pattern():
    differences = [
        (text, reference_scores(text), scores(text))
        for text in corpus()
        if scores(text) != reference_scores(text) or suggest(text) != reference_suggest(text)
    ]
    assert differences == []


def test_the_normalised_text_is_unchanged():
    texts = [*EDGE_CASES, *UNIT_CASES, *random_texts(500, seed=3)]
    assert [categories.normalise(t) for t in texts] == [reference_normalise(t) for t in texts]


def test_every_pattern_is_skipped_by_its_first_words():
    """No pattern falls back to running on every text (that would be correct, only slower)."""
    for patterns in PATTERNS.values():
        for pattern, _ in patterns:
            assert first_words(re.compile(pattern)), pattern
    assert first_words(NEUTRAL) == {"tanggal", "tgl", "tempat", "tmpt", "akta", "ktp"}


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"\b(e ?ktp|ktp ?el)\b", {"e", "ektp", "ktp", "ktpel"}),
        (r"\bakt[ae] (anak|bayi)\b", {"akta", "akte"}),
        (r"\b(pindah|f ?1 ?03)\b", {"pindah", "f", "f1", "f103"}),
        (r"\b(ke)?lahir(an)?\b", {"lahir", "lahiran", "kelahir", "kelahiran"}),
    ],
)
def test_first_words_are_read_from_the_pattern(pattern, words):
    assert first_words(re.compile(pattern)) == words


@pytest.mark.parametrize(
    "pattern",
    [
        r"ktp\b",  # no leading boundary: a match may start inside a word
        r"\bktp",  # no trailing boundary: a match may end inside one
        r"\bktp\w*\b",  # not a finite set of strings
        r"\b(ktp|kk )\b",  # a match ending on a space
        r"\bk.p\b",  # any character
        r"\b[a-z]tp\b",  # a range
        r"(?i)\bktp\b",  # the case is not what the text's is
        r"\b(?i:ktp)\b",
        r"\b(?!kk)\w\w\b",  # a lookahead
    ],
)
def test_a_pattern_whose_first_words_cannot_be_told_is_always_run(pattern):
    assert first_words(re.compile(pattern)) is None


def test_a_pattern_always_run_still_scores(monkeypatch):
    """The fallback: a rule without first words is run on every text, and counts."""
    rules = tuple(
        (category, tuple(categories._Rule(r.regex, r.weight, None) for r in rules))
        for category, rules in categories._RULES
    )
    monkeypatch.setattr(categories, "_RULES", rules)
    monkeypatch.setattr(categories, "_NEUTRAL_STARTS", None)
    for text in [*UNIT_CASES, *EDGE_CASES]:
        assert scores(text) == reference_scores(text), text
