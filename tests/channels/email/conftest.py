"""Real mail servers for the email tests: Dovecot (IMAP) and aiosmtpd (SMTP), each a process of
its own on a free port, no mocks. A missing Dovecot fails the run unless
HELPDESK_TEST_SKIP_SERVICES=1 (then those tests skip)."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient
from sqlalchemy import func, select

from channels.base import PlatformEndpoints
from channels.email.localmail import Dovecot, SmtpServer, find_dovecot
from helpdesk.db import transaction
from helpdesk.models import InboundEvent, InboundStatus
from helpdesk.offices import apply_offices, parse_offices
from helpdesk.polling import Pollers
from helpdesk.runtime import Runtime
from tests.conftest import SKIP_SERVICES

OFFICE_ADDRESS = "dukcapil@brebes.test"
PASSWORD = "rahasia-surel"
CITIZEN = "siti.aminah@warga.test"


@pytest.fixture
def dovecot_binary() -> str:
    binary = find_dovecot()
    if binary is None:
        message = "dovecot is not installed (apt-get install dovecot-imapd; .ci/run does)"
        if SKIP_SERVICES:
            pytest.skip(message + " (HELPDESK_TEST_SKIP_SERVICES=1)")
        pytest.fail(message + " or set HELPDESK_TEST_SKIP_SERVICES=1")
    return binary


@dataclass
class MailWorld:
    imap: Dovecot
    smtp: SmtpServer

    def client(self, user: str = "dukcapil") -> IMAPClient:
        client = IMAPClient("127.0.0.1", self.imap.port, ssl=False, timeout=10)
        client.login(user, PASSWORD)
        return client

    def append(
        self,
        raw: bytes,
        folder: str = "INBOX",
        when: datetime | None = None,
        user: str = "dukcapil",
    ) -> None:
        """Put a mail in a mailbox over IMAP (APPEND), as the office's MX would deliver it."""
        client = self.client(user)
        try:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            client.append(folder, raw, msg_time=when)
        finally:
            client.logout()

    def sent(self) -> list[bytes]:
        return self.smtp.received()

    def config(self, **extra: Any) -> dict[str, str]:
        values = {
            "kind": "email",
            "label": "Surel Pengaduan Brebes",
            "address": OFFICE_ADDRESS,
            "display_name": "Dukcapil Brebes",
            "imap_host": "127.0.0.1",
            "imap_port": str(self.imap.port),
            "imap_user": "dukcapil",
            "imap_password": PASSWORD,
            "imap_tls": "none",
            "smtp_host": "127.0.0.1",
            "smtp_port": str(self.smtp.port),
            "smtp_tls": "none",
            "poll_seconds": "1",
        }
        values.update({k: str(v) for k, v in extra.items()})
        return values


@pytest.fixture
def mailworld(dovecot_binary: str, tmp_path: Path) -> Iterator[MailWorld]:
    users = {"dukcapil": PASSWORD, "siti.aminah": PASSWORD}
    # Dovecot's own users must reach its files: pytest's tmp_path is private to us (0700).
    root = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
    root.chmod(0o755)
    try:
        with (
            Dovecot(root, users) as imap,
            SmtpServer(tmp_path / "spool", imap.maildirs) as smtp,
        ):
            yield MailWorld(imap, smtp)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def endpoints() -> PlatformEndpoints:
    return PlatformEndpoints(graph_api_url="http://127.0.0.1:9/graph/", timeout_seconds=10)


def office_toml(config: dict[str, str]) -> str:
    lines = "\n".join(f'{k} = "{v}"' for k, v in config.items())
    return f"""
[[office]]
code = "brebes"
name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Brebes"
sop = "brebes"
timezone = "Asia/Jakarta"

[[office.channel]]
{lines}
"""


@pytest.fixture
def mailbox(rt: Runtime, seed, mailworld: MailWorld):  # type: ignore[no-untyped-def]
    """`await mailbox(**config)`: the Brebes mailbox as a channel account (seed + email)."""

    async def _add(**extra: Any) -> MailWorld:
        async with transaction(rt.sessions) as session:
            specs = parse_offices(office_toml(mailworld.config(**extra)))
            await apply_offices(session, specs, partial=True)
        return mailworld

    return _add


@pytest.fixture
async def pollers(rt: Runtime):  # type: ignore[no-untyped-def]
    """Start this process's poll loops (fast timings); stopped at the end of the test."""
    started: list[Pollers] = []

    def _start(runtime: Runtime | None = None, **timings: float) -> Pollers:
        options = {"scan_seconds": 0.2, "renew_seconds": 0.5, "backoff": (0.1, 0.2, 0.5)}
        options.update(timings)
        pollers = Pollers(runtime or rt, **options)  # type: ignore[arg-type]
        pollers.start()
        started.append(pollers)
        return pollers

    yield _start
    for p in started:
        await p.close()


async def events(rt: Runtime) -> int:
    async with rt.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(InboundEvent)) or 0)


async def wait_for_events(rt: Runtime, count: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while (seen := await events(rt)) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} stored mails, got {seen}")
        await asyncio.sleep(0.05)


async def settle(rt: Runtime, jobs: Any, timeout: float = 120.0) -> None:
    """Run jobs until every stored mail is processed (a mail is visible a moment before its
    processing job is enqueued, so one drain may come too early)."""
    deadline = time.monotonic() + timeout
    while True:
        await jobs.drain(timeout=timeout)
        async with rt.sessions() as session:
            pending = await session.scalar(
                select(func.count())
                .select_from(InboundEvent)
                .where(InboundEvent.status == InboundStatus.pending)
            )
        if not pending:
            await jobs.drain(timeout=timeout)  # the attachment jobs they enqueued
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{pending} stored mails still unprocessed")
        await asyncio.sleep(0.05)


def with_settings(rt: Runtime, **changes: Any) -> Runtime:
    return replace(rt, settings=replace(rt.settings, **changes))
