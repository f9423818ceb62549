"""Inbox benchmark: the list, the ticket page and search over HTTP, on a million tickets.

1. A database (a SQLite file, or a PostgreSQL database `bench_inbox_<n>`), migrated with
   `helpdesk db upgrade`, five offices (`helpdesk offices load`), one admin of the first office.
2. Bulk data: `--tickets` tickets (default 1,000,000) with three messages each, spread over five
   offices and three years; about 1 % (the newest) still active, with SOP steps, due times
   around now (some overdue), assignees, channels, categories. PostgreSQL: COPY (the GIN index
   over message bodies is built after the load); SQLite: executemany in big transactions with
   the FTS5 triggers dropped, each FTS index rebuilt once afterwards and the triggers restored.
3. One `helpdesk serve` process; a signed-in client (one keep-alive connection) requests each
   scenario `--requests` times after a warm-up and reports p50/p95/max in milliseconds.

    .venv/bin/python -m bench.inbox --backend postgresql --tickets 1000000 --populate-only
    .venv/bin/python -m bench.inbox --backend sqlite --tickets 1000000 --populate-only
    flock /tmp/bench.lock .venv/bin/python -m bench.inbox --backend sqlite \
        --database-url sqlite+aiosqlite:///… (measure a populated database)

Each scenario also reports the server process's CPU time per request (from /proc), which the
machine's other load moves much less than the wall-clock times.

See bench/README.md, section "bench/inbox".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Table

from bench.ingest import (
    POSTGRES_ADMIN_URL,
    RESULTS_DIR,
    free_port,
    http_ok,
    percentile,
    postgres_admin,
    run_cli,
    service_env,
    start_service,
    stop_service,
    wait_until,
)
from helpdesk.models import Contact, ContactIdentity, Message, Ticket
from helpdesk.search import FTS_TABLES
from helpdesk.workflow.profile import load_profile

TARGETS_MS = {"list": 25.0, "ticket": 40.0, "search": 50.0}
PASSWORD = "bench-password-123"
USERNAME = "bench_admin"
OFFICES = ("brebes", "sukamara", "tanggamus", "tomohon", "waykanan")
MESSAGES_PER_TICKET = 3
ACTIVE_SHARE = 0.01
CHANNELS = (("whatsapp", 60), ("email", 15), ("facebook", 10), ("instagram", 10), ("lapor", 5))
CATEGORIES = ("ktp_el", "kk", "kia", "akta_kelahiran", "akta_kematian", "pindah", "other")
FIRST = str.split("Siti Budi Rina Agus Dewi Joko Sri Eko Wati Bambang Yuni Hendra Nur Rudi Lestari")
LAST = str.split("Aminah Santoso Wijaya Pratama Saputra Hidayat Kusuma Lubis Siregar Nasution")
WORDS = str.split(
    "saya mohon bantuan untuk pengurusan dokumen kependudukan yang belum selesai sejak minggu "
    "lalu karena data di kartu keluarga tidak sesuai dengan akta kelahiran anak kami mohon "
    "petunjuk persyaratan apa saja yang harus dibawa ke kantor dinas kecamatan kelurahan desa "
    "ktp elektronik rusak hilang terbakar blangko habis antrean panjang pelayanan online "
    "formulir surat pindah datang domisili alamat nama ibu kandung tanggal lahir salah ketik "
    "perbaikan cetak ulang ambil jadwal verifikasi berkas lengkap foto tanda tangan"
)
RARE = ("tsunami", "banjir", "kebakaran", "longsor")  # one message in ~200: a selective search
SEARCH_WORDS = ("ktp", "akta+kelahiran", "kartu+keluarga", "blangko+habis", "kelahir", "banjir")
REPLY = "Terima kasih, permohonan Anda sedang kami proses sesuai SOP."
THANKS = "Baik, terima kasih atas informasinya."
OFFICES_TOML = "\n".join(
    f"""
[[office]]
code = "{code}"
name = "Dinas Kependudukan dan Pencatatan Sipil {code.title()}"
sop = "{code}"
timezone = "{"Asia/Makassar" if code == "tomohon" else "Asia/Jakarta"}"

