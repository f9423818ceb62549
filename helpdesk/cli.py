"""The `helpdesk` command (DESIGN.md section 6). Each verb has `--help`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

# Only the standard library at import: `main` turns the garbage collector off before the
# helpdesk's modules load (see there).
if TYPE_CHECKING:
    from helpdesk.settings import Settings

DEFAULT_PORT = 8000


def _port_default() -> int:
    value = os.environ.get("HELPDESK_PORT", "")
    return int(value) if value.isdigit() else DEFAULT_PORT


def main(argv: Sequence[str] | None = None) -> int:
    # What a command loads and builds at its start (modules, mappers, the app) lives as long as
    # the process: the collector's full passes over it while it grows are wasted, ~45 ms of the
    # CPU before `serve` reads its first mail. A server turns it back on once started, with
    # those objects frozen out of its sight (helpdesk.runtime.settle_heap); a short command
    # lives without it; in-process callers (tests) get their setting back.
    collecting = gc.isenabled()
    gc.disable()
    try:
        parser = _parser()
        args = parser.parse_args(argv)
        if not hasattr(args, "run"):
            parser.print_help()
            return 2
        try:
            return int(args.run(args) or 0)
        except CommandError as exc:
            print(f"helpdesk: {exc}", file=sys.stderr)
            return 1
    finally:
        if collecting:
            gc.enable()


class CommandError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    from helpdesk.models import Role

    parser = argparse.ArgumentParser(
        prog="helpdesk", description="One shared complaint inbox for Dinas Dukcapil."
    )
    verbs = parser.add_subparsers(title="verbs", metavar="VERB")

    serve = verbs.add_parser("serve", help="serve the inbox, the API and the webhooks")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=_port_default())
    serve.add_argument(
        "--access-log", action="store_true", help="log every request (off: the proxy logs them)"
    )
    serve.set_defaults(run=_serve)

    worker = verbs.add_parser("worker", help="run an arq job worker (needs HELPDESK_REDIS_URL)")
    worker.set_defaults(run=_worker)

    db = verbs.add_parser("db", help="database maintenance")
    db_verbs = db.add_subparsers(title="verbs", metavar="VERB")
    db_upgrade = db_verbs.add_parser("upgrade", help="migrate the database to the latest schema")
    db_upgrade.set_defaults(run=_db_upgrade)

    offices = verbs.add_parser("offices", help="offices and their channel accounts")
    office_verbs = offices.add_subparsers(title="verbs", metavar="VERB")
    load = office_verbs.add_parser("load", help="create or update offices from a TOML file")
    load.add_argument("file", type=Path)
    load.add_argument(
        "--partial",
        action="store_true",
        help="only add or update the accounts listed; deactivate none the file leaves out",
    )
    load.set_defaults(run=_offices_load)

    user = verbs.add_parser("user", help="staff users")
    user_verbs = user.add_subparsers(title="verbs", metavar="VERB")
    add = user_verbs.add_parser(
        "add",
        help="create a user or update their password and role "
        "(password from HELPDESK_PASSWORD or standard input)",
    )
    add.add_argument("name")
    add.add_argument("--office", help="office code (not needed for superuser)")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--full-name", default="")
    add.set_defaults(run=_user_add)

    token = verbs.add_parser("token", help="API tokens")
    token_verbs = token.add_subparsers(title="verbs", metavar="VERB")
    create = token_verbs.add_parser("create", help="print a new API token for a user (last line)")
    create.add_argument("name", help="the user name")
    create.add_argument("--label", default="cli")
    create.set_defaults(run=_token_create)

    demo = verbs.add_parser("demo", help="run the demo: offices, users, simulators, the inbox")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=_port_default())
    demo.add_argument("--simulator-port", type=int, help="default: the inbox port + 1")
    demo.set_defaults(run=_demo)
    demo_verbs = demo.add_subparsers(title="verbs", metavar="VERB")
    send = demo_verbs.add_parser("send", help="send a message as a citizen through a simulator")
    send.add_argument("channel", choices=["whatsapp", "telegram", "facebook", "instagram"])
    send.add_argument("text")
    send.add_argument("--office", required=True)
    send.add_argument(
        "--from",
        dest="sender",
        required=True,
        help="the citizen's number (Telegram: user id; Facebook, Instagram: their scoped id, "
        "and a text starting with 'komentar:' is posted as a comment)",
    )
    send.add_argument("--name", default="Warga Demo")
    send.add_argument(
        "--simulator", default=None, help="simulator URL (default http://127.0.0.1:<port+1>)"
    )
    send.set_defaults(run=_demo_send)
    return parser


def _settings() -> Settings:
    from helpdesk.settings import Settings

    return Settings.from_env()


def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    from helpdesk.app import create_app

    uvicorn.run(
        create_app(_settings()),
        host=args.host,
        port=args.port,
        log_level="info",
        access_log=args.access_log,
        # Open live-update streams (GET /live) never finish on their own: without a limit a
        # shutdown would wait for every browser to leave. Browsers reconnect by themselves.
        timeout_graceful_shutdown=5,
    )


def _worker(_: argparse.Namespace) -> None:
    from helpdesk.jobs.worker import make_worker

    settings = _settings()
    if not settings.redis_url:
        raise CommandError("HELPDESK_REDIS_URL is not set: the worker needs Redis")
    make_worker(settings).run()


def _db_upgrade(_: argparse.Namespace) -> None:
    from helpdesk.migrate import upgrade

    upgrade(_settings())
    print("database is up to date")


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def _offices_load(args: argparse.Namespace) -> None:
    from helpdesk.db import create_engine, create_sessionmaker, transaction
    from helpdesk.offices import OfficesFileError, load_offices, load_offices_file

    try:
        specs = load_offices_file(args.file)
    except OfficesFileError as exc:
        raise CommandError(str(exc)) from exc

    async def load() -> list[str]:
        engine = create_engine(_settings())
        try:
            async with transaction(create_sessionmaker(engine)) as session:
                loaded = await load_offices(session, specs, partial=args.partial)
                codes = {o.id: o.code for o in loaded.offices}
                return [f"{o.code}: {o.name}" for o in loaded.offices] + [
                    f"deactivated: {codes[a.office_id]} {a.kind} {a.key} (not in the file)"
                    for a in loaded.deactivated
                ]
        finally:
            await engine.dispose()

    try:
        for line in _run(load()):
            print(line)
    except OfficesFileError as exc:
        raise CommandError(str(exc)) from exc


def _read_password() -> str:
    password = os.environ.get("HELPDESK_PASSWORD")
    if password:
        return password
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise CommandError("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _user_add(args: argparse.Namespace) -> None:
    from helpdesk.db import create_engine, create_sessionmaker, transaction
    from helpdesk.models import Role
    from helpdesk.users import UserError, add_or_update_user

    password = _read_password()

    async def add() -> str:
        engine = create_engine(_settings())
        try:
            async with transaction(create_sessionmaker(engine)) as session:
                user = await add_or_update_user(
                    session, args.name, password, Role(args.role), args.office, args.full_name
                )
                return user.username
        finally:
            await engine.dispose()

    try:
        username = _run(add())
    except UserError as exc:
        raise CommandError(str(exc)) from exc
    where = f" in {args.office}" if args.office else ""
    print(f"user {username}: {args.role}{where}")


def _token_create(args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from helpdesk.auth import create_token
    from helpdesk.db import create_engine, create_sessionmaker, transaction
    from helpdesk.models import User

    async def create() -> str:
        engine = create_engine(_settings())
        try:
            async with transaction(create_sessionmaker(engine)) as session:
                user = await session.scalar(select(User).where(User.username == args.name.lower()))
                if user is None:
                    raise CommandError(f"no user {args.name!r}")
                return await create_token(session, user, args.label)
        finally:
            await engine.dispose()

    print(f"API token for {args.name} (shown once; store it now):")
    print(_run(create()))


def _demo(args: argparse.Namespace) -> None:
    from helpdesk import demo

    with contextlib.suppress(KeyboardInterrupt):
        _run(demo.run(args.host, args.port, args.simulator_port or args.port + 1))


def _demo_send(args: argparse.Namespace) -> None:
    import httpx
    from sqlalchemy import select

    from channels.simulators import send_as_citizen
    from helpdesk.db import create_engine, create_sessionmaker
    from helpdesk.models import ChannelAccount, Office

    async def account_key() -> str:
        engine = create_engine(_settings())
        try:
            async with create_sessionmaker(engine)() as session:
                key = await session.scalar(
                    select(ChannelAccount.key)
                    .join(Office, Office.id == ChannelAccount.office_id)
                    .where(Office.code == args.office.lower(), ChannelAccount.kind == args.channel)
                )
        finally:
            await engine.dispose()
        if key is None:
            raise CommandError(f"office {args.office!r} has no {args.channel} account")
        return key

    simulator = args.simulator or f"http://127.0.0.1:{_port_default() + 1}"
    try:
        result = send_as_citizen(
            simulator, args.channel, _run(account_key()), args.sender, args.name, args.text
        )
    except (OSError, httpx.HTTPError) as exc:
        raise CommandError(f"the simulator at {simulator} is not answering: {exc}") from exc
    print(f"sent {result.get('id')} (helpdesk answered {result.get('webhook_status')})")


if __name__ == "__main__":
    raise SystemExit(main())
