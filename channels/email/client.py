"""The mail servers: IMAP (imapclient) to read the office mailbox, SMTP (aiosmtplib) to send.

Only this module imports those libraries. imapclient is blocking: `ImapSession` is driven from
the event loop through `asyncio.to_thread`, one call at a time, and its IDLE wait checks a stop
flag every second so a cancelled poller lets go quickly. Failures become the three error kinds
of `channels.base`.

- imapclient: https://imapclient.readthedocs.io/en/3.0.0/api.html
- IMAP IDLE, RFC 2177 (re-issue within 29 minutes): https://www.rfc-editor.org/rfc/rfc2177
- aiosmtplib: https://aiosmtplib.readthedocs.io/en/stable/reference.html
"""

from __future__ import annotations

import contextlib
import functools
import logging
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any, ParamSpec, TypeVar

import aiosmtplib
import imapclient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from channels.base import AuthError, PermanentError, TransientError

P = ParamSpec("P")
T = TypeVar("T")

IDLE_MAX_SECONDS = 25 * 60  # under the 29 minutes RFC 2177 allows
SENT_FLAG = rb"\Sent"  # RFC 6154 special-use
# imapclient sends imaplib's own protocol trace to this logger (at DEBUG).
IMAPLIB_LOGGER = "imapclient.imaplib"
_MESSAGE_ID_FIELD = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    user: str
    password: str
    tls: str  # "ssl" (implicit TLS), "starttls" or "none"
    timeout: float = 30.0
    ca_file: str | None = None

    def ssl_context(self) -> ssl.SSLContext:
        """The system's trusted CAs, or only the CA in `ca_file` (an office's own CA)."""
        try:
            return ssl.create_default_context(cafile=self.ca_file or None)
        except (OSError, ssl.SSLError) as exc:
            raise PermanentError(
                f"tls_ca_file {self.ca_file!r} cannot be read as PEM certificates: {_text(exc)}",
                code="config",
            ) from exc


@dataclass(frozen=True)
class MailMeta:
    uid: int
    size: int
    internal_date: datetime | None
    message_id_header: bytes


def _imap_errors(func: Callable[P, T]) -> Callable[P, T]:
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return func(*args, **kwargs)
        except LoginError as exc:
            raise AuthError(f"IMAP login refused: {_text(exc)}", code="imap_auth") from exc
        except ssl.SSLCertVerificationError as exc:
            raise untrusted("IMAP", exc) from exc
        except (IMAPClientAbortError, OSError, EOFError) as exc:  # socket, TLS, dropped link
            raise TransientError(f"IMAP connection: {_text(exc)}", code="connection") from exc
        except IMAPClientError as exc:
            raise TransientError(f"IMAP: {_text(exc)}", code="imap") from exc

    return wrapper


