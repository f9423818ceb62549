"""Category suggestion from Indonesian complaint text, measured on labelled messages.

`data/categories.jsonl` (228 messages) is the set the keywords were tuned on;
`data/categories_holdout.jsonl` (59) was written afterwards and never tuned on. Rerun with
`python -m helpdesk.workflow.categories tests/helpdesk/workflow/data/categories.jsonl`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.models import Category
from helpdesk.workflow.categories import evaluate, suggest

DATA = Path(__file__).parent / "data"


def test_accuracy_on_the_labelled_set():
    accuracy, total, misses = evaluate(DATA / "categories.jsonl")
    assert total >= 200
    assert accuracy >= 0.97, misses


def test_accuracy_on_the_held_out_set():
    accuracy, total, misses = evaluate(DATA / "categories_holdout.jsonl")
    assert total >= 50
    assert accuracy >= 0.9, misses


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("KTP saya rusak", Category.ktp_el),
        ("e-ktp hilang", Category.ktp_el),
        ("ktp el blm jadi", Category.ktp_el),
        ("Kartu kluarga sy sobek", Category.kk),
        ("mau pecah kk", Category.kk),
        ("bikin KIA anak", Category.kia),
        ("akte lahir anak saya", Category.akta_kelahiran),
        ("akta kelahirannya salah", Category.akta_kelahiran),
        ("akta kematian bapak", Category.akta_kematian),
        ("ibu saya meninggal", Category.akta_kematian),
        ("urus skpwni", Category.pindah),
        ("surat pindah ke Bandung", Category.pindah),
        ("jam buka kantor?", Category.other),
        ("", Category.other),
    ],
)
def test_keywords_misspellings_and_abbreviations(text, category):
    assert suggest(text) == category


def test_a_supporting_document_does_not_outweigh_the_request():
    assert suggest("mau buat KIA, syaratnya fotokopi KK dan akta") == Category.kia
    assert suggest("tanggal lahir di KTP saya salah") == Category.ktp_el
