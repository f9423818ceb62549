"""The Instagram adapter against the simulator: Direct replies, comment replies (top-level only,
as Instagram allows), private replies, and its shorter text limit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from channels.base import (
    AccountConfig,
    OutboundMessage,
    PermanentError,
    PlatformEndpoints,
    ReplyMode,
)
from channels.instagram.adapter import InstagramAdapter
from tests.channels.meta.social_fixtures import CITIZEN_IGSID, IG_ID, IG_TOKEN, PAGE_ID, MetaSim

ACCOUNT = AccountConfig(
    key=IG_ID, values={"instagram_id": IG_ID, "page_id": PAGE_ID, "access_token": IG_TOKEN}
)


@pytest.fixture
def adapter(endpoints: PlatformEndpoints) -> InstagramAdapter:
    return InstagramAdapter(endpoints)


def comment(meta_sim: MetaSim, **extra) -> str:  # type: ignore[no-untyped-def]
    answer = meta_sim.act(
        "instagram", "comment", account_id=IG_ID, **{"from": CITIZEN_IGSID}, text="KIA?", **extra
    )
    return str(answer["id"])


async def test_a_direct_reply_reaches_the_citizen(adapter, meta_sim):
    meta_sim.act("instagram", "message", account_id=IG_ID, **{"from": CITIZEN_IGSID}, text="Hai")
    mid = await adapter.send(
        ACCOUNT,
        OutboundMessage(recipient_id=CITIZEN_IGSID, body="Halo", last_inbound_at=datetime.now(UTC)),
    )
    [sent] = meta_sim.instagram.store.outbound()
    assert (sent.id, sent.citizen, sent.text) == (mid, CITIZEN_IGSID, "Halo")


async def test_a_text_over_a_thousand_characters_is_refused_before_sending(adapter, meta_sim):
    with pytest.raises(PermanentError) as refused:
        await adapter.send(ACCOUNT, OutboundMessage(recipient_id=CITIZEN_IGSID, body="x" * 1001))
    assert refused.value.code == "too_long"
    assert meta_sim.instagram.store.outbound() == []


async def test_public_replies_go_under_top_level_comments_only(adapter, meta_sim):
    top = comment(meta_sim)
    nested = comment(meta_sim, parent_id=top)
    public = OutboundMessage(
        recipient_id="", body="Senin-Jumat", reply_mode=ReplyMode.public_comment
    )
    await adapter.send(ACCOUNT, replace(public, reply_to_external_id=top))
    with pytest.raises(PermanentError) as refused:
        await adapter.send(ACCOUNT, replace(public, reply_to_external_id=nested))
    assert "top-level" in refused.value.message
    [sent] = meta_sim.instagram.store.outbound()
    assert (sent.kind, sent.parent_id) == ("comment", top)


async def test_a_private_reply_answers_the_comment_in_direct(adapter, meta_sim):
    top = comment(meta_sim)
    await adapter.send(
        ACCOUNT,
        OutboundMessage(
            recipient_id="",
            body="Kami bantu di sini",
            reply_mode=ReplyMode.private_reply,
            reply_to_external_id=top,
        ),
    )
    [sent] = meta_sim.instagram.store.outbound()
    assert (sent.kind, sent.private_reply_to, sent.citizen) == ("message", top, CITIZEN_IGSID)
