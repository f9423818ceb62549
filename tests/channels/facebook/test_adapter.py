"""The Page adapter against the simulator: each way of answering, each refusal Meta makes.

Real facebook-sdk calls over HTTP; the simulator enforces Meta's rules (24-hour window,
HUMAN_AGENT's 7 days, one private reply per comment) and its failure switches.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from channels.base import (
    AccountConfig,
    AuthError,
    MediaRef,
    OutboundMessage,
    PermanentError,
    PlatformEndpoints,
    ReplyMode,
    TransientError,
)
from channels.facebook.adapter import FacebookAdapter
from tests.channels.meta.social_fixtures import CITIZEN_PSID, FB_TOKEN, PAGE_ID, MetaSim

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def account(human_agent: bool = False) -> AccountConfig:
    values = {"page_id": PAGE_ID, "access_token": FB_TOKEN}
    if human_agent:
        values["human_agent"] = "true"
    return AccountConfig(key=PAGE_ID, values=values)


@pytest.fixture
def adapter(endpoints: PlatformEndpoints) -> FacebookAdapter:
    return FacebookAdapter(endpoints)


def reply(body: str = "Silakan datang ke loket 3", **fields) -> OutboundMessage:  # type: ignore[no-untyped-def]
    fields.setdefault("recipient_id", CITIZEN_PSID)
    fields.setdefault("last_inbound_at", datetime.now(UTC))
    return OutboundMessage(body=body, **fields)


def citizen_writes(meta_sim: MetaSim, hours_ago: float = 0) -> None:
    meta_sim.act("facebook", "message", account_id=PAGE_ID, **{"from": CITIZEN_PSID}, text="Halo")
    if hours_ago:
        meta_sim.facebook.store.items[-1].timestamp -= int(hours_ago * 3600)


def comment(meta_sim: MetaSim, **extra) -> str:  # type: ignore[no-untyped-def]
    answer = meta_sim.act(
        "facebook", "comment", account_id=PAGE_ID, **{"from": "6001"}, text="Info KTP?", **extra
    )
    return str(answer["id"])


async def test_a_messenger_reply_inside_the_window_is_a_plain_response(adapter, meta_sim):
    citizen_writes(meta_sim)
    mid = await adapter.send(account(), reply())
    [sent] = meta_sim.facebook.store.outbound()
    assert (sent.id, sent.citizen, sent.text, sent.tag) == (
        mid,
        CITIZEN_PSID,
        "Silakan datang ke loket 3",
        None,
    )


async def test_after_a_day_the_human_agent_tag_carries_it_where_the_account_allows(
    adapter, meta_sim
):
    citizen_writes(meta_sim, hours_ago=30)
    last = datetime.now(UTC) - timedelta(hours=30)
    await adapter.send(account(human_agent=True), reply(last_inbound_at=last))
    assert meta_sim.facebook.store.outbound()[0].tag == "HUMAN_AGENT"
    with pytest.raises(PermanentError) as refused:
        await adapter.send(account(human_agent=False), reply(last_inbound_at=last))
    assert refused.value.code == "messaging_window_closed"


async def test_after_seven_days_nothing_reaches_the_citizen_on_messenger(adapter, meta_sim):
    last = datetime.now(UTC) - timedelta(days=8)
    with pytest.raises(PermanentError):
        await adapter.send(account(human_agent=True), reply(last_inbound_at=last))
    assert meta_sim.facebook.store.outbound() == []


async def test_meta_refuses_a_response_outside_the_window_the_helpdesk_did_not_know(
    adapter, meta_sim
):
    citizen_writes(meta_sim, hours_ago=30)  # the helpdesk thinks the citizen wrote just now
    with pytest.raises(PermanentError) as refused:
        await adapter.send(account(), reply())
    assert refused.value.code == "10/2018278"
    assert "outside of allowed window" in refused.value.message


async def test_a_public_reply_lands_under_the_comment(adapter, meta_sim):
    comment_id = comment(meta_sim)
    new_id = await adapter.send(
        account(), reply(reply_mode=ReplyMode.public_comment, reply_to_external_id=comment_id)
    )
    [sent] = meta_sim.facebook.store.outbound()
    assert (sent.id, sent.kind, sent.parent_id) == (new_id, "comment", comment_id)


async def test_one_private_reply_per_comment_the_second_is_refused_with_metas_reason(
    adapter, meta_sim
):
    comment_id = comment(meta_sim)
    private = reply(reply_mode=ReplyMode.private_reply, reply_to_external_id=comment_id)
    await adapter.send(account(), private)
    [sent] = meta_sim.facebook.store.outbound()
    assert (sent.kind, sent.private_reply_to, sent.citizen) == ("message", comment_id, "6001")
    with pytest.raises(PermanentError) as refused:
        await adapter.send(account(), private)
    assert (refused.value.code, refused.value.message) == (
        "10900",
        "(#10900) Activity already replied to",
    )


@pytest.mark.parametrize("code", [613, 4, 130429])
async def test_rate_limits_are_transient_with_metas_retry_after(adapter, meta_sim, code):
    citizen_writes(meta_sim)
    meta_sim.fault("facebook", "rate_limit", code=code, retry_after=42)
    with pytest.raises(TransientError) as limited:
        await adapter.send(account(), reply())
    assert (limited.value.code, limited.value.retry_after) == (str(code), 42.0)
    await adapter.send(account(), reply())  # the switch was for one send
    assert len(meta_sim.facebook.store.outbound()) == 1


@pytest.mark.parametrize(
    ("fault", "error", "code"),
    [
        ("token_expired", AuthError, "190"),
        ("unavailable", PermanentError, "551"),
        ("already_replied", PermanentError, "10900"),
        ("server_error", TransientError, "2"),
    ],
)
async def test_each_failure_switch_maps_to_its_kind(adapter, meta_sim, fault, error, code):
    citizen_writes(meta_sim)
    meta_sim.fault("facebook", fault)
    with pytest.raises(error) as failed:
        await adapter.send(account(), reply())
    assert failed.value.code == code


async def test_an_attachment_is_fetched_from_the_stored_webhook_without_the_token(
    adapter, meta_sim
):
    meta_sim.act(
        "facebook",
        "message",
        account_id=PAGE_ID,
        **{"from": CITIZEN_PSID},
        content_base64=base64.b64encode(PNG).decode(),
        mime_type="image/png",
    )
    [webhook] = meta_sim.receiver.wait_for(1)
    [message] = adapter.parse(webhook.body).messages
    media = message.media[0]
    fetched = await adapter.fetch_media(
        account(), MediaRef(media.media_id, kind=media.kind, payload=webhook.body)
    )
    # The simulator's CDN refuses any request carrying an Authorization header.
    assert (fetched.content, fetched.mime_type) == (PNG, "image/png")


async def test_an_attachment_missing_from_the_webhook_is_a_permanent_failure(adapter):
    with pytest.raises(PermanentError):
        await adapter.fetch_media(
            account(), MediaRef("m_gone#0", payload=b'{"object":"page","entry":[]}')
        )
