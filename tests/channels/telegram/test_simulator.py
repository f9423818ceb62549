"""The Bot API simulator speaks Telegram's shapes to python-telegram-bot, and delivers updates
to a webhook with the secret token, as Telegram does."""

from __future__ import annotations

import json

import httpx
import pytest

from channels.base import AuthError, PlatformEndpoints, TransientError
from channels.telegram.client import TelegramClient
from tests.channels.telegram.conftest import BREBES_GROUP, BREBES_TOKEN, CITIZEN_TG

BREBES_BOT = BREBES_TOKEN.split(":")[0]


def client_for(sim, token: str = BREBES_TOKEN) -> TelegramClient:  # type: ignore[no-untyped-def]
    return TelegramClient(
        PlatformEndpoints(telegram_api_url=sim.base_url + "/", timeout_seconds=5), token
    )


async def test_get_me_and_forum_topics_through_python_telegram_bot(telegram_sim):  # type: ignore[no-untyped-def]
    client = client_for(telegram_sim)
    assert (await client.get_me())["username"] == "dukcapil_brebes_bot"
    assert await client.is_forum(str(BREBES_GROUP))
    thread = await client.create_topic(str(BREBES_GROUP), "ADU/BREBES/2026/000001 · KTP-el")
    sent = await client.send_text(str(BREBES_GROUP), "Halo", thread_id=str(thread))
    [message] = telegram_sim.store.sent_by_bot(BREBES_GROUP)
    assert (message["message_id"], message["message_thread_id"]) == (sent, thread)


async def test_failure_switches_map_to_the_channels_error_kinds(telegram_sim):  # type: ignore[no-untyped-def]
    telegram_sim.write("private", bot_id=BREBES_BOT, user_id=CITIZEN_TG, text="halo")
    client = client_for(telegram_sim)
    telegram_sim.fault("sendMessage", 429, retry_after=9)
    with pytest.raises(TransientError) as slow:
        await client.send_text(str(CITIZEN_TG), "x")
    assert slow.value.retry_after == 9
    telegram_sim.fault("sendMessage", 500)
    with pytest.raises(TransientError):
        await client.send_text(str(CITIZEN_TG), "x")
    with pytest.raises(AuthError) as refused:
        await client_for(telegram_sim, "7000000001:wrong").send_text(str(CITIZEN_TG), "x")
    assert "wrong" not in str(refused.value)
    assert await client.send_text(str(CITIZEN_TG), "x") > 0  # the switches were one-shot


async def test_updates_are_delivered_to_the_webhook_with_the_secret_token(
    telegram_sim, webhook_receiver
):  # type: ignore[no-untyped-def]
    client = client_for(telegram_sim)
    assert await client.set_webhook(webhook_receiver.url, "rahasia-webhook", ["message"])
    webhook_receiver.responses.append(500)  # Telegram tries again after a failure
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(
            f"{telegram_sim.base_url}/_sim/private",
            json={"bot_id": BREBES_BOT, "user_id": CITIZEN_TG, "text": "KTP hilang"},
        )
    assert response.json()["delivered"] == 200
    first, second = webhook_receiver.wait_for(2)
    assert first.body == second.body
    assert second.headers["x-telegram-bot-api-secret-token"] == "rahasia-webhook"
    update = json.loads(second.body)
    assert update["message"]["text"] == "KTP hilang"
    assert update["message"]["chat"] == {"id": CITIZEN_TG, "type": "private", "first_name": "Warga"}


def test_the_page_shows_bots_groups_and_escapes_what_people_wrote(telegram_sim):  # type: ignore[no-untyped-def]
    telegram_sim.write("private", bot_id=BREBES_BOT, user_id=CITIZEN_TG, text="<b>KTP</b>")
    page = httpx.get(telegram_sim.base_url + "/", timeout=10).text
    assert "@dukcapil_brebes_bot" in page and "Group Admin Brebes" in page
    assert "&lt;b&gt;KTP&lt;/b&gt;" in page and "<b>KTP</b>" not in page