class ImapSession:
    """One logged-in connection to one mailbox."""

    def __init__(self, server: ServerSettings) -> None:
        self.server = server
        self.client: imapclient.IMAPClient | None = None
        self.lock = threading.Lock()

    @_imap_errors
    def connect(self) -> None:
        server = self.server
        client = imapclient.IMAPClient(
            server.host,
            port=server.port,
            ssl=server.tls == "ssl",
            ssl_context=server.ssl_context() if server.tls == "ssl" else None,
            timeout=server.timeout,
        )
        client.normalise_times = False  # aware INTERNALDATEs, not naive local times
        _quiet_imaplib(client)
        try:
            if server.tls == "starttls":
                client.starttls(server.ssl_context())
            client.login(server.user, server.password)
        except BaseException:
            _quietly(client.shutdown)
            raise
        self.client = client

    @property
    def imap(self) -> imapclient.IMAPClient:
        if self.client is None:
            raise TransientError("IMAP session is not connected", code="connection")
        return self.client

    @_imap_errors
    def select(self, folder: str) -> tuple[int, int]:
        """(UIDVALIDITY, UIDNEXT) of the folder, now selected."""
        with self.lock:
            info = self.imap.select_folder(folder)
        validity = int(info.get(b"UIDVALIDITY", 0))
        uidnext = int(info.get(b"UIDNEXT", 0))
        if not uidnext:
            found = self.imap.search(["ALL"])
            uidnext = max(found, default=0) + 1
        return validity, uidnext

    @_imap_errors
    def uids_after(self, last_uid: int) -> list[int]:
        # `UID n:*` always includes the highest UID even when it is below n: filter.
        with self.lock:
            found = self.imap.search(["UID", f"{last_uid + 1}:*"])
        return sorted(u for u in found if u > last_uid)

    @_imap_errors
    def uids_since(self, day: date) -> list[int]:
        with self.lock:
            return sorted(self.imap.search(["SINCE", day]))

    @_imap_errors
    def meta(self, uids: Sequence[int], message_ids: bool = True) -> list[MailMeta]:
        """Size and arrival of each mail, and with `message_ids` its Message-ID header (else
        empty): only a resync needs it, and it is a third of the CPU of parsing the answer."""
        if not uids:
            return []
        items = ["RFC822.SIZE", "INTERNALDATE"]
        if message_ids:
            items.append("BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]")
        with self.lock:
            rows = self.imap.fetch(list(uids), items)
        return [
            MailMeta(
                uid=uid,
                size=int(data.get(b"RFC822.SIZE", 0)),
                internal_date=data.get(b"INTERNALDATE"),
                message_id_header=data.get(_MESSAGE_ID_FIELD, b"") or b"",
            )
            for uid, data in sorted(rows.items())
        ]

    @_imap_errors
    def fetch(self, uid: int, headers_only: bool = False) -> bytes | None:
        """The raw mail (`BODY.PEEK[]` leaves \\Seen alone); None if it vanished meanwhile."""
        return self.fetch_many([uid], headers_only).get(uid)

    @_imap_errors
    def fetch_many(self, uids: Sequence[int], headers_only: bool = False) -> dict[int, bytes]:
        """Several raw mails in one round trip; those that vanished meanwhile are left out."""
        if not uids:
            return {}
        item = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
        key = b"BODY[HEADER]" if headers_only else b"BODY[]"
        with self.lock:
            rows = self.imap.fetch(list(uids), [item])
        return {uid: bytes(data.get(key) or b"") for uid, data in rows.items() if uid in uids}

    @_imap_errors
    def move(self, uids: Sequence[int], folder: str) -> None:
        with self.lock:
            if not self.imap.folder_exists(folder):
                self.imap.create_folder(folder)
            if self.imap.has_capability("MOVE"):
                self.imap.move(list(uids), folder)
            else:
                self.imap.copy(list(uids), folder)
                self.imap.delete_messages(list(uids))
                if self.imap.has_capability("UIDPLUS"):
                    self.imap.uid_expunge(list(uids))
                else:
                    self.imap.expunge()

    @_imap_errors
    def append_sent(self, folder: str, raw: bytes, when: datetime) -> str | None:
        """Keep a copy of a sent mail, read (\\Seen), in `folder` (created if missing), or with
        `folder` "auto" in the folder the server flags \\Sent (RFC 6154). Returns the folder;
        None when "auto" finds no such folder."""
        with self.lock:
            if folder == "auto":
                listed = self.imap.list_folders()
                found = next((name for flags, _, name in listed if SENT_FLAG in flags), None)
                if found is None:
                    return None
                folder = found
            elif not self.imap.folder_exists(folder):
                self.imap.create_folder(folder)
            self.imap.append(folder, raw, flags=[imapclient.SEEN], msg_time=when)
        return folder

    @_imap_errors
    def wait(self, stop: threading.Event, seconds: float, use_idle: bool) -> None:
        """Until the mailbox changes (IDLE) or `seconds` pass (polling), or `stop` is set."""
        deadline = time.monotonic() + min(seconds, IDLE_MAX_SECONDS)
        with self.lock:
            if not (use_idle and self.imap.has_capability("IDLE")):
                stop.wait(max(0.0, deadline - time.monotonic()))
                if not stop.is_set():
                    self.imap.noop()  # notices a dead connection now, not at the next fetch
                return
            self.imap.idle()
            try:
                while not stop.is_set() and time.monotonic() < deadline:
                    responses = self.imap.idle_check(timeout=1)
                    if any(not _keepalive(r) for r in responses):
                        break
            finally:
                self.imap.idle_done()

    def close(self) -> None:
        with self.lock:
            client, self.client = self.client, None
        if client is not None:
            _quietly(client.logout)
            _quietly(client.shutdown)


