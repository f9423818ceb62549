"""TLS on the email channel, for real: Dovecot serving IMAP over TLS and STARTTLS, aiosmtpd
offering STARTTLS and SMTP over TLS, all with a certificate of a CA made for the test; the
account trusts that CA through `tls_ca_file`. Without it the certificate is refused, with the
reason, and nothing is read or sent."""

from __future__ import annotations

import email
import shutil
import tempfile
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest

from channels.base import AccountConfig, AuthError, OutboundMessage, PermanentError
from channels.email.adapter import EmailAdapter
from channels.email.localmail import Dovecot, SmtpServer
from channels.email.localtls import TlsFiles, make_certificates
from helpdesk.db import transaction
from helpdesk.models import AccountHealth
from helpdesk.offices import apply_offices, parse_offices
from helpdesk.runtime import Runtime
from tests.channels.email.conftest import (
    CITIZEN,
    OFFICE_ADDRESS,
    PASSWORD,
    MailWorld,
    events,
    office_toml,
    wait_for_events,
)
from tests.channels.email.test_health import wait_until
from tests.channels.email.test_mailbox import mail


@pytest.fixture
def certificates(tmp_path: Path) -> TlsFiles:
    return make_certificates(tmp_path / "tls")


@pytest.fixture
def tls_world(dovecot_binary: str, tmp_path: Path, certificates: TlsFiles) -> Iterator[MailWorld]:
    users = {"dukcapil": PASSWORD, "siti.aminah": PASSWORD}
    root = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-tls-"))
    root.chmod(0o755)
    try:
        with (
            Dovecot(root, users, tls=certificates) as imap,
            SmtpServer(tmp_path / "spool", imap.maildirs, tls=certificates) as smtp,
        ):
            yield MailWorld(imap, smtp)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def imap_port(world: MailWorld, tls: str) -> int:
    return world.imap.tls_port if tls == "ssl" else world.imap.port


def smtp_port(world: MailWorld, tls: str) -> int:
    return world.smtp.tls_port if tls == "ssl" else world.smtp.port


async def add_mailbox(rt: Runtime, world: MailWorld, **extra: Any) -> None:
    async with transaction(rt.sessions) as session:
        specs = parse_offices(office_toml(world.config(**extra)))
        await apply_offices(session, specs, partial=True)


def smtp_account(world: MailWorld, tls: str, **extra: str) -> AccountConfig:
    values = world.config(smtp_tls=tls, smtp_port=smtp_port(world, tls), **extra)
    return AccountConfig(key=OFFICE_ADDRESS, values=values)


def answer() -> OutboundMessage:
    return OutboundMessage(
        recipient_id=CITIZEN, body="KTP Ibu sudah jadi.", subject="KTP", register_no="ADU/1"
    )


@pytest.mark.parametrize("tls", ["ssl", "starttls"])
async def test_mail_is_read_over_tls_from_a_server_of_a_trusted_ca(
    rt, seed, tls_world, certificates, pollers, tls
):
    tls_world.append(mail("KTP", "KTP saya hilang", message_id=f"tls-{tls}@warga.test"))
    await add_mailbox(
        rt,
        tls_world,
        imap_tls=tls,
        imap_port=imap_port(tls_world, tls),
        tls_ca_file=certificates.ca_file,
    )
    pollers()
    await wait_for_events(rt, 1)


@pytest.mark.parametrize("tls", ["ssl", "starttls"])
async def test_an_untrusted_imap_certificate_is_refused_with_the_reason(
    rt, seed, tls_world, pollers, tls
):
    tls_world.append(mail("KTP", "KTP saya hilang", message_id=f"untrusted-{tls}@warga.test"))
    await add_mailbox(rt, tls_world, imap_tls=tls, imap_port=imap_port(tls_world, tls))
    pollers(auth_backoff=60)
    refused = await wait_until(rt, lambda a: a.health == AccountHealth.needs_attention)
    assert "IMAP server's TLS certificate is not trusted" in refused.last_error
    assert "(unable to get local issuer certificate)" in refused.last_error
    assert "tls_ca_file" in refused.last_error
    assert await events(rt) == 0  # nothing read from a server that could not prove who it is


@pytest.mark.parametrize("tls", ["ssl", "starttls"])
async def test_a_reply_leaves_over_tls_to_a_server_of_a_trusted_ca(
    tls_world, certificates, endpoints, tls
):
    adapter = EmailAdapter(endpoints)
    config = smtp_account(tls_world, tls, tls_ca_file=str(certificates.ca_file))
    message_id = await adapter.send(config, answer())
    [sent] = tls_world.sent()
    delivered = email.message_from_bytes(sent, policy=policy.default)
    assert delivered["Message-ID"] == f"<{message_id}>"
    assert delivered.get_content().strip() == "KTP Ibu sudah jadi."


@pytest.mark.parametrize("tls", ["ssl", "starttls"])
async def test_an_untrusted_smtp_certificate_is_refused_and_nothing_is_sent(
    tls_world, endpoints, tls
):
    adapter = EmailAdapter(endpoints)
    with pytest.raises(AuthError) as refused:
        await adapter.send(smtp_account(tls_world, tls), answer())
    assert refused.value.code == "tls_untrusted"
    assert "SMTP server's TLS certificate is not trusted" in refused.value.message
    assert tls_world.sent() == []


async def test_a_certificate_of_another_ca_is_refused_too(tls_world, endpoints, tmp_path):
    other = make_certificates(tmp_path / "other", name="Someone else's CA")
    adapter = EmailAdapter(endpoints)
    config = smtp_account(tls_world, "ssl", tls_ca_file=str(other.ca_file))
    with pytest.raises(AuthError) as refused:
        await adapter.send(config, answer())
    assert refused.value.code == "tls_untrusted"
    assert "(unable to get local issuer certificate)" in refused.value.message
    assert tls_world.sent() == []


async def test_an_unreadable_ca_file_is_a_configuration_error(tls_world, endpoints, tmp_path):
    adapter = EmailAdapter(endpoints)
    config = smtp_account(tls_world, "ssl", tls_ca_file=str(tmp_path / "missing.pem"))
    with pytest.raises(PermanentError) as refused:
        await adapter.send(config, answer())
    assert refused.value.code == "config" and "tls_ca_file" in refused.value.message
