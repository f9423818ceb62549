"""Telegram tests: the Bot API simulator on a real port, python-telegram-bot pointed at it,
Brebes with a bot whose admin group is a forum, Tomohon with one whose group is not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from channels.base import PlatformEndpoints
from channels.telegram.simulator import (
    SimBot,
    SimGroup,
    SimStore,
    TelegramSimConfig,
    create_simulator,
)
from helpdesk.auth import create_token
from helpdesk.db import transaction
from helpdesk.models import Membership, Role, StaffIdentity, User
from helpdesk.offices import apply_offices, parse_offices
from helpdesk.runtime import Runtime
from tests.conftest import Seed, _password_hash
from tests.simulators import serve_app

BREBES_TOKEN = "7000000001:brebes-bot-secret-part"
TOMOHON_TOKEN = "7000000002:tomohon-bot-secret-part"
BREBES_SECRET = "brebes-webhook-secret"
TOMOHON_SECRET = "tomohon-webhook-secret"
BREBES_GROUP = -1001000000001  # a forum: a topic per ticket
TOMOHON_GROUP = -1001000000002  # a plain group: reply chains
PLAIN_BREBES_GROUP = -1001000000003  # Brebes' admin group as a plain group, where a test says
OTHER_GROUP = -1001000000999  # a group the bot is in, but not the office's admin group
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram accounts of staff (linked in `staff`), of an unlinked member, and of a citizen.
GROUP_ADMIN_TG = 7001
ADMIN_TG = 7002
KASIE_TOMOHON_TG = 7003
STRANGER_TG = 7999
CITIZEN_TG = 5550001

TELEGRAM_TOML = f"""
[[office]]
code = "brebes"
name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Brebes"
sop = "brebes"
timezone = "Asia/Jakarta"

[[office.channel]]
kind = "telegram"
label = "Bot Dukcapil Brebes"
bot_token = "{BREBES_TOKEN}"
secret_token = "{BREBES_SECRET}"
admin_group_id = "{BREBES_GROUP}"

[[office]]
code = "tomohon"
name = "Dinas Kependudukan dan Pencatatan Sipil Kota Tomohon"
sop = "tomohon"
timezone = "Asia/Makassar"

[[office.channel]]
kind = "telegram"
label = "Bot Dukcapil Tomohon"
bot_token = "{TOMOHON_TOKEN}"
secret_token = "{TOMOHON_SECRET}"
admin_group_id = "{TOMOHON_GROUP}"
"""


@dataclass
class TelegramSim:
    base_url: str
    store: SimStore

    def write(self, kind: str, **data: Any) -> dict[str, Any]:
        """Play a person (see channels/telegram/simulator/control.py); returns the update."""
        response = httpx.post(f"{self.base_url}/_sim/{kind}", json=data, timeout=10)
        assert response.status_code == 200, response.text
        return dict(response.json()["update"])

    def fault(self, method: str, status: int, count: int = 1, retry_after: int = 1) -> None:
        httpx.post(
            f"{self.base_url}/_sim/faults",
            json={"method": method, "status": status, "count": count, "retry_after": retry_after},
            timeout=10,
        ).raise_for_status()


@pytest.fixture
def telegram_sim() -> Iterator[TelegramSim]:
    config = TelegramSimConfig(
        bots=[
            SimBot(BREBES_TOKEN, "dukcapil_brebes_bot", "Dukcapil Brebes"),
            SimBot(TOMOHON_TOKEN, "dukcapil_tomohon_bot", "Dukcapil Tomohon"),
        ],
        groups=[
            SimGroup(BREBES_GROUP, "Group Admin Brebes", True, (BREBES_TOKEN,)),
            SimGroup(TOMOHON_GROUP, "Grup Admin Tomohon", False, (TOMOHON_TOKEN,)),
            SimGroup(PLAIN_BREBES_GROUP, "Grup Admin Brebes (biasa)", False, (BREBES_TOKEN,)),
            SimGroup(OTHER_GROUP, "Grup lain", False, (BREBES_TOKEN,)),
        ],
        delivery_backoff_seconds=0.01,
    )
    apps: list[Any] = []

    def build(base_url: str) -> Any:
        apps.append(create_simulator(config))
        return apps[0]

    with serve_app(build) as base_url:
        yield TelegramSim(base_url, apps[0].state.telegram_store)


@pytest.fixture
def endpoints(telegram_sim: TelegramSim) -> PlatformEndpoints:
    return PlatformEndpoints(
        graph_api_url="http://127.0.0.1:9/graph/",
        telegram_api_url=f"{telegram_sim.base_url}/",
        timeout_seconds=5,
    )


@dataclass
class Staff:
    users: dict[str, int]

    async def link(self, rt: Runtime, username: str, telegram_id: int) -> None:
        async with transaction(rt.sessions) as session:
            session.add(
                StaffIdentity(
                    user_id=self.users[username],
                    channel="telegram",
                    external_id=str(telegram_id),
                    label=username,
                )
            )


@pytest.fixture
async def staff(rt: Runtime, seed: Seed) -> Staff:
    """The Telegram bots on both offices, and a Group Admin in Brebes (besides the seed's)."""
    async with transaction(rt.sessions) as session:
        await apply_offices(session, parse_offices(TELEGRAM_TOML), partial=True)
        user = User(
            username="groupadmin_brebes",
            full_name="Group Admin Brebes",
            password_hash=_password_hash(),
        )
        session.add(user)
        await session.flush()
        session.add(
            Membership(user_id=user.id, office_id=seed.offices["brebes"], role=Role.group_admin)
        )
        seed.tokens["groupadmin_brebes"] = await create_token(session, user, "tests")
    rt.forget_accounts()
    return Staff(users={**seed.users, "groupadmin_brebes": user.id})


async def deliver(client: httpx.AsyncClient, update: dict[str, Any], secret: str) -> int:
    """Post an update to the helpdesk's webhook as Telegram does; the HTTP status."""
    response = await client.post(
        "/webhooks/telegram",
        content=json.dumps(update).encode(),
        headers={SECRET_HEADER: secret, "content-type": "application/json"},
    )
    return response.status_code
