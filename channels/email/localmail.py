"""Local mail servers for the tests and the demo: a real Dovecot IMAP server run unprivileged
with a config of its own, and a real SMTP server (aiosmtpd) in a child process that delivers
into Dovecot's maildirs and keeps a copy of every mail in a spool directory.

Dovecot (Debian `dovecot-imapd`) facts: ../shared/PLATFORMS.md, "Email with imapclient".
Run as root (a CI container), Dovecot refuses root for its login and mail processes, so those
run as Debian's `dovenull` and `dovecot` users and the mail directory is given to `dovecot`.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from channels.email.localtls import TlsFiles

DOVECOT_PATHS = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")


class MailServerError(RuntimeError):
    pass


def find_dovecot() -> str | None:
    found = shutil.which("dovecot")
    return found or next((p for p in DOVECOT_PATHS if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, timeout: float = 15.0, process: subprocess.Popen | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise MailServerError(f"server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise MailServerError(f"nothing listens on 127.0.0.1:{port}")


@dataclass
class Dovecot:
    """`with Dovecot(root, {"dukcapil": "secret"}) as imap:` serves IMAP on `imap.port`; given
    `tls` (channels.email.localtls), STARTTLS there too and IMAP over TLS on `imap.tls_port`."""

    root: Path
    users: Mapping[str, str]
    port: int = 0
    tls: TlsFiles | None = None
    tls_port: int = 0
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def maildirs(self) -> Path:
        return self.root / "mail"

    def start(self) -> Dovecot:
        binary = find_dovecot()
        if binary is None:
            raise MailServerError(
                "dovecot is not installed (Debian: apt-get install dovecot-imapd)"
            )
        self.port = self.port or free_port()
        if self.tls is not None:
            self.tls_port = self.tls_port or free_port()
        self.root.mkdir(parents=True, exist_ok=True)
        run = self.root / f"run-{self.port}"  # fresh each start: no stale master.pid
        shutil.rmtree(run, ignore_errors=True)
        run.mkdir()
        self.maildirs.mkdir(exist_ok=True)
        for user in self.users:
            for sub in ("cur", "new", "tmp"):
                (self.maildirs / user / sub).mkdir(parents=True, exist_ok=True)
        passwd = self.root / "passwd"
        passwd.write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in self.users.items()))
        config = self.root / "dovecot.conf"
        config.write_text(self._config(run, passwd))
        if os.geteuid() == 0:
            mail_user = pwd.getpwnam("dovecot")
            for path in [self.maildirs, *self.maildirs.rglob("*")]:
                os.chown(path, mail_user.pw_uid, mail_user.pw_gid)
        log = (self.root / "dovecot.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own config, a fixed binary
            [binary, "-F", "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        wait_for_port(self.port, process=self.process)
        if self.tls is not None:
            wait_for_port(self.tls_port, process=self.process)
        return self

    def _config(self, run: Path, passwd: Path) -> str:
        if os.geteuid() == 0:
            internal, group, login = "dovecot", "dovecot", "dovenull"
            uid, gid = "dovecot", "dovecot"
        else:
            me = pwd.getpwuid(os.geteuid())
            internal, login, uid, gid = me.pw_name, me.pw_name, str(os.geteuid()), str(os.getgid())
            group = grp.getgrgid(os.getgid()).gr_name
        log = self.root / "dovecot.log"
        if self.tls is None:
            tls, imaps = "ssl = no", "port = 0"
        else:
            tls = (
                f"ssl = yes\nssl_cert = <{self.tls.cert_file}\nssl_key = <{self.tls.key_file}\n"
                "ssl_min_protocol = TLSv1.2"
            )
            imaps = f"address = 127.0.0.1\n    port = {self.tls_port}\n    ssl = yes"
        return f"""
