"""Parsing a recorded message-template listing: which templates the helpdesk can fill and send."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from channels.whatsapp.templates import parse_templates

LISTING = json.loads(
    (Path(__file__).parent / "graph_fixtures" / "message_templates.json").read_text()
)
TEMPLATES = {t.name: t for t in parse_templates(LISTING["data"])}


def test_an_approved_body_variable_template_is_usable_with_its_text_parts():
    template = TEMPLATES["tindak_lanjut_pengaduan"]
    assert template.usable and template.reason == ""
    assert (template.language, template.category, template.status) == ("id", "UTILITY", "APPROVED")
    assert template.parameters == ("1", "2")
    assert template.header == "Dinas Dukcapil"
    assert template.footer == "Layanan Pengaduan Dukcapil"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("jadwal_perekaman", "media header"),
        ("cek_status_online", "url button"),
        ("sapaan_bernama", "placeholders not numbered 1..n"),
        ("lompat_nomor", "placeholders not numbered 1..n"),
        ("promo_jemput_bola_ktp", "status REJECTED"),
        ("pengingat_perekaman_ktp", "status PAUSED"),
    ],
)
def test_templates_the_helpdesk_cannot_send_are_kept_with_the_reason(name, reason):
    template = TEMPLATES[name]
    assert not template.usable
    assert reason in template.reason


def test_a_url_button_without_a_variable_needs_nothing_and_stays_usable():
    assert TEMPLATES["situs_resmi"].usable


def test_unreadable_items_are_skipped_and_the_rest_sorted():
    assert list(TEMPLATES) == sorted(TEMPLATES)
    assert "tanpa_bahasa" not in TEMPLATES
    assert len(TEMPLATES) == 8
