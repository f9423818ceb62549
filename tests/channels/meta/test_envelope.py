"""Walking Meta's webhook envelope: strict outside, forgiving inside."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.base import InvalidPayload
from channels.meta.envelope import entries, ident, text, timestamp


@pytest.mark.parametrize(
    "value",
    [1764200000, "1764200000", 1764200000000, "1764200000000", "2025-11-26T23:33:20+0000"],
)
def test_meta_times_in_seconds_milliseconds_or_iso_are_one_moment(value):
    assert timestamp(value) == datetime(2025, 11, 26, 23, 33, 20, tzinfo=UTC)


@pytest.mark.parametrize("value", [None, True, -5, "soon", 1.5, "9" * 30])
def test_unusable_times_are_none(value):
    assert timestamp(value) is None


def test_ids_must_be_printable_and_short():
    assert ident(123) == "123"
    assert ident("m_1") == "m_1"
    assert ident("a\nb") is None and ident("x" * 600) is None and ident(True) is None


def test_text_drops_nul_and_unencodable_halves():
    assert text("a\x00b\ud83d", 10) == "ab?"
    assert text("", 10) is None


def test_an_entry_list_of_another_object_is_refused():
    with pytest.raises(InvalidPayload):
        list(entries(b'{"object": "page", "entry": []}', "instagram"))


def test_an_entry_that_is_not_an_object_is_marked_broken():
    [entry] = list(entries(b'{"object": "page", "entry": [1]}', "page"))
    assert entry.broken
