"""`helpdesk demo`: the demo offices, users and platform simulators that `make run` uses."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path

import uvicorn
from sqlalchemy import select

from channels import simulators
from channels.base import ChannelError
from channels.registry import build_adapters
from helpdesk.db import create_engine, create_sessionmaker, transaction
from helpdesk.migrate import upgrade
from helpdesk.models import ChannelAccount, Role
from helpdesk.offices import account_config, apply_offices, load_offices_file
from helpdesk.settings import Settings
from helpdesk.users import add_or_update_user

OFFICES_FILE = Path(__file__).with_name("offices.toml")
DEMO_PASSWORD = "demo-dukcapil"  # noqa: S105 - printed for the demo on purpose
DEMO_USERS = (
    ("admin.brebes", "brebes", Role.admin, "Admin Medsos Brebes"),
    ("groupadmin.brebes", "brebes", Role.group_admin, "Group Admin Brebes"),
    ("admin.tomohon", "tomohon", Role.admin, "Admin Dukcapil Tomohon"),
    ("kasie.tomohon", "tomohon", Role.kasie, "Kasie Tomohon"),
    ("kabid.tomohon", "tomohon", Role.kabid, "Kabid Tomohon"),
    ("kadis.tomohon", "tomohon", Role.kadis, "Kadis Tomohon"),
    ("superuser", None, Role.superuser, "Superuser"),
)


async def prepare(settings: Settings) -> list[simulators.DemoAccount]:
    """Load the demo offices and users (idempotent); return the demo's channel accounts."""
    engine = create_engine(settings)
    sessions = create_sessionmaker(engine)
    try:
        async with transaction(sessions) as session:
            await apply_offices(session, load_offices_file(OFFICES_FILE))
            for username, office, role, full_name in DEMO_USERS:
                await add_or_update_user(session, username, DEMO_PASSWORD, role, office, full_name)
            rows = await session.scalars(select(ChannelAccount).order_by(ChannelAccount.id))
            return [simulators.DemoAccount(a.kind, a.label, account_config(a)) for a in rows]
    finally:
        await engine.dispose()


async def run(host: str, port: int, simulator_port: int) -> None:
    settings = Settings.from_env()
    helpdesk_url = f"http://{host}:{port}"
    await asyncio.to_thread(upgrade, settings)
    accounts = await prepare(settings)
    sims = simulators.build(accounts, helpdesk_url, host, simulator_port)
    for name, value in sims.endpoints.items():
        os.environ.setdefault(f"HELPDESK_{name}", value)
    settings = Settings.from_env()  # now pointing at the simulators
    from helpdesk.app import create_app

    app = create_app(replace(settings))
    # timeout_graceful_shutdown: open live-update streams (GET /live) never end by themselves.
    config = uvicorn.Config(
        app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    _print_banner(helpdesk_url, sims.base_url)
    simulator_task = asyncio.create_task(sims.server.serve())
    await _register_webhooks(settings, accounts, helpdesk_url, sims.server)
    try:
        await server.serve()
    finally:
        sims.server.should_exit = True
        await simulator_task


async def _register_webhooks(
    settings: Settings,
    accounts: list[simulators.DemoAccount],
    helpdesk_url: str,
    server: uvicorn.Server,
) -> None:
    """Tell each platform that is told by an API call (Telegram's setWebhook) where to deliver."""
    while not server.started:  # noqa: ASYNC110 - uvicorn only offers this flag
        await asyncio.sleep(0.05)
    adapters = build_adapters(settings.endpoints)
    for account in accounts:
        url = f"{helpdesk_url}/webhooks/{account.kind}"
        try:
            if await adapters[account.kind].register_webhook(account.config, url):
                print(f"  {account.label}: webhook set to {url}", flush=True)
        except ChannelError as exc:
            print(f"  {account.label}: could not set the webhook: {exc}", flush=True)


def _print_banner(helpdesk_url: str, simulator_url: str) -> None:
    lines = [
        "",
        "Dukcapil helpdesk demo",
        f"  Inbox:      {helpdesk_url}/",
        f"  Simulator:  {simulator_url}/  (type as a citizen on WhatsApp)",
        f"  Facebook, Instagram: {simulator_url}/_sim/social  (Messenger, comments, Direct)",
        f"  Telegram:   {simulator_url}/telegram/  (a citizen, or the Brebes admin group)",
        f"  SP4N-LAPOR: {simulator_url}/lapor/  (file a report; Tomohon polls it)",
        f"  Logins (password for all: {DEMO_PASSWORD}):",
        *(f"    {u:<20} {r:<12} {o or 'all offices'}" for u, o, r, _ in DEMO_USERS),
        "  Send a complaint from the command line:",
        "    .venv/bin/helpdesk demo send whatsapp --office brebes --from 6281234567890 \\",
        '        "KTP saya rusak"',
        "",
    ]
    print("\n".join(lines), flush=True)