[[office.channel]]
kind = "whatsapp"
phone_number_id = "10900000000{n}"
display_phone_number = "62811000000{n}"
access_token = "bench"
app_secret = "bench-secret"
verify_token = "bench"
"""
    for n, code in enumerate(OFFICES)
)


# --- bulk data ----------------------------------------------------------------------------------


def _defaults(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """Fill the columns the generator does not set the way the models would (other engineers'
    columns included), so the load keeps working as the schema grows."""
    for column in table.columns:
        if column.key in row or column.primary_key:
            continue
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            row[column.key] = default.arg
        elif default is not None and getattr(default, "is_callable", False):
            row[column.key] = default.arg(None)
        elif column.nullable:
            row[column.key] = None
    return row


class Generator:
    def __init__(self, tickets: int, office_ids: list[int], account_ids: list[int], user: int):
        self.n = tickets
        self.office_ids = office_ids
        self.account_ids = account_ids
        self.user = user
        self.rng = random.Random(7)
        self.now = datetime.now(UTC)
        self.contacts_per_office = max(1, tickets // 2 // len(office_ids))
        self.steps = {code: list(load_profile(code).steps) for code in OFFICES}
        weights = [w for _, w in CHANNELS]
        self.channel_pick = [c for c, _ in CHANNELS], weights

    def sentence(self, words: int = 12) -> str:
        text = " ".join(self.rng.choice(WORDS) for _ in range(words))
        if self.rng.random() < 0.005:
            text += " " + self.rng.choice(RARE)
        return text.capitalize() + "."

    def contacts(self) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        cid = 0
        for office in self.office_ids:
            for _ in range(self.contacts_per_office):
                cid += 1
                phone = f"62812{cid:08d}"
                name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
                email = f"warga{cid}@example.id" if cid % 5 == 0 else None
                yield (
                    _defaults(
                        Contact.__table__,
                        {
                            "id": cid,
                            "office_id": office,
                            "name": name,
                            "phone": phone,
                            "email": email,
                            "created_at": self.now,
                        },
                    ),
                    _defaults(
                        ContactIdentity.__table__,
                        {
                            "id": cid,
                            "office_id": office,
                            "contact_id": cid,
                            "channel": "whatsapp",
                            "external_id": phone,
                            "display": name,
                            "created_at": self.now,
                        },
                    ),
                )

    def tickets(self) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        span = timedelta(days=3 * 365)
        active_from = int(self.n * (1 - ACTIVE_SHARE))
        seq: dict[int, int] = {}
        mid = 0
        for tid in range(1, self.n + 1):
            o = (tid - 1) % len(self.office_ids)
            office, code = self.office_ids[o], OFFICES[o]
            created = self.now - span * (1 - tid / self.n) - timedelta(minutes=30)
            year = created.year
            seq[office] = seq.get(office, 0) + 1
            channel = self.rng.choices(*self.channel_pick)[0]
            active = tid > active_from
            body = self.sentence()
            row: dict[str, Any] = {
                "id": tid,
                "office_id": office,
                "register_no": f"ADU/{code.upper()}/{year}/{seq[office]:07d}",
                "register_year": year,
                "register_seq": seq[office],
                "kind": "pengaduan",
                "category": self.rng.choice(CATEGORIES),
                "channel": channel,
                "channel_account_id": self.account_ids[o] if channel == "whatsapp" else None,
                "contact_id": o * self.contacts_per_office
                + self.rng.randrange(self.contacts_per_office)
                + 1,
                "subject": body[:120],
                "created_at": created,
                "updated_at": created,
                "last_activity_at": created + timedelta(minutes=20),
                "last_inbound_at": created + timedelta(minutes=20),
                "first_response_at": created + timedelta(minutes=10),
                "workflow_state": {},
                "confidential": False,
            }
            if active:
                status = self.rng.choices(("new", "open", "waiting"), (30, 60, 10))[0]
                due = self.now + timedelta(hours=self.rng.uniform(-48, 72))
                row.update(
                    status=status,
                    step=self.rng.choice(self.steps[code]),
                    step_due_at=due,
                    due_at=due + timedelta(days=1),
                    paused_at=self.now if status == "waiting" else None,
                    assignee_id=self.user if self.rng.random() < 0.3 else None,
                )
            else:
                status = "closed" if self.rng.random() < 0.9 else "resolved"
                row.update(status=status, step="", closed_at=created + timedelta(days=1))
            messages = []
            for k, (direction, text_) in enumerate((("in", body), ("out", REPLY), ("in", THANKS))):
                mid += 1
                at = created + timedelta(minutes=10 * k)
                text_ = self.sentence(8) if k == 2 and self.rng.random() < 0.5 else text_
                messages.append(
                    _defaults(
                        Message.__table__,
                        {
                            "id": mid,
                            "ticket_id": tid,
                            "direction": direction,
                            "channel": channel,
                            "channel_account_id": row["channel_account_id"],
                            "external_id": f"bench.{mid}",
                            "content_kind": "text",
                            "body": text_,
                            "details": {},
                            "status": "received" if direction == "in" else "read",
                            "contact_id": row["contact_id"] if direction == "in" else None,
                            "created_at": at,
                            "sent_at": at if direction == "in" else None,
                        },
                    )
                )
            yield _defaults(Ticket.__table__, row), messages


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _pg_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict | list) else value


class Batches:
    """Rows per table, written when a table's batch is full."""

    def __init__(self, write: Any, size: int) -> None:
        self.write, self.size = write, size
        self.rows: dict[str, list[dict[str, Any]]] = {}

    async def add(self, table: str, row: dict[str, Any]) -> None:
        batch = self.rows.setdefault(table, [])
        batch.append(row)
        if len(batch) >= self.size:
            await self.flush()  # every table, in order: a message's ticket goes in first

    async def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.rows):
            if self.rows.get(name):
                await self.write(name, self.rows[name])
                self.rows[name] = []


