"""Languages, labels, local times and error explanations."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from inbox import i18n
from inbox.messages import CATALOGUE
from tests.inbox.conftest import post_form

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 11, 27, 7, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "lang", "expected"),
    [
        ("Asia/Jakarta", "id", "27 Nov 2026 14.05 WIB"),
        ("Asia/Makassar", "id", "27 Nov 2026 15.05 WITA"),
        ("Asia/Jayapura", "id", "27 Nov 2026 16.05 WIT"),
        ("Asia/Jakarta", "en", "27 Nov 2026 14:05 WIB"),
        ("Europe/Amsterdam", "id", "27 Nov 2026 08.05 UTC+1"),
        ("Not/AZone", "id", "27 Nov 2026 07.05 UTC"),
    ],
)
def test_times_show_in_the_offices_zone(zone, lang, expected):
    assert i18n.format_datetime(AT, zone, lang) == expected


def test_indonesian_month_names():
    assert i18n.format_datetime(datetime(2026, 8, 17, 3, 0, tzinfo=UTC), "Asia/Jakarta", "id") == (
        "17 Agu 2026 10.00 WIB"
    )


@pytest.mark.parametrize(
    ("code", "error", "expected"),
    [
        ("window_closed", "The 24-hour window is closed", "Jendela 24 jam WhatsApp sudah tertutup"),
        ("131047", "[131047] Re-engagement message", "Jendela 24 jam WhatsApp sudah tertutup"),
        ("190", "[190] Error validating access token", "Token akses kanal kedaluwarsa"),
        ("130429", "[130429] Rate limit hit", "Batas kiriman platform; akan dicoba lagi"),
        ("4", "[4] Application request limit", "Batas kiriman platform"),
        ("http_429", "Too many", "Batas kiriman platform"),
        ("250", "[250] Permission", "tidak punya izin"),
        (None, "[190] Error validating access token", "Token akses kanal kedaluwarsa"),
        ("123456", "[123456] Something new", "[123456] Something new"),
        (None, None, "Alasan tidak diketahui"),
    ],
)
def test_known_error_codes_are_explained_and_others_shown_raw(code, error, expected):
    assert expected in i18n.explain_error(code, error, "id")


def test_labels_in_both_languages():
    assert [
        i18n.status_label(s, "id") for s in ("new", "open", "waiting", "resolved", "closed")
    ] == [
        "Baru",
        "Diproses",
        "Menunggu warga",
        "Selesai",
        "Ditutup",
    ]
    assert i18n.status_label("waiting", "en") == "Waiting for citizen"
    assert i18n.message_status_label("read", "id") == "Dibaca"
    assert i18n.channel_label("sp4n_lapor", "id") == "SP4N-LAPOR!"
    assert i18n.kind_label("sticker", "id") == "Stiker"
    assert i18n.channel_label("pigeon", "id") == "pigeon"  # unknown values show as they are


def test_the_language_is_chosen_from_cookie_then_user_then_default():
    assert i18n.choose_language("en", "id") == "en"
    assert i18n.choose_language(None, "en-US") == "en"
    assert i18n.choose_language("xx", None) == "id"
    assert i18n.choose_language(None, None) == "id"


def test_every_entry_has_both_languages_with_the_same_parameters():
    for key, entry in CATALOGUE.items():
        assert set(entry) == {"id", "en"}, key
        params = [set(re.findall(r"\{(\w+)\}", entry[lang])) for lang in ("id", "en")]
        assert params[0] == params[1], key


def test_every_key_used_in_templates_and_code_is_in_the_catalogue():
    sources = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "inbox").glob("*.py")]
    used: set[str] = set()
    for path in sources:
        text = path.read_text()
        used |= set(re.findall(r"""_\(\s*["']([a-z_]+\.[a-z_0-9]+)["']""", text))
        used |= set(re.findall(r"""["']((?:errpage|form|login|error)\.[a-z_0-9]+)["']""", text))
    used = {key for key in used if not key.endswith((".html", ".py"))}
    assert used and not sorted(used - set(CATALOGUE))


def test_every_value_the_models_know_has_a_label():
    from channels.base import ContentKind
    from channels.registry import ADAPTERS
    from helpdesk.models import MessageStatus, TicketStatus

    keys = {f"status.{s}" for s in TicketStatus} | {f"mstatus.{s}" for s in MessageStatus}
    keys |= {f"kind.{k}" for k in ContentKind} | {f"channel.{c}" for c in ADAPTERS}
    keys |= {f"lang.{code}" for code in i18n.LANGUAGES} | set(i18n.ERROR_KEYS.values())
    assert not sorted(keys - set(CATALOGUE))


async def test_switching_to_english_changes_the_labels(brebes, ticket):
    tid = await ticket("KTP rusak")
    assert "Keluar" in (await brebes.get(f"/tickets/{tid}")).text
    response = await post_form(brebes, "/lang", {"lang": "en", "next": f"/tickets/{tid}"})
    assert response.status_code == 303 and response.headers["location"] == f"/tickets/{tid}"
    assert "lang=en" in response.headers["set-cookie"]
    html = (await brebes.get(f"/tickets/{tid}")).text
    assert '<html lang="en">' in html
    assert "Sign out" in html and "Send reply" in html and ">New<" in html
    assert "Keluar" not in html
    back = await post_form(brebes, "/lang", {"lang": "id", "next": "https://evil.example/"})
    assert back.headers["location"] == "/"
    assert "Keluar" in (await brebes.get("/")).text


async def test_an_unknown_language_is_a_400(brebes):
    assert (await post_form(brebes, "/lang", {"lang": "xx"})).status_code == 400


async def test_error_pages_are_html_in_indonesian(brebes):
    response = await brebes.get("/tidak-ada")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Halaman atau tiket tidak ditemukan." in response.text
