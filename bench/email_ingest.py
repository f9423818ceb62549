"""Email ingest benchmark: N mails in a Dovecot mailbox → tickets, beside django-helpdesk.

    .venv/bin/python -m bench.email_ingest --backend sqlite|postgresql --n 2000 [--replies 0.25]

In this order (see bench/README.md):
1. N realistic mails (`make_mails`: Indonesian complaints from varied senders and mail clients,
   some with attachments, a share of them replies to earlier mails of the set) are APPENDed to
   a fresh Dovecot (channels.email.localmail), into two mailboxes: `dukcapil` (the helpdesk's)
   and `djangohd` (django-helpdesk's, which deletes what it has read).
2. A fresh helpdesk database with one office and one email account on that mailbox; then
   `helpdesk serve` (+ one `helpdesk worker` on PostgreSQL) is launched, and the clock runs from
   that launch until N inbound messages exist.
3. django-helpdesk's `manage.py get_email` on its own mailbox, in a virtual environment of its
   own (bench/email_django_helpdesk.py): the clock runs from the launch of the command to its
   exit.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import platform
import quopri
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

from imapclient import IMAPClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import email_django_helpdesk as djh
from bench.ingest import (
    POSTGRES_ADMIN_URL,
    PROJECT_ROOT,
    RESULTS_DIR,
    BenchError,
    Service,
    clear_queue,
    counting_engine,
    free_port,
    git_commit,
    log_problems,
    postgres_admin,
    print_log_tails,
    run_cli,
    service_env,
    start_service,
    stop_service,
)
from channels.email.localmail import Dovecot, MailServerError, SmtpServer, find_dovecot

REDIS_URL = "redis://127.0.0.1:6379/14"
JAKARTA = timezone(timedelta(hours=7), "WIB")
PY_SPY = Path(sys.executable).parent / "py-spy"

OFFICE_ADDRESS = "dukcapil@brebes.test"
HELPDESK_USER = "dukcapil"
DJANGO_USER = "djangohd"
PASSWORD = "bench-surel"
TARGET_RATIO = 5.0
# A reply answers a mail at least this many places before it in the mailbox, so that its
# parent has been processed when it is (both systems thread only to mails they already have).
REPLY_GAP = 50
APPEND_BATCH = 100
WATCH_EVERY = 0.1

OFFICES_TOML = """
[[office]]
code = "brebes"
name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Brebes (bench)"
sop = "brebes"
timezone = "Asia/Jakarta"

