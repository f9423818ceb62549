"""A category suggested from the citizen's Indonesian text: keywords, misspellings, abbreviations.

Each category has weighted patterns (ktp, e-ktp, ktp el, kk, kartu keluarga, kia, akta/akte
lahir, akta kematian, surat pindah, skpwni…) matched on normalised text. A mention next to
words of need (hilang, rusak, buat, cetak, salah…) counts more; one next to words of
supporting documents (syarat, fotokopi, bawa…) counts less; ties go to the first mention.
The admin can always change it (the `set_category` action). Accuracy on the labelled set:
`python -m helpdesk.workflow.categories tests/helpdesk/workflow/data/categories.jsonl`.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

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
MIN_SCORE = 1.5
WINDOW = 3


def normalise(text: str) -> str:
    text = _PUNCT.sub(" ", text.lower())
    text = re.sub(r"\b(e)\s+(ktp)\b", r"\1\2", text)
    # "aktanya", "kelahirannya", "pindahnya": the possessive suffix hides the keyword
    return " ".join(w[:-3] if len(w) > 5 and w.endswith("nya") else w for w in text.split())


def scores(text: str) -> dict[Category, tuple[float, int]]:
    """Each category's score and the position of its first mention."""
    norm = NEUTRAL.sub(" ", normalise(text))
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