async def populate(backend: str, database_url: str, gen: Generator) -> float:
    started = time.monotonic()
    if backend == "sqlite":
        path = database_url.split("///", 1)[1]
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-400000")
        # The FTS5 triggers index each row as it goes in, which made a million tickets take
        # hours: the load goes in without them, each FTS index is built once afterwards, and the
        # triggers are created again from the very SQL migration 0013 stored.
        triggers = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_fts_%'"
        ).fetchall()
        for name, _sql in triggers:
            db.execute(f'DROP TRIGGER "{name}"')
        db.execute("BEGIN")

        async def write(table: str, rows: list[dict[str, Any]]) -> None:
            columns = list(rows[0])
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})"
            )
            db.executemany(sql, [[_sqlite_value(r[c]) for c in columns] for r in rows])
            if table == "messages":
                db.execute("COMMIT")
                db.execute("BEGIN")

        await _load(gen, Batches(write, 50_000))
        db.execute("COMMIT")
        for fts in FTS_TABLES:
            print(f"building {fts} …", file=sys.stderr)
            db.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        for _name, sql in triggers:
            db.execute(sql)
        db.execute("ANALYZE")
        db.close()
    else:
        import asyncpg

        conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
        await conn.execute("DROP INDEX IF EXISTS ix_messages_fts")  # built once, after the load

        async def write(table: str, rows: list[dict[str, Any]]) -> None:
            columns = list(rows[0])
            records = [tuple(_pg_value(r[c]) for c in columns) for r in rows]
            await conn.copy_records_to_table(table, records=records, columns=columns)

        await _load(gen, Batches(write, 50_000))
        print("building the GIN index over message bodies …", file=sys.stderr)
        await conn.execute("SET maintenance_work_mem = '1GB'")
        await conn.execute("CREATE INDEX ix_messages_fts ON messages USING gin (body_tsv)")
        for table in ("contacts", "contact_identities", "tickets", "messages"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        await conn.execute("VACUUM ANALYZE")
        await conn.close()
    return time.monotonic() - started


async def _load(gen: Generator, batches: Batches) -> None:
    for contact, identity in gen.contacts():
        await batches.add("contacts", contact)
        await batches.add("contact_identities", identity)
    await batches.flush()
    for n, (ticket, messages) in enumerate(gen.tickets(), 1):
        await batches.add("tickets", ticket)
        for message in messages:
            await batches.add("messages", message)
        if n % 100_000 == 0:
            print(f"  {n:,} tickets", file=sys.stderr)
    await batches.flush()


# --- measuring ---------------------------------------------------------------------------------


def login(client: httpx.Client) -> None:
    client.get("/login")
    token = client.cookies.get("helpdesk_csrf")
    response = client.post(
        "/login",
        data={"_csrf_token": token, "username": USERNAME, "password": PASSWORD, "next": "/"},
    )
    if response.status_code != 303:
        raise SystemExit(f"login failed: {response.status_code} {response.text[:300]}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): what a request costs the
    server, which the machine's other load moves much less than the wall-clock time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    client: httpx.Client, urls: list[str], count: int, warmup: int, server_pid: int | None = None
) -> dict[str, Any]:
    times: list[float] = []
    sizes: list[int] = []
    cpu_start = 0.0
    for i in range(warmup + count):
        url = urls[i % len(urls)]
        if i == warmup and server_pid is not None:
            cpu_start = cpu_seconds(server_pid)
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"GET {url}: {response.status_code} {response.text[:300]}")
        if i >= warmup:
            times.append(elapsed * 1000)
            sizes.append(len(response.content))
    result = {
        "n": len(times),
        "p50_ms": round(percentile(times, 50) or 0, 2),
        "p95_ms": round(percentile(times, 95) or 0, 2),
        "max_ms": round(max(times), 2),
        "bytes": max(sizes),
    }
    if server_pid is not None:
        result["server_cpu_ms"] = round((cpu_seconds(server_pid) - cpu_start) * 1000 / count, 2)
    return result