[[office.channel]]
kind = "email"
label = "Surel bench"
address = "{address}"
display_name = "Dukcapil Brebes"
imap_host = "127.0.0.1"
imap_port = "{imap_port}"
imap_user = "{user}"
imap_password = "{password}"
imap_tls = "none"
smtp_host = "127.0.0.1"
smtp_port = "{smtp_port}"
smtp_tls = "none"
"""


# --- the mails ----------------------------------------------------------------------------------

FIRST_NAMES = (
    "Siti", "Ahmad", "Dewi", "Budi", "Sri", "Agus", "Nur", "Eko", "Rina", "Joko", "Wahyu",
    "Fitri", "Slamet", "Yuliani", "Teguh", "Nining", "Imam", "Ratna", "Dedi", "Lestari",
    "Muhammad", "Aisyah", "Bambang", "Endang", "Hendra", "Kartini", "Rizki", "Sutrisno",
)  # fmt: skip
LAST_NAMES = (
    "Aminah", "Hidayat", "Lestari", "Santoso", "Rahayu", "Setiawan", "Wulandari", "Prasetyo",
    "Kurniawan", "Susanti", "Saputra", "Nugroho", "Handayani", "Maulana", "Rahmawati",
    "Firmansyah", "Pratiwi", "Sulistyo", "Hartono", "Safitri",
)  # fmt: skip
KECAMATAN = (
    "Brebes", "Bulakamba", "Wanasari", "Tanjung", "Losari", "Larangan", "Ketanggungan",
    "Banjarharjo", "Kersana", "Jatibarang", "Songgom", "Bumiayu", "Paguyangan", "Sirampog",
    "Tonjong", "Bantarkawung", "Salem",
)  # fmt: skip
DESA = ("Limbangan", "Kaliwlingi", "Pebatan", "Sigambir", "Kluwut", "Grinting", "Kertasari")
# (subject, opening) of a new complaint; {nik}, {kec}, {desa}, {tgl} are filled in.
TOPICS = (
    ("KTP-el rusak, mohon penggantian",
     "KTP-el saya patah dan chipnya tidak terbaca waktu dipakai di bank. NIK saya {nik}, "
     "alamat Desa {desa} Kecamatan {kec}. Bagaimana cara mengganti KTP-el yang rusak dan "
     "apakah harus membawa surat pengantar dari desa?"),
    ("Pengaduan: KK belum dicetak",
     "Saya sudah mengajukan perubahan KK sejak {tgl} di kantor Kecamatan {kec} tetapi sampai "
     "sekarang belum jadi. NIK kepala keluarga {nik}. Mohon informasi kapan KK bisa diambil."),
    ("Salah penulisan nama di akta kelahiran",
     "Di akta kelahiran anak saya nama ibunya tertulis salah satu huruf. Kami tinggal di Desa "
     "{desa}, Kecamatan {kec}. Apa saja persyaratan untuk pembetulan akta kelahiran?"),
    ("Permohonan akta kematian",
     "Bapak saya meninggal dunia pada {tgl}. Saya ingin mengurus akta kematian dan "
     "memperbarui KK. NIK almarhum {nik}. Mohon petunjuk syarat-syaratnya."),
    ("NIK tidak terdaftar saat daftar BPJS",
     "Waktu mendaftar BPJS Kesehatan, NIK saya {nik} dinyatakan tidak terdaftar. Padahal KTP-el "
     "saya masih berlaku. Mohon bantuan pengecekan data kependudukan saya."),
    ("Surat pindah datang",
     "Saya pindah dari Kabupaten Tegal ke Desa {desa}, Kecamatan {kec}. Surat pindah (SKPWNI) "
     "sudah saya terima tanggal {tgl}. Apakah bisa langsung mengurus KK baru secara daring?"),
    ("Pembuatan KIA untuk anak",
     "Anak saya berumur 6 tahun dan belum punya Kartu Identitas Anak. Sekolah memintanya untuk "
     "pendaftaran. NIK anak {nik}. Bagaimana cara membuat KIA di Dukcapil Brebes?"),
    ("Perubahan status perkawinan di KTP",
     "Saya sudah menikah pada {tgl} tetapi status di KTP-el dan KK masih belum kawin. NIK "
     "{nik}. Dokumen apa yang perlu saya bawa untuk perubahan data?"),
    ("Data ganda / NIK ganda",
     "Ada dua NIK atas nama saya, yang satu {nik}. Akibatnya pencairan bantuan sosial ditolak. "
     "Saya tinggal di Kecamatan {kec}. Mohon NIK yang ganda dinonaktifkan."),
    ("Tanya jadwal pelayanan Sabtu – perekaman KTP-el",
     "Apakah kantor Dukcapil Brebes buka pada hari Sabtu untuk perekaman KTP-el? Saya bekerja "
     "di Jakarta dan hanya bisa pulang ke {kec} akhir pekan."),
)  # fmt: skip
FOLLOW_UPS = (
    "Mohon maaf, sampai hari ini belum ada jawaban. Mohon ditindaklanjuti.",
    "Berikut saya tambahkan data yang kurang. NIK pelapor {nik}.",
    "Terima kasih atas jawabannya. Besok saya datang ke kantor membawa KK asli.",
    "Apakah berkas saya sudah lengkap? Saya sudah kirim fotonya kemarin.",
    "Saya sudah ke kantor kecamatan {kec} tetapi disuruh menghubungi Dukcapil kabupaten.",
    "Baik, saya tunggu kabar selanjutnya. Terima kasih banyak.",
)
GREETINGS = ("Selamat pagi,", "Selamat siang Bapak/Ibu,", "Assalamualaikum,", "Yth. Dukcapil,")
CLOSINGS = ("Terima kasih.", "Atas perhatiannya saya ucapkan terima kasih.", "Hormat saya,")
# mail client: (domains of its users, its signature line or None)
CLIENTS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "gmail": (("gmail.com",), None),
    "android": (("gmail.com",), "Dikirim dari ponsel Android saya"),
    "iphone": (("icloud.com", "gmail.com"), "Dikirim dari iPhone saya"),
    "outlook": (("outlook.com", "hotmail.com", "outlook.co.id"), "Dikirim dari Outlook"),
    "yahoo": (("yahoo.com", "yahoo.co.id", "ymail.com"), "Dikirim dari Yahoo Mail di Android"),
    "thunderbird": (("plasa.com", "telkom.net", "brebeskab.go.id"), None),
}


@dataclass(frozen=True)
class Citizen:
    name: str
    address: str
    client: str


@dataclass(frozen=True)
class Mail:
    raw: bytes
    message_id: str  # as in the header, with its angle brackets
    subject: str
    text: str  # the new text (for a reply's quote)
    citizen: Citizen
    sent_at: datetime
    references: tuple[str, ...] = ()
    parent: int | None = None  # the index of the mail it answers
    attachments: int = 0


def make_citizens(rng: random.Random, count: int) -> list[Citizen]:
    citizens = []
    for i in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        client = rng.choices(list(CLIENTS), weights=(30, 25, 10, 15, 12, 8))[0]
        local = rng.choice(
            (f"{first}.{last}", f"{first}{last}{rng.randint(1, 99)}", f"{first}_{i}")
        ).lower()
        domain = rng.choice(CLIENTS[client][0])
        citizens.append(Citizen(f"{first} {last}", f"{local}@{domain}", client))
    return citizens


def nik(rng: random.Random) -> str:
    """A 16-digit NIK of a Brebes resident: 3329 (Kabupaten Brebes), the kecamatan, the birth
    date (DDMMYY, +40 on the day for women) and a serial number."""
    day = rng.randint(1, 28) + rng.choice((0, 40))
    born = f"{day:02d}{rng.randint(1, 12):02d}{rng.randint(0, 99):02d}"
    return f"3329{rng.randint(1, 17):02d}{born}{rng.randint(1, 9999):04d}"


def fill(template: str, rng: random.Random, when: datetime) -> str:
    past = when - timedelta(days=rng.randint(5, 90))
    return template.format(
        nik=nik(rng),
        kec=rng.choice(KECAMATAN),
        desa=rng.choice(DESA),
        tgl=past.strftime("%d-%m-%Y"),
    )


def message_id(rng: random.Random, citizen: Citizen) -> str:
    token = rng.randbytes(12).hex()
    domain = citizen.address.rpartition("@")[2]
    if citizen.client in ("gmail", "android"):
        return f"<CA{token[:18]}+{token[18:]}@mail.gmail.com>"
    if citizen.client == "outlook":
        return f"<SG2PR06MB{token.upper()}@SG2PR06MB4321.apcprd06.prod.outlook.com>"
    if citizen.client == "yahoo":
        return f"<{rng.randint(10**8, 10**9)}.{rng.randint(10**6, 10**7)}@mail.yahoo.com>"
    return f"<{uuid.UUID(bytes=rng.randbytes(16)).hex.upper()}@{domain}>"


def compose_text(body: str, citizen: Citizen, rng: random.Random) -> str:
    signature = CLIENTS[citizen.client][1]
    lines = [rng.choice(GREETINGS), "", body, "", rng.choice(CLOSINGS), citizen.name]
    if signature:
        lines += ["", signature]
    return "\n".join(lines)


DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip


def quote(parent: Mail, citizen: Citizen) -> str:
    """The parent quoted the way the citizen's client quotes it (in Indonesian)."""
    when = parent.sent_at.astimezone(JAKARTA)
    day, month = DAYS[when.weekday()], MONTHS[when.month - 1]
    sender = f"{parent.citizen.name} <{parent.citizen.address}>"
    if citizen.client == "outlook":
        head = (
            f"________________________________\nDari: {sender}\n"
            f"Dikirim: {day}, {when.day} {month} {when.year} {when:%H.%M}\n"
            f"Kepada: {OFFICE_ADDRESS}\nSubjek: {parent.subject}\n\n"
        )
        return head + parent.text
    head = (
        f"Pada {day[:3]}, {when.day} {month[:3]} {when.year} pukul {when:%H.%M} {sender} menulis:"
    )
    return head + "\n" + "\n".join(f"> {line}".rstrip() for line in parent.text.splitlines())


