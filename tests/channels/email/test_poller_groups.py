"""Mails are fetched in groups small enough to hold in memory, in mailbox order."""

from __future__ import annotations

from channels.email.client import MailMeta
from channels.email.poller import FETCH_BYTES, MAX_BATCH, _groups, _rounds

MB = 1024 * 1024


def meta(uid: int, size: int) -> MailMeta:
    return MailMeta(uid=uid, size=size, internal_date=None, message_id_header=b"")


def test_small_mails_share_a_group_until_it_is_full():
    metas = [meta(i, 4 * MB) for i in range(1, 10)]
    groups = _groups(metas, max_message_bytes=64 * MB)
    assert [[m.uid for m in g] for g in groups] == [[1, 2, 3, 4], [5, 6, 7, 8], [9]]
    assert all(sum(m.size for m in g) <= FETCH_BYTES for g in groups)


def test_a_mail_bigger_than_a_group_is_fetched_alone():
    groups = _groups([meta(1, MB), meta(2, 40 * MB), meta(3, MB)], max_message_bytes=64 * MB)
    assert [[m.uid for m in g] for g in groups] == [[1], [2], [3]]


def test_mails_over_the_limit_count_as_their_header_only():
    # The first mail over the limit must open a group too (its header is all that is fetched).
    groups = _groups([meta(1, 90 * MB), meta(2, MB)], max_message_bytes=25 * MB)
    assert [[m.uid for m in g] for g in groups] == [[1, 2]]


def test_a_backlog_is_read_in_rounds_that_grow_from_small_to_the_cap():
    rounds = _rounds(1000)
    assert [end - start for start, end in rounds] == [25, 50, 100, 200, 200, 200, 200, 25]
    # every UID once, in order
    assert [i for start, end in rounds for i in range(start, end)] == list(range(1000))
    assert _rounds(10) == [(0, 10)] and _rounds(0) == []
    assert max(end - start for start, end in rounds) == MAX_BATCH
