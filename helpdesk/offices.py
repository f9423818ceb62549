"""The offices file (TOML): offices and their channel accounts, loaded idempotently.

A value written `env:NAME` is kept as written and read from the environment when used, so
secrets that live in the environment are never copied into the database.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import AccountConfig
from channels.registry import ADAPTERS
from helpdesk.models import ChannelAccount, Office
from helpdesk.models.office import DEFAULT_REGISTER_FORMAT
from helpdesk.registers import RegisterFormatError, validate_format
from helpdesk.reports.settings import office_settings as report_settings
from helpdesk.workflow.calendar import CalendarError, parse_hours
from helpdesk.workflow.profile import (
    SHIPPED,
    ProfileError,
    load_profile,
    resolve_ref,
    shipped_names,
)

ENV_PREFIX = "env:"
CALENDAR_KEYS = ("working_hours", "holidays")
# Every Office.settings key the offices file sets (`_calendar_settings`, the report keys of
# `helpdesk.reports.settings`). A load replaces these with what the file says, dropping the ones
# it leaves out; other keys are state the helpdesk keeps there (the recap's claim and last day)
# or set elsewhere, and are left as they are.
FILE_KEYS = (*CALENDAR_KEYS, "register_mask", "recap_to", "recap_at", "recap_group")


class OfficesFileError(ValueError):
    """The offices file is wrong; the message names the place."""


@dataclass(frozen=True)
class ChannelSpec:
    kind: str
    key: str
    label: str
    config: dict[str, str]


@dataclass(frozen=True)
class OfficeSpec:
    code: str
    name: str
    sop: str
    timezone: str
    register_format: str
    channels: list[ChannelSpec] = field(default_factory=list)
    # Calendar overrides kept in Office.settings: working_hours, holidays (local days off).
    settings: dict[str, Any] = field(default_factory=dict)


def resolve(value: str, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    if isinstance(value, str) and value.startswith(ENV_PREFIX):
        return env.get(value[len(ENV_PREFIX) :], "")
    return value


def account_config(account: ChannelAccount, env: Mapping[str, str] | None = None) -> AccountConfig:
    values = {name: resolve(str(v), env) for name, v in (account.config or {}).items()}
    return AccountConfig(key=account.key, values=values)


def parse_offices(
    text: str, env: Mapping[str, str] | None = None, base: Path | None = None
) -> list[OfficeSpec]:
    """`base`: where a relative `sop` path is looked for (the offices file's folder)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OfficesFileError(f"not valid TOML: {exc}") from exc
    offices = data.get("office")
    if not isinstance(offices, list) or not offices:
        raise OfficesFileError("the file has no [[office]] table")
    specs = [_office(i, o, env, base) for i, o in enumerate(offices, 1)]
    codes = [s.code for s in specs]
    if len(set(codes)) != len(codes):
        raise OfficesFileError("an office code appears twice")
    return specs


def _office(
    index: int, raw: Any, env: Mapping[str, str] | None, base: Path | None = None
) -> OfficeSpec:
    where = f"office #{index}"
    if not isinstance(raw, dict):
        raise OfficesFileError(f"{where}: must be a table")
    code = str(raw.get("code", "")).strip().lower()
    if not code or not code.replace("_", "").replace("-", "").isalnum() or len(code) > 40:
        raise OfficesFileError(f"{where}: `code` must be letters, digits, - or _ (at most 40)")
    where = f"office {code!r}"
    name = str(raw.get("name", "")).strip()
    if not name:
        raise OfficesFileError(f"{where}: `name` is required")
    timezone = str(raw.get("timezone", "Asia/Jakarta"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise OfficesFileError(f"{where}: unknown timezone {timezone!r}") from exc
    register_format = str(raw.get("register_format", DEFAULT_REGISTER_FORMAT))
    try:
        validate_format(register_format)
    except RegisterFormatError as exc:
        raise OfficesFileError(f"{where}: {exc}") from exc
    channels = raw.get("channel", [])
    if not isinstance(channels, list):
        raise OfficesFileError(f"{where}: `channel` must be a list of [[office.channel]] tables")
    parsed = [_channel(where, i, c, env) for i, c in enumerate(channels, 1)]
    return OfficeSpec(
        code=code,
        name=name,
        sop=_sop(where, raw, code, base),
        timezone=timezone,
        register_format=register_format,
        channels=parsed,
        settings=_calendar_settings(where, raw) | report_settings(where, raw),
    )


def _sop(where: str, raw: Mapping[str, Any], code: str, base: Path | None) -> str:
    """A shipped profile's name, or the absolute path of the office's own profile file;
    either way loaded and validated now, so a broken profile never reaches the database."""
    ref = str(raw.get("sop") or (code if code in shipped_names() else "default"))
    try:
        path = resolve_ref(ref, base)
        load_profile(str(path))
    except ProfileError as exc:
        raise OfficesFileError(f"{where}: {exc}") from exc
    value = path.stem if path.parent == SHIPPED else str(path)
    if len(value) > 200:
        raise OfficesFileError(f"{where}: the SOP profile path is longer than 200 characters")
    return value


def _calendar_settings(where: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    if "working_hours" in raw:
        try:
            parse_hours(raw["working_hours"])
        except (CalendarError, TypeError) as exc:
            raise OfficesFileError(f"{where}: working_hours: {exc}") from exc
        settings["working_hours"] = dict(raw["working_hours"])
    if "holidays" in raw:
        try:
            settings["holidays"] = [date.fromisoformat(str(d)).isoformat() for d in raw["holidays"]]
        except (TypeError, ValueError) as exc:
            raise OfficesFileError(f"{where}: holidays must be dates (YYYY-MM-DD)") from exc
    return settings


def _channel(office: str, index: int, raw: Any, env: Mapping[str, str] | None) -> ChannelSpec:
    where = f"{office}, channel #{index}"
    if not isinstance(raw, dict):
        raise OfficesFileError(f"{where}: must be a table")
    kind = raw.get("kind")
    adapter = ADAPTERS.get(str(kind))
    if adapter is None:
        known = ", ".join(sorted(ADAPTERS))
        raise OfficesFileError(f"{where}: unknown kind {kind!r} (known: {known})")
    config = {k: str(v) for k, v in raw.items() if k not in {"kind", "label"}}
    if "first_contact_parameters" in config:
        from helpdesk.first_contact import check_fields  # at call time: it imports this module

        try:
            fields = config["first_contact_parameters"].split(",")
            check_fields(tuple(f.strip() for f in fields if f.strip()))
        except ValueError as exc:
            raise OfficesFileError(f"{where} ({kind}): {exc}") from exc
    missing = [f for f in adapter.required_fields if not resolve(config.get(f, ""), env)]
    if missing:
        raise OfficesFileError(
            f"{where} ({kind}): missing {', '.join(missing)} (or its env: variable is unset)"
        )
    return ChannelSpec(
        kind=adapter.kind,
        key=adapter.account_key({f: resolve(v, env) for f, v in config.items()}),
        label=str(raw.get("label", "")),
        config=config,
    )


@dataclass(frozen=True)
class Loaded:
    """What a load did: the file's offices, and the accounts it deactivated."""

    offices: list[Office]
    deactivated: list[ChannelAccount]


async def load_offices(
    session: AsyncSession, specs: list[OfficeSpec], *, partial: bool = False
) -> Loaded:
    """Create or update offices and channel accounts; running it twice changes nothing.

    An office's settings become what the file says: a key removed from the file is removed
    from the office (its default applies again). The file is the whole truth about the offices
    it lists: an account of one of them that it no longer lists is deactivated — not deleted,
    its tickets and messages stay, and listing it again brings it back. Offices the file does
    not list are left as they are. `partial`: the file adds or updates accounts only (a file
    of one channel's accounts), deactivating none."""
    result, listed = [], []
    for spec in specs:
        office = await session.scalar(select(Office).where(Office.code == spec.code))
        if office is None:
            office = Office(code=spec.code)
            session.add(office)
        office.name = spec.name
        office.sop = spec.sop
        office.timezone = spec.timezone
        office.register_format = spec.register_format
        kept = {k: v for k, v in (office.settings or {}).items() if k not in FILE_KEYS}
        office.settings = {**kept, **spec.settings}
        await session.flush()
        for channel in spec.channels:
            account = await session.scalar(
                select(ChannelAccount).where(
                    ChannelAccount.kind == channel.kind, ChannelAccount.key == channel.key
                )
            )
            if account is None:
                account = ChannelAccount(kind=channel.kind, key=channel.key)
                session.add(account)
            elif account.office_id != office.id:
                raise OfficesFileError(
                    f"{channel.kind} account {channel.key} already belongs to another office"
                )
            account.office_id = office.id
            account.label = channel.label
            account.config = channel.config
            account.active = True
            await session.flush()
            listed.append(account.id)
        result.append(office)
    deactivated = [] if partial else await _deactivate_unlisted(session, result, listed)
    await session.flush()
    return Loaded(result, deactivated)


async def apply_offices(
    session: AsyncSession, specs: list[OfficeSpec], *, partial: bool = False
) -> list[Office]:
    """`load_offices`, for a caller that needs only the offices."""
    return (await load_offices(session, specs, partial=partial)).offices


async def _deactivate_unlisted(
    session: AsyncSession, offices: list[Office], listed: list[int]
) -> list[ChannelAccount]:
    """The file's offices' active accounts it did not list, now inactive."""
    if not offices:
        return []
    gone = list(
        await session.scalars(
            select(ChannelAccount)
            .where(
                ChannelAccount.office_id.in_([o.id for o in offices]),
                ChannelAccount.active.is_(True),
                ChannelAccount.id.not_in(listed),
            )
            .order_by(ChannelAccount.id)
        )
    )
    for account in gone:
        account.active = False
    return gone


def load_offices_file(path: Path) -> list[OfficeSpec]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OfficesFileError(f"cannot read {path}: {exc.strerror}") from exc
    return parse_offices(text, base=path.parent)