def html_of(text_: str) -> str:
    escaped = text_.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    paragraphs = "".join(f"<div>{line or '<br>'}</div>" for line in escaped.splitlines())
    return f'<div dir="ltr">{paragraphs}</div>'


def attachment_for(rng: random.Random, when: datetime) -> tuple[bytes, str, str, str]:
    """(content, maintype, subtype, filename): a phone photo or a scanned PDF, 20-150 KB."""
    size = rng.randint(20_000, 150_000)
    if rng.random() < 0.7:
        content = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(size) + b"\xff\xd9"
        return content, "image", "jpeg", f"IMG_{when:%Y%m%d_%H%M%S}.jpg"
    content = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(size) + b"\n%%EOF\n"
    return content, "application", "pdf", rng.choice(("scan_kk.pdf", "KTP.pdf", "akta.pdf"))


def header_text(value: str) -> str:
    """A header value, RFC 2047-encoded when it is not ASCII."""
    return value if value.isascii() else Header(value, "utf-8").encode()


def qp(text_: str) -> str:
    return quopri.encodestring(text_.replace("\n", "\r\n").encode()).decode()


def boundary(rng: random.Random, client: str) -> str:
    token = rng.randbytes(8).hex()
    return {
        "gmail": f"000000000000{token[:16]}",
        "android": f"000000000000{token[:16]}",
        "outlook": f"_000_SG2PR06MB{token.upper()}_",
        "yahoo": f"----=_Part_{rng.randint(10**5, 10**7)}_{rng.randint(10**8, 10**9)}",
        "iphone": f"Apple-Mail-{uuid.UUID(bytes=rng.randbytes(16))}".upper(),
    }.get(client, f"------------{token[:24]}")


def text_part(full_text: str) -> list[str]:
    return [
        'Content-Type: text/plain; charset="UTF-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        qp(full_text),
    ]


def alternative(full_text: str, mark: str) -> list[str]:
    html = [
        'Content-Type: text/html; charset="UTF-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        qp(html_of(full_text)),
    ]
    lines = [f'Content-Type: multipart/alternative; boundary="{mark}"', ""]
    for part in (text_part(full_text), html):
        lines += [f"--{mark}", *part]
    return [*lines, f"--{mark}--", ""]


def attachment_part(rng: random.Random, when: datetime) -> list[str]:
    content, maintype, subtype, filename = attachment_for(rng, when)
    return [
        f'Content-Type: {maintype}/{subtype}; name="{filename}"',
        f'Content-Disposition: attachment; filename="{filename}"',
        "Content-Transfer-Encoding: base64",
        f"X-Attachment-Id: f_{rng.randbytes(5).hex()}",
        "",
        base64.encodebytes(content).decode().replace("\n", "\r\n"),
    ]


def build_mail(
    citizen: Citizen,
    subject: str,
    full_text: str,
    when: datetime,
    ident: str,
    rng: random.Random,
    attachments: int,
    references: tuple[str, ...] = (),
) -> bytes:
    """The raw mail as the citizen's client would write it (CRLF line ends, QP text, base64)."""
    head = [
        "MIME-Version: 1.0",
        f"Date: {format_datetime(when.astimezone(JAKARTA))}",
        f"Message-ID: {ident}",
        f"Subject: {header_text(subject)}",
        f"From: {formataddr((citizen.name, citizen.address))}",
        f"To: {formataddr(('Dukcapil Brebes', OFFICE_ADDRESS))}",
    ]
    if references:
        head += [f"In-Reply-To: {references[-1]}", "References: " + "\r\n ".join(references)]
    plain_only = citizen.client in ("iphone", "thunderbird")
    body = text_part(full_text) if plain_only else alternative(full_text, boundary(rng, "x"))
    if attachments:
        mark = boundary(rng, citizen.client)
        lines = [f'Content-Type: multipart/mixed; boundary="{mark}"', "", f"--{mark}", *body]
        for _ in range(attachments):
            lines += [f"--{mark}", *attachment_part(rng, when)]
        body = [*lines, f"--{mark}--", ""]
    return "\r\n".join([*head, *body]).encode()


