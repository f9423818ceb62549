"""Fixtures for the Page and Instagram tests: the Meta simulator with both surfaces on a real
port (webhooks to `webhook_receiver`), Tomohon's page and Instagram account in the database,
and a relay that hands the captured webhooks to the helpdesk as Meta would deliver them.

Import the fixtures into a test package's conftest.py to use them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from channels.base import PlatformEndpoints
from channels.facebook.simulator import page_product
from channels.instagram.simulator import instagram_product
from channels.meta.simulator.social import SocialProduct
from channels.meta.simulator.social_store import SocialAccount
from channels.whatsapp.simulator import SimulatorConfig, create_simulator
from helpdesk.db import transaction
from helpdesk.offices import apply_offices, parse_offices
from tests.conftest import APP_SECRET, VERIFY_TOKEN
from tests.simulators import WebhookReceiver, serve_app

PAGE_ID = "104857600000001"
IG_ID = "17841400000000099"
FB_TOKEN = "token-fb-tomohon"
IG_TOKEN = "token-ig-tomohon"
CITIZEN_PSID = "7001002003004005"
CITIZEN_IGSID = "17841400000000001"

SOCIAL_TOML = f"""
[[office]]
code = "tomohon"
name = "Dinas Kependudukan dan Pencatatan Sipil Kota Tomohon"
sop = "tomohon"
timezone = "Asia/Makassar"

[[office.channel]]
kind = "facebook"
label = "Facebook Dukcapil Tomohon"
page_id = "{PAGE_ID}"
access_token = "{FB_TOKEN}"
app_secret = "{APP_SECRET}"
verify_token = "{VERIFY_TOKEN}"
human_agent = "true"

[[office.channel]]
kind = "instagram"
label = "Instagram Dukcapil Tomohon"
instagram_id = "{IG_ID}"
page_id = "{PAGE_ID}"
access_token = "{IG_TOKEN}"
app_secret = "{APP_SECRET}"
verify_token = "{VERIFY_TOKEN}"
"""

_CHANNEL_OF_OBJECT = {"page": "facebook", "instagram": "instagram"}


@dataclass
class MetaSim:
    base_url: str
    facebook: SocialProduct
    instagram: SocialProduct
    receiver: WebhookReceiver

    @property
    def graph_url(self) -> str:
        return f"{self.base_url}/graph/"

    def act(self, surface: str, action: str, **data: Any) -> dict[str, Any]:
        """The citizen (or an admin in Meta's apps) does something; returns the answer."""
        response = httpx.post(f"{self.base_url}/_sim/{surface}/{action}", json=data, timeout=15)
        response.raise_for_status()
        return dict(response.json())

    def fault(self, surface: str, kind: str, **extra: Any) -> None:
        self.act(surface, "faults", fault=kind, **extra)


@pytest.fixture
def meta_sim(webhook_receiver: WebhookReceiver) -> Iterator[MetaSim]:
    products: list[SocialProduct] = []

    def build(base_url: str) -> Any:
        options: dict[str, Any] = {
            "app_secret": APP_SECRET,
            "webhook_url": webhook_receiver.url,
            "public_url": base_url,
            "webhook_backoff_seconds": 0.05,
            "webhook_max_attempts": 1,
            "echo_delay_seconds": 0.0,
        }
        products.extend(
            [
                page_product(
                    [SocialAccount(PAGE_ID, FB_TOKEN, "FB Tomohon", "Dukcapil")], **options
                ),
                instagram_product(
                    [SocialAccount(IG_ID, IG_TOKEN, "IG Tomohon", "dukcapil.tomohon")], **options
                ),
            ]
        )
        config = SimulatorConfig(
            numbers=[], app_secret=APP_SECRET, webhook_url=webhook_receiver.url
        )
        return create_simulator(config, products)

    with serve_app(build) as base_url:
        yield MetaSim(base_url, products[0], products[1], webhook_receiver)


@pytest.fixture
def endpoints(meta_sim: MetaSim) -> PlatformEndpoints:
    return PlatformEndpoints(graph_api_url=meta_sim.graph_url, timeout_seconds=5)


@pytest.fixture
async def social_seed(rt, seed):  # type: ignore[no-untyped-def]
    """The seed, plus Tomohon's Facebook page (HUMAN_AGENT allowed) and Instagram account."""
    async with transaction(rt.sessions) as session:
        await apply_offices(session, parse_offices(SOCIAL_TOML), partial=True)
    return seed


class Relay:
    """Hands what the simulator POSTed to the helpdesk's webhook routes, byte for byte."""

    def __init__(self, client: httpx.AsyncClient, receiver: WebhookReceiver) -> None:
        self.client = client
        self.receiver = receiver
        self.relayed = 0

    async def forward(self, count: int = 1) -> list[int]:
        """Wait for `count` more webhooks, relay them; returns the helpdesk's statuses."""
        captured = self.receiver.wait_for(self.relayed + count)
        statuses = []
        for request in captured[self.relayed : self.relayed + count]:
            statuses.append(await self.replay(request.body, request.headers))
        self.relayed += count
        return statuses

    async def replay(self, body: bytes, headers: dict[str, str]) -> int:
        channel = _CHANNEL_OF_OBJECT[json.loads(body)["object"]]
        response = await self.client.post(
            f"/webhooks/{channel}",
            content=body,
            headers={
                k: v for k, v in headers.items() if k.startswith("x-hub") or k == "content-type"
            },
        )
        return response.status_code


@pytest.fixture
def relay(client: httpx.AsyncClient, webhook_receiver: WebhookReceiver) -> Relay:
    return Relay(client, webhook_receiver)