def untrusted(protocol: str, exc: ssl.SSLCertVerificationError) -> AuthError:
    """A server whose certificate we cannot verify is refused, never talked to: the server
    could not prove who it is (an AuthError: the account needs attention, not a retry soon)."""
    reason = exc.verify_message or _text(exc)
    return AuthError(
        f"{protocol} server's TLS certificate is not trusted ({reason}); if the mail server "
        f"uses a certificate of its own CA, set tls_ca_file to that CA's certificate",
        code="tls_untrusted",
    )


def _cert_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _quiet_imaplib(client: imapclient.IMAPClient) -> None:
    """Turn imaplib's protocol trace off unless someone logs it. imapclient sets imaplib's debug
    level to 5 and hands the trace to the `imapclient.imaplib` logger; at that level imaplib
    formats the repr of every untagged response, each fetched mail whole, when it arrives and
    again when it is handed over, and only then does the logger drop it. Reading the 2,000
    mails (47 MB) of bench/email_ingest took 0.34-0.39 s of CPU that way and 0.095 s without,
    all of it holding the GIL the ingest needs. See `IMAPClient.__init__` (imapclient 3) and
    `_append_untagged`, `_untagged_response` in CPython's Lib/imaplib.py."""
    if not logging.getLogger(IMAPLIB_LOGGER).isEnabledFor(logging.DEBUG):
        client._imap.debug = 0


def _keepalive(response: Any) -> bool:
    return isinstance(response, tuple) and bool(response) and response[0] == b"OK"


def _quietly(func: Callable[[], Any]) -> None:
    with contextlib.suppress(IMAPClientError, OSError, EOFError):
        func()


def _text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.strip()[:300]


async def smtp_send(server: ServerSettings, message: EmailMessage, sender: str) -> None:
    """Hand the mail to the office's SMTP server; map refusals to our error kinds."""
    context = server.ssl_context() if server.tls != "none" else None
    try:
        await aiosmtplib.send(
            message,
            sender=sender,
            hostname=server.host,
            port=server.port,
            username=server.user or None,
            password=server.password or None,
            use_tls=server.tls == "ssl",
            start_tls=server.tls == "starttls",
            tls_context=context,
            timeout=server.timeout,
        )
    except aiosmtplib.SMTPAuthenticationError as exc:
        raise AuthError(f"SMTP login refused: {exc.message}", code="smtp_auth") from exc
    except aiosmtplib.SMTPRecipientsRefused as exc:
        first = exc.recipients[0] if exc.recipients else None
        code = first.code if first else 550
        detail = first.message if first else str(exc)
        raise _by_code(code, f"SMTP refused the recipient: {detail}") from exc
    except aiosmtplib.SMTPResponseException as exc:
        raise _by_code(exc.code, f"SMTP said {exc.code}: {exc.message}") from exc
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        failure = _cert_failure(exc)
        if failure is not None:
            raise untrusted("SMTP", failure) from exc
        raise TransientError(f"SMTP connection: {_text(exc)}", code="connection") from exc


def _by_code(code: int, message: str) -> PermanentError | TransientError:
    if 400 <= code < 500:
        return TransientError(message[:500], code=f"smtp_{code}")
    return PermanentError(message[:500], code=f"smtp_{code}")