def reply_gap(n: int) -> int:
    return max(1, min(REPLY_GAP, n // 4))


def reply_slots(rng: random.Random, n: int, replies: int) -> set[int]:
    gap = reply_gap(n)
    if replies > n - gap:
        raise BenchError(f"{replies} replies do not fit in {n} mails (each needs a parent)")
    return set(rng.sample(range(gap, n), replies)) if replies else set()


def make_mails(n: int, reply_share: float, attachment_share: float, seed: int) -> list[Mail]:
    """N mails, a `reply_share` of them answering an earlier mail of the set (In-Reply-To and
    References), a share with one or two attachments. A seed gives the same mails, but for
    their dates, which end now."""
    rng = random.Random(seed)
    citizens = make_citizens(rng, max(10, n // 3))
    replies = reply_slots(rng, n, round(n * reply_share))
    gap = reply_gap(n)
    start = datetime.now(UTC) - timedelta(days=3)
    step = timedelta(days=3) / max(n, 1)
    mails: list[Mail] = []
    for i in range(n):
        when = start + step * i
        attachments = rng.choice((1, 1, 1, 2)) if rng.random() < attachment_share else 0
        if i in replies:
            mails.append(reply_mail(rng, mails, i - gap, when, attachments))
        else:
            mails.append(new_mail(rng, rng.choice(citizens), when, attachments))
    return mails


def new_mail(rng: random.Random, citizen: Citizen, when: datetime, attachments: int) -> Mail:
    subject, opening = rng.choice(TOPICS)
    text_ = compose_text(fill(opening, rng, when), citizen, rng)
    ident = message_id(rng, citizen)
    raw = build_mail(citizen, subject, text_, when, ident, rng, attachments)
    return Mail(raw, ident, subject, text_, citizen, when, attachments=attachments)


def reply_mail(
    rng: random.Random, mails: list[Mail], last_parent: int, when: datetime, attachments: int
) -> Mail:
    """A citizen answering a mail of their thread (rarely someone else on it, e.g. a spouse)."""
    parent_index = rng.randint(0, last_parent)
    parent = mails[parent_index]
    citizen = parent.citizen
    if rng.random() < 0.1:
        citizen = make_citizens(rng, 1)[0]
    prefix = "RE: " if citizen.client == "outlook" else "Re: "
    subject = (
        parent.subject if parent.subject.startswith(("Re: ", "RE: ")) else prefix + parent.subject
    )
    text_ = compose_text(fill(rng.choice(FOLLOW_UPS), rng, when), citizen, rng)
    full = f"{text_}\n\n{quote(parent, citizen)}"
    ident = message_id(rng, citizen)
    references = (*parent.references, parent.message_id)[-10:]
    raw = build_mail(citizen, subject, full, when, ident, rng, attachments, references)
    return Mail(raw, ident, subject, text_, citizen, when, references, parent_index, attachments)


def corpus_summary(mails: Sequence[Mail]) -> dict[str, Any]:
    sizes = sorted(len(m.raw) for m in mails)
    return {
        "mails": len(mails),
        "replies": sum(m.parent is not None for m in mails),
        "with_attachments": sum(m.attachments > 0 for m in mails),
        "attachments": sum(m.attachments for m in mails),
        "senders": len({m.citizen.address for m in mails}),
        "clients": dict(Counter(m.citizen.client for m in mails).most_common()),
        "bytes_total": sum(sizes),
        "bytes_median": sizes[len(sizes) // 2] if sizes else 0,
        "bytes_max": sizes[-1] if sizes else 0,
    }


def write_eml_dir(mails: Sequence[Mail], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for i, mail in enumerate(mails):
        (directory / f"{i:06d}.eml").write_bytes(mail.raw)
    return directory


# --- the mail servers ---------------------------------------------------------------------------


@dataclass
class MailWorld:
    imap: Dovecot
    smtp: SmtpServer
    root: Path


@contextlib.contextmanager
def mail_servers(workdir: Path) -> Iterator[MailWorld]:
    """Dovecot with the two mailboxes, and the SMTP server the account sends through."""
    if find_dovecot() is None:
        raise BenchError("dovecot is not installed (apt-get install dovecot-imapd)")
    # Run as root, Dovecot's mail processes are the `dovecot` user: the tree must be readable.
    root = Path(tempfile.mkdtemp(prefix="bench-email-dovecot-"))
    root.chmod(0o755)
    users = {HELPDESK_USER: PASSWORD, DJANGO_USER: PASSWORD}
    try:
        with (
            Dovecot(root, users) as imap,
            SmtpServer(workdir / "smtp-spool", imap.maildirs) as smtp,
        ):
            yield MailWorld(imap, smtp, root)
    except MailServerError as exc:
        raise BenchError(f"mail servers: {exc}") from exc
    finally:
        shutil.rmtree(root, ignore_errors=True)


def append_all(port: int, user: str, mails: Sequence[Mail]) -> float:
    """APPEND every mail to the user's INBOX (MULTIAPPEND batches); returns the seconds taken."""
    started = time.perf_counter()
    client = IMAPClient("127.0.0.1", port, ssl=False, timeout=60)
    try:
        client.login(user, PASSWORD)
        for first in range(0, len(mails), APPEND_BATCH):
            client.multiappend("INBOX", [m.raw for m in mails[first : first + APPEND_BATCH]])
        found = client.select_folder("INBOX", readonly=True)[b"EXISTS"]
    finally:
        with contextlib.suppress(Exception):
            client.logout()
    if found != len(mails):
        raise BenchError(f"{user}'s INBOX holds {found} mails after appending {len(mails)}")
    return time.perf_counter() - started


# --- the helpdesk under test --------------------------------------------------------------------


@dataclass
class Stack:
    database_url: str
    workdir: Path
    env: dict[str, str]
    queue: str | None
    services: list[Service] = field(default_factory=list)


@contextlib.contextmanager
def helpdesk_database(args: argparse.Namespace, workdir: Path) -> Iterator[Stack]:
    """A fresh database (temp SQLite file or `bench_<random>`), migrated; dropped afterwards."""
    run_id = secrets.token_hex(4)
    pg_name = f"bench_{run_id}" if args.backend == "postgresql" else None
    queue = f"bench:email:{run_id}" if pg_name else None
    if pg_name:
        postgres_admin(args.postgres_admin_url, f'CREATE DATABASE "{pg_name}"')
        database_url = args.postgres_admin_url.rsplit("/", 1)[0] + f"/{pg_name}"
    else:
        database_url = f"sqlite:///{workdir / 'helpdesk.db'}"
    stack = Stack(
        database_url, workdir, service_env(database_url, workdir, args.redis_url, queue), queue
    )
    try:
        run_cli(["db", "upgrade"], stack.env, workdir)
        yield stack
    finally:
        for service in reversed(stack.services):
            stop_service(service)
        if queue:
            clear_queue(args.redis_url, queue)
        if pg_name and not args.keep:
            postgres_admin(
                args.postgres_admin_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'
            )
        elif pg_name:
            print(f"kept database {pg_name}")


def load_offices(stack: Stack, world: MailWorld) -> None:
    offices = stack.workdir / "offices.toml"
    offices.write_text(
        OFFICES_TOML.format(
            address=OFFICE_ADDRESS,
            imap_port=world.imap.port,
            user=HELPDESK_USER,
            password=PASSWORD,
            smtp_port=world.smtp.port,
        )
    )
    run_cli(["offices", "load", str(offices)], stack.env, stack.workdir)


def launch(stack: Stack) -> None:
    """`helpdesk serve` (which polls in-process without Redis) and, with Redis, one worker."""
    port = free_port()
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    stack.services.append(start_service("serve", serve, stack.env, stack.workdir))
    if stack.queue:
        stack.services.append(start_service("worker", ["worker"], stack.env, stack.workdir))


# --- watching the database ----------------------------------------------------------------------

COUNTS_SQL = (
    "SELECT (SELECT count(*) FROM inbound_events),"
    " (SELECT count(*) FROM messages WHERE direction = 'in'),"
    " (SELECT count(*) FROM tickets)"
)
PENDING_ATTACHMENTS_SQL = "SELECT count(*) FROM attachments WHERE status = 'pending'"
PG_STATS_SQL = (
    "SELECT xact_commit, xact_rollback, tup_fetched, tup_inserted, tup_updated, tup_deleted"
    " FROM pg_stat_database WHERE datname = current_database()"
)
# The helpdesk's own backends (the bench's counting connection excluded): their CPU is the
# database's share of the work, which django-helpdesk's figure has in-process (SQLite).
PG_BACKENDS_SQL = (
    "SELECT pid FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)
OUTCOME_SQL = {
    "events": "SELECT status, count(*) FROM inbound_events GROUP BY status",
    "attachments": "SELECT status, count(*) FROM attachments GROUP BY status",
}


@dataclass
class Sample:
    at: float
    events: int
    messages: int
    tickets: int


@dataclass
class Watch:
    samples: list[Sample] = field(default_factory=list)
    loadavg_max: float = 0.0

    def first(self, what: str, at_least: int) -> float | None:
        return next((s.at for s in self.samples if getattr(s, what) >= at_least), None)


async def counts(engine: AsyncEngine) -> tuple[int, int, int]:
    async with engine.connect() as conn:
        row = (await conn.execute(text(COUNTS_SQL))).one()
    return int(row[0]), int(row[1]), int(row[2])


async def watch_messages(
    engine: AsyncEngine, services: list[Service], n: int, started: float, timeout: float
) -> Watch:
    """Sample the counts every WATCH_EVERY seconds until N inbound messages exist or timeout."""
    watch = Watch()
    while True:
        events, messages, tickets = await counts(engine)
        now = time.perf_counter() - started
        watch.samples.append(Sample(round(now, 3), events, messages, tickets))
        watch.loadavg_max = max(watch.loadavg_max, os.getloadavg()[0])
        if messages >= n or now > timeout:
            return watch
        for service in services:
            if service.process.poll() is not None:
                raise BenchError(f"{service.name} exited ({service.process.returncode})")
        await asyncio.sleep(WATCH_EVERY)


async def wait_attachments(engine: AsyncEngine, started: float, timeout: float) -> float | None:
    """Seconds from `started` until no attachment is pending (None: still some at timeout)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        async with engine.connect() as conn:
            pending = int((await conn.execute(text(PENDING_ATTACHMENTS_SQL))).scalar_one())
        if not pending:
            return round(time.perf_counter() - started, 2)
        await asyncio.sleep(WATCH_EVERY)
    return None


async def outcome(engine: AsyncEngine) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    async with engine.connect() as conn:
        for name, sql in OUTCOME_SQL.items():
            found[name] = {str(k): int(v) for k, v in (await conn.execute(text(sql))).all()}
    return found


async def pg_stats(engine: AsyncEngine) -> dict[str, int] | None:
    """PostgreSQL's counters for this database (None on SQLite); they lag by up to a second."""
    if not engine.url.get_backend_name().startswith("postgresql"):
        return None
    async with engine.connect() as conn:
        row = (await conn.execute(text(PG_STATS_SQL))).mappings().one()
    return {k: int(v) for k, v in row.items()}


async def pg_backend_cpu(engine: AsyncEngine) -> float | None:
    """CPU seconds of the PostgreSQL backends serving the helpdesk now (None on SQLite, or
    when /proc does not show them). The database is fresh, so its backends started in the run;
    a backend that ended before this is not counted (the pools keep theirs open)."""
    if not engine.url.get_backend_name().startswith("postgresql"):
        return None
    async with engine.connect() as conn:
        pids = [int(p) for p in (await conn.execute(text(PG_BACKENDS_SQL))).scalars()]
    found = [cpu for pid in pids if (cpu := cpu_seconds(pid)) is not None]
    return round(sum(found), 2) if found else None


def per_mail(
    before: dict[str, int] | None, after: dict[str, int] | None, n: int
) -> dict[str, float] | None:
    if before is None or after is None:
        return None
    return {k: round((after[k] - before[k]) / n, 2) for k in after}


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a live process has used so far (/proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)


# --- py-spy -------------------------------------------------------------------------------------


@dataclass
class Profiler:
    name: str
    process: subprocess.Popen[bytes]
    output: Path


def start_profilers(
    services: list[Service], workdir: Path, rate: int, native: bool
) -> list[Profiler]:
    """py-spy on each process, sampling only the thread holding the GIL (`--gil`): the helpdesk
    is one Python process per role, so its throughput is bounded by GIL time; idle-polling
    threads (aiosqlite's queue loop, the to_thread pool) would otherwise look busy."""
    if not PY_SPY.exists():
        raise BenchError(f"--profile needs py-spy ({PY_SPY} is missing)")
    profilers = []
    for service in services:
        output = workdir / f"py-spy-{service.name}.txt"
        command = [str(PY_SPY), "record", "--pid", str(service.process.pid), "--rate", str(rate)]
        command += ["--format", "raw", "--output", str(output), "--gil"]
        command += ["--native"] if native else []
        log = (workdir / f"py-spy-{service.name}.log").open("wb")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        profilers.append(Profiler(service.name, process, output))
    return profilers


def stop_profilers(profilers: list[Profiler]) -> None:
    for profiler in profilers:
        if profiler.process.poll() is None:
            profiler.process.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
    for profiler in profilers:
        try:
            profiler.process.wait(30)
        except subprocess.TimeoutExpired:
            profiler.process.kill()
            profiler.process.wait(5)


def read_stacks(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    with contextlib.suppress(OSError):
        for line in path.read_text(errors="replace").splitlines():
            frames, _, count = line.rpartition(" ")
            if frames and count.isdigit():
                stacks.append((frames.split(";"), int(count)))
    return stacks


def frame_package(frame: str) -> str:
    """`FeedParser.feed (email/feedparser.py:174)` → `email`; a bare module → its name."""
    location = frame.rpartition(" (")[2].rstrip(")")
    path = location.rpartition(":")[0] or location
    head = path.split("/", 1)[0]
    return head.removesuffix(".py") if "/" in path or path.endswith(".py") else path


def frame_function(frame: str) -> str:
    name, _, location = frame.partition(" (")
    path = location.rpartition(":")[0]
    return f"{name} ({path})" if path else name


# Where a sampled stack's time goes, first match wins. Libraries count wherever they are in
# the stack (what they call is theirs); frameworks that wrap everything (every job runs under
# arq, everything under the event loop) count only as the innermost frame. SQLAlchemy's
# asyncio layer runs each statement in a greenlet, whose stack py-spy shows without its
# caller: database time cannot be split by caller, so it is one bucket.
CATEGORIES: tuple[tuple[str, bool, tuple[str, ...]], ...] = (
    ("IMAP client (imapclient, socket, ssl)", True,
     ("imapclient/", "imaplib", "socket.py", "ssl.py")),
    ("parsing mail (stdlib email, channels.email)", True, (
        "(email/", "(html/", "channels/email/parse", "channels/email/content",
        "channels/email/decode", "channels/email/html", "channels/email/quotes",
        "channels/email/noise", "channels/email/threading",
    )),
    ("SQLAlchemy + DB driver", True,
     ("sqlalchemy/", "aiosqlite/", "asyncpg/", "greenlet", "sqlite3/")),
    ("category suggestion, SOP workflow", True, ("helpdesk/workflow/",)),
    ("imports (process start)", True, ("<frozen importlib",)),
    ("arq, redis client (innermost)", False, ("arq/", "redis/")),
    ("asyncio, event loop (innermost)", False, ("(asyncio/", "uvloop", "Runner.run")),
    ("helpdesk, channels (innermost)", False, ("(helpdesk/", "(channels/")),
)  # fmt: skip


def category(frames: list[str]) -> str:
    joined = ";".join(frames)
    for name, anywhere, markers in CATEGORIES:
        where = joined if anywhere else frames[-1]
        if any(marker in where for marker in markers):
            return name
    return "other (stdlib, logging, …)"


def summarize_profile(path: Path, rate: int, top: int = 12) -> dict[str, Any]:
    """Where the sampled time (GIL-holding threads, see `start_profilers`) went: by category,
    by the package of the innermost frame, and by innermost function."""
    stacks = read_stacks(path)
    total = sum(count for _, count in stacks)
    if not total:
        return {"samples": 0}
    by_category: Counter[str] = Counter()
    by_package: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    for frames, count in stacks:
        by_category[category(frames)] += count
        by_package[frame_package(frames[-1])] += count
        self_time[frame_function(frames[-1])] += count

    def share(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(k, round(100 * v / total, 1)) for k, v in counter.most_common(top)]

    return {
        "samples": total,
        "seconds_sampled": round(total / rate, 1),
        "by_category_pct": share(by_category),
        "self_by_package_pct": share(by_package),
        "self_by_function_pct": share(self_time),
    }


# --- the run ------------------------------------------------------------------------------------


def run_helpdesk(args: argparse.Namespace, world: MailWorld, workdir: Path) -> dict[str, Any]:
    with helpdesk_database(args, workdir) as stack:
        load_offices(stack, world)
        try:
            return asyncio.run(measure_helpdesk(args, stack))
        except BaseException:
            print_log_tails(stack.services)
            raise


async def measure_helpdesk(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    """Launch the helpdesk and time it until N inbound messages exist (then the attachments)."""
    engine = counting_engine(stack.database_url)
    profilers: list[Profiler] = []
    try:
        stats_before = await pg_stats(engine)
        started = time.perf_counter()
        launch(stack)
        if args.profile:
            profilers = start_profilers(
                stack.services, stack.workdir, args.profile_rate, args.profile_native
            )
        try:
            watch = await watch_messages(engine, stack.services, args.n, started, args.timeout)
        finally:
            stop_profilers(profilers)
        attachments_s = await wait_attachments(engine, started, args.attachments_timeout)
        # CPU until everything is done, attachments included (django-helpdesk's include them)
        cpu = {s.name: cpu_seconds(s.process.pid) for s in stack.services}
        database_cpu = await pg_backend_cpu(engine)
        counts_after = await outcome(engine)
        await asyncio.sleep(1.5)  # PostgreSQL publishes its counters about once a second
        database = per_mail(stats_before, await pg_stats(engine), args.n)
    finally:
        await engine.dispose()
    result = helpdesk_result(args, watch, cpu, attachments_s, counts_after)
    result["postgresql_cpu_seconds"] = database_cpu
    if database_cpu is not None:
        ours_cpu = sum(c or 0 for c in cpu.values()) + database_cpu
        result["cpu_ms_per_mail_with_database"] = round(1000 * ours_cpu / args.n, 1)
    result["postgresql_per_mail"] = database
    result["log_problems"] = log_problems(stack.services)
    if profilers:
        result["profile"] = {
            p.name: summarize_profile(p.output, args.profile_rate) for p in profilers
        }
        keep_profiles(profilers)
    return result


def keep_profiles(profilers: list[Profiler]) -> None:
    """The raw py-spy stacks go beside the results (flamegraph.pl or speedscope read them)."""
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for profiler in profilers:
        if profiler.output.exists():
            shutil.copy(profiler.output, RESULTS_DIR / f"email-py-spy-{profiler.name}-{stamp}.txt")


def helpdesk_result(
    args: argparse.Namespace,
    watch: Watch,
    cpu: dict[str, float | None],
    attachments_s: float | None,
    counts_after: dict[str, dict[str, int]],
) -> dict[str, Any]:
    last = watch.samples[-1]
    messages_s = last.at if last.messages >= args.n else None
    # Like for like: django-helpdesk's clock stops when get_email exits, its attachment files
    # written; ours when the N-th mail is a message AND no attachment is pending.
    seconds = (
        max(messages_s, attachments_s)
        if messages_s is not None and attachments_s is not None
        else None
    )
    first_message = watch.first("messages", 1)
    return {
        "system": "helpdesk",
        "mode": "serve + worker (Redis)" if args.backend == "postgresql" else "serve (embedded)",
        "messages": last.messages,
        "tickets": last.tickets,
        "events_stored": last.events,
        "seconds": seconds,
        "mails_per_s": round(args.n / seconds, 1) if seconds else None,
        "messages_s": messages_s,
        "mails_per_s_to_messages": round(args.n / messages_s, 1) if messages_s else None,
        "first_event_s": watch.first("events", 1),
        "first_message_s": first_message,
        "all_events_stored_s": watch.first("events", args.n),
        "mails_per_s_after_first": (
            round((args.n - 1) / (seconds - first_message), 1)
            if seconds and first_message is not None and seconds > first_message
            else None
        ),
        "attachments_settled_s": attachments_s,
        "cpu_seconds": cpu,
        # the helpdesk's processes only: PostgreSQL's and Redis's CPU is not in it
        "cpu_ms_per_mail": round(1000 * sum(c or 0 for c in cpu.values()) / args.n, 1),
        "loadavg_max_during": round(watch.loadavg_max, 2),
        "outcome": counts_after,
        "progress": every_second(watch.samples),
    }


def every_second(samples: list[Sample]) -> list[tuple[float, int, int, int]]:
    kept: dict[int, Sample] = {}
    for sample in samples:
        kept.setdefault(int(sample.at), sample)
    rows = [*kept.values(), *samples[-1:]]
    return [(s.at, s.events, s.messages, s.tickets) for s in rows]


def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = os.getloadavg()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    mails = make_mails(args.n, args.replies, args.attachments, args.seed)
    corpus = corpus_summary(mails)
    expected_tickets = args.n - corpus["replies"]
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-email-{args.backend}-"))
    try:
        with mail_servers(workdir) as world:
            append_s = {
                user: round(append_all(world.imap.port, user, mails), 2)
                for user in (HELPDESK_USER, DJANGO_USER)
            }
            ours = run_helpdesk(args, world, workdir)
            theirs = None
            if not args.no_django_helpdesk:
                theirs = run_django_helpdesk(args, world, mails, workdir)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    result: dict[str, Any] = {
        "bench": "email_ingest",
        "backend": args.backend,
        "n": args.n,
        "reply_share": args.replies,
        "attachment_share": args.attachments,
        "seed": args.seed,
        "started_at": started_at,
        "corpus": corpus,
        "expected_tickets": expected_tickets,
        "append_seconds": append_s,
        "machine": machine(load_before),
        "git": git_commit(),
        "helpdesk": ours,
        "django_helpdesk": theirs,
    }
    result["comparison"] = comparison(ours, theirs)
    return result


def run_django_helpdesk(
    args: argparse.Namespace, world: MailWorld, mails: Sequence[Mail], workdir: Path
) -> dict[str, Any]:
    venv = Path(args.dh_venv) if args.dh_venv else workdir / "dh-venv"
    try:
        setup = djh.prepare(workdir / "django-helpdesk", venv)
        if args.dh_source == "local":
            source = djh.LocalSource(write_eml_dir(mails, workdir / "eml"))
        else:
            source = djh.ImapSource("127.0.0.1", world.imap.port, DJANGO_USER, PASSWORD)
        return djh.run_get_email(setup, source, args.n, args.timeout)
    except djh.DjangoHelpdeskError as exc:
        print(f"django-helpdesk could not be run: {exc}", file=sys.stderr)
        return {"system": "django-helpdesk", "error": str(exc)}


def comparison(ours: dict[str, Any], theirs: dict[str, Any] | None) -> dict[str, Any]:
    def ratio(key: str, mine: str | None = None) -> float | None:
        """theirs / ours for a cost, ours / theirs for a rate (`mine` is our key if other)."""
        a, b = ours.get(mine or key), (theirs or {}).get(key)
        if not a or not b:
            return None
        return round(b / a, 2) if "cpu" in key else round(a / b, 2)

    rate = ratio("mails_per_s")
    return {
        "ratio": rate,
        "ratio_after_first": ratio("mails_per_s_after_first"),
        "ratio_to_messages": ratio("mails_per_s", "mails_per_s_to_messages"),
        "cpu_per_mail_ratio": ratio("cpu_ms_per_mail"),
        "cpu_per_mail_ratio_with_database": ratio(
            "cpu_ms_per_mail", "cpu_ms_per_mail_with_database"
        ),
        "target": TARGET_RATIO,
        "met": None if rate is None else rate >= TARGET_RATIO,
    }


def machine(load_before: tuple[float, float, float]) -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }


# --- the report ---------------------------------------------------------------------------------


def _cell(value: Any, width: int) -> str:
    return f"{'-' if value is None else value:>{width}}"


def print_report(result: dict[str, Any]) -> None:
    git, m, corpus = result["git"], result["machine"], result["corpus"]
    print(
        f"\nemail ingest bench: {result['backend']}, n={result['n']} ({corpus['replies']} "
        f"replies, {corpus['with_attachments']} with attachments, "
        f"{corpus['bytes_total'] / 1e6:.1f} MB), {m['nproc']} cores, commit "
        f"{(git['commit'] or '?')[:10]}{' (dirty tree)' if git['dirty'] else ''}, load average "
        f"{m['loadavg_before'][0]} before, {m['loadavg_after'][0]} after"
    )
    header = ("mails", 7), ("seconds", 9), ("mails/s", 9), ("after 1st", 10), ("tickets", 9)
    print(f"{'system':<34}" + "".join(_cell(name, w) for name, w in header) + "  expected")
    for name, row in rows(result):
        print(
            f"{name:<34}{_cell(row.get('messages'), 7)}{_cell(row.get('seconds'), 9)}"
            f"{_cell(row.get('mails_per_s'), 9)}{_cell(row.get('mails_per_s_after_first'), 10)}"
            f"{_cell(row.get('tickets'), 9)}{result['expected_tickets']:>10}"
        )
    print_notes(result)


def rows(result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    ours = result["helpdesk"]
    found = [(f"helpdesk, {ours['mode']}", ours)]
    theirs = result["django_helpdesk"]
    if theirs is not None and "error" not in theirs:
        found.append((f"django-helpdesk {theirs['version']} get_email", theirs))
    return found


def print_notes(result: dict[str, Any]) -> None:
    ours, theirs = result["helpdesk"], result["django_helpdesk"]
    database = ""
    if ours.get("postgresql_cpu_seconds") is not None:
        database = (
            f", PostgreSQL's backends {ours['postgresql_cpu_seconds']} "
            f"({ours['cpu_ms_per_mail_with_database']} ms a mail with them)"
        )
    print(
        f"helpdesk: first mail stored {ours['first_event_s']} s after launch, first message "
        f"{ours['first_message_s']} s, all stored {ours['all_events_stored_s']} s, all "
        f"messages {ours['messages_s']} s; attachments settled at "
        f"{ours['attachments_settled_s']} s (the clock stops at the later); CPU seconds "
        f"{ours['cpu_seconds']} ({ours['cpu_ms_per_mail']} ms a mail){database}; "
        f"load average up to {ours['loadavg_max_during']} during the run"
    )
    if theirs is not None and "error" in theirs:
        print(f"django-helpdesk: not run: {theirs['error']}")
    elif theirs is not None:
        print(
            f"django-helpdesk: source {theirs['source']}, {theirs['followups']} follow-ups, "
            f"{theirs['attachments']} attachment files, CPU seconds {theirs['cpu_seconds']} "
            f"({theirs['cpu_ms_per_mail']} ms a mail), "
            f"load average up to {theirs['loadavg_max_during']} during the run"
        )
    if ours["seconds"] is None:
        print(f"TIMED OUT: {ours['messages']} of {result['n']} mails were messages at the end")
    for name, row in rows(result):
        if row.get("tickets") != result["expected_tickets"]:
            print(
                f"NOTE: {name} made {row.get('tickets')} tickets, not "
                f"{result['expected_tickets']}: some replies did not thread"
            )
    if ours.get("postgresql_per_mail"):
        print(
            "PostgreSQL per mail (the bench's own counting included): "
            + ", ".join(f"{k} {v}" for k, v in ours["postgresql_per_mail"].items())
        )
    for name, found in ours["log_problems"].items():
        if found["lines"]:
            print(f"WARNING: {found['lines']} error lines in the {name} log: {found['first'][0]}")
    for name, profile in ours.get("profile", {}).items():
        print_profile(name, profile)
    c = result["comparison"]
    if c["ratio"] is None:
        print(f"ratio: n/a (no django-helpdesk figure; the target is >= {TARGET_RATIO:g}x)")
        return
    verdict = "MET" if c["met"] else "NOT MET"
    print(
        f"ratio (helpdesk mails/s / django-helpdesk mails/s): {c['ratio']}x "
        f"(target >= {TARGET_RATIO:g}x): {verdict}; after the 1st: {c['ratio_after_first']}x; "
        f"CPU a mail, theirs / ours: {c['cpu_per_mail_ratio']}x"
        + (
            f" ({c['cpu_per_mail_ratio_with_database']}x with PostgreSQL's)"
            if c.get("cpu_per_mail_ratio_with_database")
            else ""
        )
    )


def print_profile(name: str, profile: dict[str, Any]) -> None:
    if not profile.get("samples"):
        print(f"py-spy {name}: no samples")
        return
    print(f"py-spy {name}: {profile['seconds_sampled']} s holding the GIL, of which:")
    for what, pct in profile["by_category_pct"]:
        print(f"   {pct:5.1f}%  {what}")
    print(
        "  innermost frame by package: "
        + ", ".join(f"{k} {v}%" for k, v in profile["self_by_package_pct"][:8])
    )


def write_result(result: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"email-ingest-{result['backend']}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return path


# --- main ---------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.email_ingest", description=__doc__.splitlines()[0]
    )
    p.add_argument("--backend", choices=["sqlite", "postgresql"], required=True)
    p.add_argument("--n", type=int, default=2000, help="mails in the mailbox")
    p.add_argument("--replies", type=float, default=0.25, help="share of replies (0..0.5)")
    p.add_argument("--attachments", type=float, default=0.15, help="share with attachments")
    p.add_argument("--seed", type=int, default=20260312, help="the corpus is reproducible")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per system")
    p.add_argument("--attachments-timeout", type=float, default=60.0)
    p.add_argument("--profile", action="store_true", help="py-spy the helpdesk processes")
    p.add_argument("--profile-rate", type=int, default=100, help="py-spy samples per second")
    p.add_argument("--profile-native", action="store_true", help="py-spy --native (C frames)")
    p.add_argument("--no-django-helpdesk", action="store_true", help="our figure only")
    p.add_argument("--dh-source", choices=["imap", "local"], default="imap")
    p.add_argument("--dh-venv", help="django-helpdesk's virtualenv (created if missing, then kept)")
    p.add_argument("--keep", action="store_true", help="keep the temp dir and the database")
    p.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    p.add_argument("--redis-url", default=REDIS_URL)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not 0 <= args.replies <= 0.5 or args.n < 1:
        print("bench.email_ingest: --n must be >= 1 and --replies in 0..0.5", file=sys.stderr)
        return 2
    try:
        result = run(args)
    except BenchError as exc:
        print(f"bench.email_ingest: {exc}", file=sys.stderr)
        return 1
    print_report(result)
    print(f"\nwrote {write_result(result).relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