def scenarios(database_url: str, backend: str, office_id: int) -> dict[str, list[str]]:
    """The URLs of each scenario; ids, register numbers and phones read from the database."""

    async def read() -> tuple[list[int], list[str], list[str]]:
        from sqlalchemy import select
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(database_url)
        async with engine.connect() as conn:
            tickets = (
                await conn.execute(
                    select(Ticket.id, Ticket.register_no)
                    .where(Ticket.office_id == office_id, Ticket.status.in_(["new", "open"]))
                    .order_by(Ticket.id.desc())
                    .limit(100)
                )
            ).all()
            phones = (
                await conn.execute(
                    select(Contact.phone).where(Contact.office_id == office_id).limit(50)
                )
            ).scalars()
            result = [t.id for t in tickets], [t.register_no for t in tickets], list(phones)
        await engine.dispose()
        return result

    ids, registers, phones = asyncio.run(read())
    return {
        "list: default (active, by urgency)": ["/"],
        "list: overdue": ["/?due=overdue"],
        "list: mine": ["/?assignee=mine"],
        "list: closed by e-mail (archive)": ["/?status=closed&channel=email"],
        "ticket page": [f"/tickets/{i}" for i in ids],
        # What a citizen's complaint is searched by: common words, alone and in pairs, a word
        # typed half-way (a prefix), and one rare word (RARE).
        "search: words": [f"/?q={w}" for w in SEARCH_WORDS],
        "search: register number": [f"/?q={r}" for r in registers[:50]],
        "search: phone": [f"/?q=0{p[2:]}" for p in phones],
        "search: name": ["/?q=siti+aminah", "/?q=budi", "/?q=hendra+lubis"],
    }


