"""Local stand-ins for the platforms, for the demo: one server, each platform under its prefix.

The helpdesk's demo calls this without knowing any platform: it passes the demo accounts, gets a
server to run, and the base URLs to point its settings at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx
import uvicorn

from channels.base import AccountConfig
from channels.facebook.simulator import page_product
from channels.instagram.simulator import instagram_product
from channels.meta.simulator.social import SocialProduct
from channels.meta.simulator.social_store import SocialAccount
from channels.sp4n_lapor.simulator import demo as lapor_simulator
from channels.telegram.simulator import demo as telegram_simulator
from channels.whatsapp.simulator.app import create_simulator
from channels.whatsapp.simulator.config import SimNumber, SimulatorConfig


@dataclass(frozen=True)
class DemoAccount:
    kind: str
    label: str
    config: AccountConfig


@dataclass(frozen=True)
class Simulators:
    server: uvicorn.Server
    base_url: str
    #: HELPDESK_* settings that point the helpdesk at the simulators
    endpoints: Mapping[str, str]


def build(accounts: Sequence[DemoAccount], helpdesk_url: str, host: str, port: int) -> Simulators:
    whatsapp = [a for a in accounts if a.kind == "whatsapp"]
    meta = [a for a in accounts if a.kind in ("whatsapp", "facebook", "instagram")]
    secrets = {a.config.get("app_secret") for a in meta}
    if len(secrets) > 1:
        raise ValueError("the demo Meta accounts must share one app secret (one Meta app)")
    app_secret = secrets.pop() if secrets else ""
    base_url = f"http://{host}:{port}"
    config = SimulatorConfig(
        numbers=[
            SimNumber(
                a.config.key,
                a.config.get("display_phone_number"),
                a.config.get("access_token"),
                a.label,
            )
            for a in whatsapp
        ],
        app_secret=app_secret,
        webhook_url=f"{helpdesk_url.rstrip('/')}/webhooks/whatsapp",
        public_url=base_url,
    )
    app = create_simulator(config, _social_products(accounts, app_secret, helpdesk_url, base_url))
    # Telegram's simulator is served beside Meta's, under /telegram (its own routes carry it).
    telegram = telegram_simulator.for_demo([a for a in accounts if a.kind == "telegram"])
    server = uvicorn.Server(
        uvicorn.Config(
            # LAPOR's simulator (API and the page to file a report) is served under /lapor.
            lapor_simulator.beside(telegram_simulator.beside(app, telegram), accounts),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
        )
    )
    return Simulators(
        server=server,
        base_url=base_url,
        endpoints={
            "GRAPH_API_URL": f"{base_url}/graph/",
            "TELEGRAM_API_URL": f"{base_url}{telegram_simulator.PREFIX}/",
            "LAPOR_API_URL": lapor_simulator.api_url(base_url),
        },
    )


def send_as_citizen(
    simulator_url: str, kind: str, account_key: str, sender: str, name: str, text: str
) -> dict[str, object]:
    """Have the simulator deliver a citizen's message to the helpdesk, as the platform would."""
    if kind == "telegram":
        return telegram_simulator.send_as_citizen(simulator_url, account_key, sender, name, text)
    if kind in ("facebook", "instagram"):
        return _social_send(simulator_url, kind, account_key, sender, name, text)
    if kind != "whatsapp":
        raise ValueError(f"the demo has no simulator for {kind!r} yet")
    response = httpx.post(
        f"{simulator_url.rstrip('/')}/_sim/inbound",
        json={"phone_number_id": account_key, "from": sender, "name": name, "text": text},
        timeout=30,
    )
    response.raise_for_status()
    return dict(response.json())


def _social_products(
    accounts: Sequence[DemoAccount], app_secret: str, helpdesk_url: str, base_url: str
) -> list[SocialProduct]:
    """The Page and Instagram surfaces of the Meta simulator, for the demo's accounts."""
    products = []
    for kind, key_field, make in (
        ("facebook", "page_id", page_product),
        ("instagram", "instagram_id", instagram_product),
    ):
        hosted = [
            SocialAccount(
                a.config.get(key_field),
                a.config.get("access_token"),
                a.label,
                a.config.get("name") or a.label,
            )
            for a in accounts
            if a.kind == kind
        ]
        if hosted:
            products.append(
                make(
                    hosted,
                    app_secret=app_secret,
                    webhook_url=f"{helpdesk_url.rstrip('/')}/webhooks/{kind}",
                    public_url=base_url,
                )
            )
    return products


def _social_send(
    simulator_url: str, kind: str, account_key: str, sender: str, name: str, text: str
) -> dict[str, object]:
    """A Messenger or Instagram Direct message; a text starting with "komentar:" is posted as a
    comment on the account's post instead."""
    action, prefix = "message", "komentar:"
    if text.lower().startswith(prefix):
        action, text = "comment", text[len(prefix) :].strip()
    response = httpx.post(
        f"{simulator_url.rstrip('/')}/_sim/{kind}/{action}",
        json={"account_id": account_key, "from": sender, "name": name, "text": text},
        timeout=30,
    )
    response.raise_for_status()
    return dict(response.json())