base_dir = {run}
state_dir = {run}/state
log_path = {log}
info_log_path = {log}
protocols = imap
listen = 127.0.0.1
{tls}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = 0
mail_location = maildir:{self.maildirs}/%n
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    auto = create
    special_use = \\Sent
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {passwd}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.maildirs}/%n
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    {imaps}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
"""

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class SmtpServer:
    """aiosmtpd in a child process (`python -m channels.email.localmail smtp …`); given `tls`,
    it offers STARTTLS on `port` and serves SMTP over TLS (implicit) on `tls_port`."""

    spool: Path
    maildirs: Path | None = None
    port: int = 0
    tls: TlsFiles | None = None
    tls_port: int = 0
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> SmtpServer:
        self.port = self.port or free_port()
        self.spool.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "channels.email.localmail", "smtp", str(self.port)]
        command += [str(self.spool), str(self.maildirs or "")]
        if self.tls is not None:
            self.tls_port = self.tls_port or free_port()
            command += [str(self.tls_port), str(self.tls.cert_file), str(self.tls.key_file)]
        root = Path(__file__).resolve().parents[2]
        self.process = subprocess.Popen(command, cwd=root)  # noqa: S603 - our own module
        wait_for_port(self.port, process=self.process)
        if self.tls is not None:
            wait_for_port(self.tls_port, process=self.process)
        return self

    def received(self) -> list[bytes]:
        return [p.read_bytes() for p in sorted(self.spool.glob("*.eml"))]

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def deliver(maildirs: Path, user: str, raw: bytes) -> Path | None:
    """Maildir delivery (write in tmp/, rename into new/); None when there is no such user."""
    box = maildirs / user
    if not (box / "new").is_dir():
        return None
    name = f"{time.time_ns()}.{os.getpid()}.localmail"
    tmp = box / "tmp" / name
    tmp.write_bytes(raw)
    tmp.chmod(0o644)
    if os.geteuid() == 0:
        with contextlib.suppress(KeyError, OSError):
            mail_user = pwd.getpwnam("dovecot")
            os.chown(tmp, mail_user.pw_uid, mail_user.pw_gid)
    final = box / "new" / name
    os.replace(tmp, final)
    return final


def _serve_smtp(
    port: int, spool: Path, maildirs: Path | None, tls: tuple[int, str, str] | None = None
) -> None:
    """`tls`: (implicit TLS port, certificate file, key file)."""
    import asyncio
    import ssl

    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            raw = envelope.original_content or envelope.content
            name = f"{time.time_ns()}.eml"
            (spool / name).write_bytes(raw)
            if maildirs is not None:
                for rcpt in envelope.rcpt_tos:
                    deliver(maildirs, rcpt.split("@")[0].lower(), raw)
            return "250 Message accepted for delivery"

    limit = 64 * 1024 * 1024
    controllers = []
    if tls is None:
        controllers.append(
            Controller(Handler(), hostname="127.0.0.1", port=port, data_size_limit=limit)
        )
    else:
        tls_port, cert, key = tls
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        controllers += [
            Controller(
                Handler(),
                hostname="127.0.0.1",
                port=port,
                data_size_limit=limit,
                tls_context=context,  # STARTTLS offered
            ),
            Controller(
                Handler(),
                hostname="127.0.0.1",
                port=tls_port,
                data_size_limit=limit,
                ssl_context=context,  # TLS from the first byte
            ),
        ]
    for controller in controllers:
        controller.start()
    stop = asyncio.Event()

    def _quit(*_: object) -> None:
        loop.call_soon_threadsafe(stop.set)

    loop = asyncio.new_event_loop()
    signal.signal(signal.SIGTERM, _quit)
    signal.signal(signal.SIGINT, _quit)
    try:
        loop.run_until_complete(stop.wait())
    finally:
        for controller in controllers:
            controller.stop()


def _serve_demo(root: Path, imap_port: int, smtp_port: int) -> None:
    """A local mail system for trying the email channel by hand (see the README)."""
    users = {"dukcapil": "demo-dukcapil", "warga": "demo-dukcapil"}
    with (
        Dovecot(root.resolve(), users, port=imap_port) as imap,
        SmtpServer(root.resolve() / "spool", imap.maildirs, port=smtp_port) as smtp,
    ):
        print(
            f"IMAP 127.0.0.1:{imap.port}, SMTP 127.0.0.1:{smtp.port}; mailboxes "
            f"dukcapil@brebes.test and warga@brebes.test (password demo-dukcapil). "
            f"Add to an offices file:\n\n"
            f'[[office.channel]]\nkind = "email"\nlabel = "Surel Pengaduan"\n'
            f'address = "dukcapil@brebes.test"\nimap_host = "127.0.0.1"\n'
            f'imap_port = "{imap.port}"\n'
            f'imap_user = "dukcapil"\nimap_password = "demo-dukcapil"\nimap_tls = "none"\n'
            f'smtp_host = "127.0.0.1"\nsmtp_port = "{smtp.port}"\nsmtp_tls = "none"\n'
            f'poll_seconds = "5"\n\nCtrl-C stops both.',
            flush=True,
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the servers on SIGTERM too
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    if len(sys.argv) in (5, 8) and sys.argv[1] == "smtp":
        _serve_smtp(
            int(sys.argv[2]),
            Path(sys.argv[3]),
            Path(sys.argv[4]) if sys.argv[4] else None,
            (int(sys.argv[5]), sys.argv[6], sys.argv[7]) if len(sys.argv) == 8 else None,
        )
    elif len(sys.argv) == 5 and sys.argv[1] == "demo":
        _serve_demo(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        raise SystemExit(
            "usage: python -m channels.email.localmail smtp PORT SPOOL MAILDIRS "
            "[TLS_PORT CERT KEY]\n"
            "       python -m channels.email.localmail demo DIR IMAP_PORT SMTP_PORT"
        )