def target_of(name: str) -> float:
    if name.startswith("list"):
        return TARGETS_MS["list"]
    return TARGETS_MS["ticket"] if name.startswith("ticket") else TARGETS_MS["search"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="per scenario")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--database-url", help="reuse a database this bench populated")
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    parser.add_argument(
        "--populate-only",
        action="store_true",
        help="populate (and keep) the database, measure nothing: measure it later, under the "
        "bench lock, with --database-url",
    )
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument(
        "--only",
        help="measure only the scenarios whose names start with one of these comma-separated "
        "prefixes, e.g. `list,ticket`",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-inbox-"))
    reuse = args.database_url is not None
    if reuse:
        database_url = args.database_url
    elif args.backend == "sqlite":
        database_url = f"sqlite+aiosqlite:///{workdir / 'helpdesk.db'}"
    else:
        name = f"bench_inbox_{secrets.token_hex(4)}"
        postgres_admin(args.postgres_admin_url, f'CREATE DATABASE "{name}"')
        database_url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    env = service_env(database_url, workdir, None, None)
    env["HELPDESK_PASSWORD"] = PASSWORD
    result: dict[str, Any] = {
        "backend": args.backend,
        "database_url": database_url,
        "machine": platform.platform(),
        "python": sys.version.split()[0],
    }
    server = None
    try:
        if not reuse:
            (workdir / "offices.toml").write_text(OFFICES_TOML)
            run_cli(["db", "upgrade"], env, workdir)
            run_cli(["offices", "load", str(workdir / "offices.toml")], env, workdir)
            run_cli(
                ["user", "add", USERNAME, "--office", OFFICES[0], "--role", "admin"], env, workdir
            )
        office_ids, account_ids, user_id = asyncio.run(_ids(database_url))
        if not reuse:
            gen = Generator(args.tickets, office_ids, account_ids, user_id)
            print(f"populating {args.tickets:,} tickets …", file=sys.stderr)
            result["populate_s"] = round(asyncio.run(populate(args.backend, database_url, gen)), 1)
            print(f"populated in {result['populate_s']} s", file=sys.stderr)
            if args.populate_only:
                print(f"database: {database_url}", file=sys.stderr)
                return
        result["counts"] = asyncio.run(_counts(database_url))
        port = free_port()
        server = start_service("serve", ["serve", "--port", str(port)], env, workdir)
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: http_ok(f"{base}/livez"), [server], "starting the server", 120)
        urls = scenarios(database_url, args.backend, office_ids[0])
        if args.only:
            prefixes = tuple(p.strip() for p in args.only.split(",") if p.strip())
            urls = {name: u for name, u in urls.items() if name.startswith(prefixes)}
        result["load_before"] = [round(x, 2) for x in os.getloadavg()]
        with httpx.Client(base_url=base, timeout=60) as client:
            login(client)
            rows = {}
            for name, scenario in urls.items():
                rows[name] = measure(
                    client, scenario, args.requests, args.warmup, server.process.pid
                )
                rows[name]["target_p95_ms"] = target_of(name)
                print(f"{name:38} {rows[name]}", file=sys.stderr)
        result["scenarios"] = rows
        result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        if server is not None:
            stop_service(server)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"inbox-{args.backend}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2))
    print_table(result)
    print(f"\nresults: {out}\nworkdir: {workdir}" + ("" if args.keep else " (delete it by hand)"))


async def _ids(database_url: str) -> tuple[list[int], list[int], int]:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    async with engine.connect() as conn:
        codes = {c: i for i, c in enumerate(OFFICES)}
        offices = sorted((await conn.execute(text("SELECT code, id FROM offices"))).all())
        office_ids = [i for _, i in sorted(offices, key=lambda o: codes[o[0]])]
        accounts = dict(
            (await conn.execute(text("SELECT office_id, id FROM channel_accounts"))).all()
        )
        user = (
            await conn.execute(text("SELECT id FROM users WHERE username = :u"), {"u": USERNAME})
        ).scalar_one()
    await engine.dispose()
    return office_ids, [accounts[o] for o in office_ids], user


async def _counts(database_url: str) -> dict[str, int]:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    async with engine.connect() as conn:
        counts = {
            t: (await conn.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one()
            for t in ("tickets", "messages", "contacts")
        }
    await engine.dispose()
    return counts


def print_table(result: dict[str, Any]) -> None:
    print(f"\n{result['backend']}: {result.get('counts')}")
    print(f"load average before/after: {result.get('load_before')} / {result.get('load_after')}")
    print(
        f"{'scenario':38} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'target':>7} {'KB':>6} "
        f"{'cpu ms':>7}"
    )
    for name, row in result.get("scenarios", {}).items():
        ok = "ok" if row["p95_ms"] < row["target_p95_ms"] else "MISSED"
        print(
            f"{name:38} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['max_ms']:8.1f} "
            f"{row['target_p95_ms']:5.0f} {ok:>6} {row['bytes'] / 1024:5.1f} "
            f"{row.get('server_cpu_ms', 0):7.1f}"
        )


if __name__ == "__main__":
    main()
