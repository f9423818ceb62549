"""A category suggested from the citizen's Indonesian text: keywords, misspellings, abbreviations.

Each category has weighted patterns (ktp, e-ktp, ktp el, kk, kartu keluarga, kia, akta/akte
lahir, akta kematian, surat pindah, skpwni…) matched on normalised text. A mention next to
words of need (hilang, rusak, buat, cetak, salah…) counts more; one next to words of
supporting documents (syarat, fotokopi, bawa…) counts less; ties go to the first mention.
The admin can always change it (the `set_category` action). Accuracy on the labelled set:
`python -m helpdesk.workflow.categories tests/helpdesk/workflow/data/categories.jsonl`.

It runs for every new ticket, inside the receiving transaction, so it is kept cheap: the text is
tokenised once, and a pattern (or the neutral phrases) is only run when the text holds one of
the words its matches can begin with. Those first words are worked out once, at import, from
the patterns themselves; a match always starts and ends on a word boundary of the normalised
text (only word characters and spaces), so its first word is a whole token of the text and
skipping a pattern whose first words are all absent changes nothing (the differential test in
tests/helpdesk/workflow/test_categories_fast.py holds it to the plain one-scan-per-pattern
version). Micro benchmark: `python -m bench.categories`.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# re's own parser (sre_parse before 3.11) is the one sure way to read a pattern the way re
# does; only used at import, to list what a pattern can match.
from re import _constants as sre_constants
from re import _parser as sre_parser

from helpdesk.models import Category

# (pattern, weight); patterns run on lower-case text with punctuation turned into spaces.
PATTERNS: dict[Category, tuple[tuple[str, float], ...]] = {
    Category.ktp_el: (
        (r"\b(e ?ktp|ktp ?el|ktp ?e|ktp elektronik|ktpel|ektp|kartu tanda penduduk)\b", 3.0),
        (r"\bktp\b", 2.0),
        (r"\b(suket|perekaman|rekam|biometrik|ikd|identitas kependudukan digital)\b", 1.5),
    ),
    Category.kk: (
        (r"\b(kk|kartu keluarga|kartu kluarga|krtu keluarga|kartu klg|k k)\b", 2.0),
        (r"\b(pecah kk|pisah kk|kepala keluarga|anggota keluarga|kk baru)\b", 3.0),
    ),
    Category.kia: ((r"\b(kia|kartu identitas anak|kartu anak|ktp anak)\b", 3.5),),
    Category.akta_kelahiran: (
        (r"\b(akt[ae]|kutipan akta|akte?) ?(ke)?lahir(an)?\b", 4.0),
        (r"\bakt[ae] (anak|bayi)\b", 3.5),
        (r"\b(surat keterangan lahir|kelahiran|baru lahir|bayi)\b", 1.5),
    ),
    Category.akta_kematian: (
        (r"\b(akt[ae]) ?(ke)?mati(an)?\b", 4.0),
        (r"\b(kematian|meninggal|wafat|almarhum|almarhumah|alm|mendiang|tutup usia)\b", 2.5),
    ),
    Category.pindah: (
        (r"\b(skpwni|skpwn|spwni|surat pindah|sk pindah|surat keterangan pindah)\b", 4.0),
        (r"\b(pindah|mutasi|transmigrasi|f ?1 ?03)\b", 2.5),
        (r"\bpindahan\b", 1.0),  # often just moving house
    ),
}
NEED = frozenset(
    [
        "rusak",
        "hilang",
        "patah",
        "buat",
        "bikin",
        "membuat",
        "urus",
        "mengurus",
        "ngurus",
        "cetak",
        "ganti",
        "mengganti",
        "perbaiki",
        "perbaikan",
        "salah",
        "ubah",
        "perubahan",
        "terbit",
        "penerbitan",
        "jadi",
        "belum",
        "blm",
        "kapan",
        "daftar",
        "pengajuan",
        "ajukan",
        "mengajukan",
        "minta",
        "perpanjang",
        "blangko",
        "blanko",
        "tambah",
        "hapus",
        "update",
        "koreksi",
        "legalisir",
        "pencetakan",
        "sobek",
        "luntur",
        "dibetulkan",
        "diperbaiki",
        "dicetak",
        "diganti",
    ]
)
SUPPORT = frozenset(
    [
        "fotokopi",
        "fc",
        "fotocopy",
        "copy",
        "lampiran",
        "lampirkan",
        "bawa",
        "membawa",
        "melampirkan",
        "scan",
        "pakai",
        "sama",
        "dgn",
        "dengan",
    ]
)
# Words that look like a category but are not one: a birth date is on every document.
NEUTRAL = re.compile(
    r"\b(tanggal lahir|tgl lahir|tempat lahir|tmpt lahir|tanggal meninggalnya|akta perkawinan|"
    r"akta perceraian|akta nikah|ktp kedua orang tua|ktp orang tua)\b"
)
_PUNCT = re.compile(r"[^\w\s]|_")
# The same replacement for ASCII text, by table: str.translate is several times faster.
_PUNCT_ASCII = str.maketrans({c: " " for c in map(chr, range(128)) if _PUNCT.match(c)})
_WORDS = re.compile(r"\w+(?: \w+)*")
MIN_SCORE = 1.5
WINDOW = 3
# Past this many strings a pattern is not worth listing: it is simply always run.
_MAX_LANGUAGE = 4096


def _strings(items: list[tuple[object, object]]) -> Iterator[str]:
    """Every string a parsed pattern (without its assertions) can match; ValueError where that
    is not a small finite set of literals."""
    pieces: list[list[str]] = []
    for op, av in items:
        if op is sre_constants.LITERAL:
            pieces.append([chr(av)])
        elif op is sre_constants.IN:
            chars = []
            for kind, code in av:
                if kind is not sre_constants.LITERAL:
                    raise ValueError(f"class item {kind}")
                chars.append(chr(code))
            pieces.append(chars)
        elif op is sre_constants.SUBPATTERN:
            _, add_flags, del_flags, sub = av
            if add_flags or del_flags:  # e.g. (?i:...): matches more than its literals
                raise ValueError("inline flags")
            pieces.append(list(_strings(list(sub))))
        elif op is sre_constants.BRANCH:
            pieces.append([s for branch in av[1] for s in _strings(list(branch))])
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, high, sub = av
            if high > 8:
                raise ValueError("unbounded repeat")
            inner = list(_strings(list(sub)))
            pieces.append(
                [
                    "".join(parts)
                    for n in range(low, high + 1)
                    for parts in itertools.product(inner, repeat=n)
                ]
            )
        elif op is sre_constants.AT:
            continue  # an assertion narrows the matches; leaving it out only adds strings
        else:
            raise ValueError(f"operator {op}")
        if len(pieces[-1]) > _MAX_LANGUAGE:
            raise ValueError("too many strings")
    for parts in itertools.product(*pieces):
        yield "".join(parts)


def first_words(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The words a match of `pattern` on normalised text can begin with, or None if that cannot
    be told (then the pattern is always run).

    Normalised text is word characters and spaces only. A pattern that starts and ends with
    `\\b` and matches only words joined by single spaces therefore matches whole tokens, and
    its first word is one of the text's tokens."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    try:
        items = list(sre_parser.parse(pattern.pattern, pattern.flags))
        boundary = (sre_constants.AT, sre_constants.AT_BOUNDARY)
        if len(items) < 2 or items[0] != boundary or items[-1] != boundary:
            return None
        strings = set(itertools.islice(_strings(items), _MAX_LANGUAGE + 1))
    except (ValueError, re.error, TypeError):
        return None
    if len(strings) > _MAX_LANGUAGE or not all(_WORDS.fullmatch(s) for s in strings):
        return None
    return frozenset(s.split(" ", 1)[0] for s in strings)


@dataclass(frozen=True, slots=True)
class _Rule:
    regex: re.Pattern[str]
    weight: float
    starts: frozenset[str] | None  # None: always run


def _rule(pattern: str, weight: float) -> _Rule:
    regex = re.compile(pattern)
    return _Rule(regex, weight, first_words(regex))


# Compiled, with their first words, once per process; the SOP profiles do not change them.
_RULES: tuple[tuple[Category, tuple[_Rule, ...]], ...] = tuple(
    (category, tuple(_rule(p, w) for p, w in patterns)) for category, patterns in PATTERNS.items()
)
_NEUTRAL_STARTS = first_words(NEUTRAL)
_FIRST_WORDS = frozenset(
    [
        *(w for _, rules in _RULES for rule in rules for w in rule.starts or ()),
        *(_NEUTRAL_STARTS or ()),
    ]
)


def _normalised_words(text: str) -> list[str]:
    text = text.lower()
    text = text.translate(_PUNCT_ASCII) if text.isascii() else _PUNCT.sub(" ", text)
    words = text.split()
    if "e" in words and "ktp" in words:
        words = _join_e_ktp(words)
    if "nya" not in text:
        return words
    # "aktanya", "kelahirannya", "pindahnya": the possessive suffix hides the keyword
    return [w[:-3] if len(w) > 5 and w.endswith("nya") else w for w in words]


def _join_e_ktp(words: list[str]) -> list[str]:
    """The word "e" then the word "ktp" become "ektp", left to right (as `\\be\\s+ktp\\b` did)."""
    joined: list[str] = []
    for word in words:
        if word == "ktp" and joined and joined[-1] == "e":
            joined[-1] = "ektp"
        else:
            joined.append(word)
    return joined


def normalise(text: str) -> str:
    return " ".join(_normalised_words(text))


def _offsets(words: list[str], norm: str) -> dict[str, list[int]]:
    """Where each word a pattern (or neutral phrase) can begin with starts in `norm`, the words
    joined by single spaces (searched by str.find, faster than a loop over the words)."""
    found: dict[str, list[int]] = {}
    padded = f" {norm} "
    for word in _FIRST_WORDS.intersection(words):
        ats = []
        at = padded.find(f" {word} ")
        while at >= 0:
            ats.append(at)  # the space before it in `padded`: where the word is in `norm`
            at = padded.find(f" {word} ", at + 1)
        found[word] = ats
    return found


def _candidates(starts: frozenset[str], offsets: dict[str, list[int]]) -> list[int]:
    return sorted(at for word, ats in offsets.items() if word in starts for at in ats)


def _matches_at(regex: re.Pattern[str], norm: str, candidates: list[int]) -> list[re.Match[str]]:
    """`regex.finditer(norm)` when every match starts at one of the (sorted) candidates: the
    leftmost match from any point on is then the first candidate there that matches."""
    found = []
    end = 0
    for at in candidates:
        if at >= end and (match := regex.match(norm, at)):
            end = match.end()
            found.append(match)
    return found


def scores(text: str) -> dict[Category, tuple[float, int]]:
    """Each category's score and the position of its first mention."""
    words = _normalised_words(text)
    norm = " ".join(words)
    offsets: dict[str, list[int]] | None = _offsets(words, norm)
    # Neutral phrases only remove whole words, so no other word appears once they are gone.
    present = frozenset(offsets)
    if _NEUTRAL_STARTS is None or _matches_at(NEUTRAL, norm, _candidates(_NEUTRAL_STARTS, offsets)):
        norm, removed = NEUTRAL.subn(" ", norm)
        if removed:
            offsets = None  # the words moved; a rare text, scanned in full
    found: dict[Category, tuple[float, int]] = {}
    for category, rules in _RULES:
        total, first = 0.0, len(norm)
        for rule in rules:
            if rule.starts is None:
                matches: Iterable[re.Match[str]] = rule.regex.finditer(norm)
            elif rule.starts.isdisjoint(present):
                continue
            elif offsets is None:
                matches = rule.regex.finditer(norm)
            else:
                matches = _matches_at(rule.regex, norm, _candidates(rule.starts, offsets))
            for match in matches:
                start, end = match.span()
                # The last/first WINDOW words around the match, without splitting the whole text.
                before = norm[:start].rsplit(None, WINDOW)[-WINDOW:]
                after = norm[end:].split(None, WINDOW)[:WINDOW]
                factor = 1.0
                if not NEED.isdisjoint(before) or not NEED.isdisjoint(after):
                    factor = 1.5
                if not SUPPORT.isdisjoint(before):
                    factor = 0.4
                total += rule.weight * factor
                first = min(first, start)
        if total:
            found[category] = (total, first)
    return found


def suggest(text: str) -> Category:
    found = scores(text or "")
    if not found:
        return Category.other
    best = max(found.items(), key=lambda item: (item[1][0], -item[1][1]))
    return best[0] if best[1][0] >= MIN_SCORE else Category.other


def evaluate(path: Path) -> tuple[float, int, list[tuple[str, str, str]]]:
    """Accuracy on a JSON-lines file of {"text", "category"}; also the misses."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    misses = [
        (row["text"], row["category"], str(guess))
        for row in rows
        if (guess := suggest(row["text"])) != row["category"]
    ]
    return 1 - len(misses) / len(rows), len(rows), misses


def main(argv: list[str]) -> int:
    accuracy, total, misses = evaluate(Path(argv[0]))
    print(f"accuracy {accuracy:.1%} on {total} messages ({len(misses)} wrong)")
    for text, want, got in misses:
        print(f"  want {want:<15} got {got:<15} {text}")
    print(Counter((w, g) for _, w, g in misses).most_common(5))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
