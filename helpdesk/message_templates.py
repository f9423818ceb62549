"""An account's platform message templates: listed through its adapter, cached in the database.

The cache is one row per channel account, so every web process and worker shares one list and
one refresh (DESIGN.md: nothing may assume one process). A listing older than `TEMPLATE_TTL` is
refreshed when next asked for; a failed refresh keeps the last good list and says why.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import AuthError, ChannelError, MessageTemplate
from helpdesk.db import transaction
from helpdesk.dialect import insert_for
from helpdesk.models import AccountHealth, ChannelAccount, TemplateCache, utcnow
from helpdesk.offices import account_config
from helpdesk.runtime import Runtime

TEMPLATE_TTL = timedelta(hours=1)
# After a failed listing, wait this long before asking the platform again.
RETRY_AFTER_FAILURE = timedelta(minutes=2)
MAX_PARAMETER = 1000
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]{1,60})\s*\}\}")
_FIELDS = {f.name for f in dataclasses.fields(MessageTemplate)}


@dataclass(frozen=True)
class TemplateList:
    templates: tuple[MessageTemplate, ...]
    fetched_at: datetime | None  # None: never listed successfully
    error: str | None = None  # why the last refresh failed

    def find(self, name: str, language: str) -> MessageTemplate | None:
        return next((t for t in self.templates if t.name == name and t.language == language), None)

    @property
    def usable(self) -> tuple[MessageTemplate, ...]:
        return tuple(t for t in self.templates if t.usable)


class TemplateRefused(ValueError):
    """The chosen template or its values cannot be sent (the reason is an i18n-able code)."""


async def templates_for(
    rt: Runtime, account: ChannelAccount, *, refresh: bool = False
) -> TemplateList:
    """The account's templates, from the cache while it is fresh, else from the platform."""
    adapter = rt.adapters.get(account.kind)
    config = account_config(account)
    if adapter is None or not adapter.has_templates(config):
        return TemplateList((), None)
    async with rt.sessions() as session:
        cached = await session.get(TemplateCache, account.id)
    now = utcnow()
    if cached is not None and not refresh and _fresh(cached, now):
        return _as_list(cached)
    try:
        templates = await adapter.list_templates(config)
    except ChannelError as exc:
        error = (f"[{exc.code}] {exc.message}" if exc.code else exc.message)[:1000]
        await _store(rt, account.id, None, now, error)
        if isinstance(exc, AuthError):
            await _needs_attention(rt, account.id, error, now)
        kept = _as_list(cached) if cached is not None else TemplateList((), None)
        return dataclasses.replace(kept, error=error)
    await _store(rt, account.id, templates, now, None)
    return TemplateList(tuple(templates), now)


async def stored_templates(session: AsyncSession, account_id: int) -> TemplateList | None:
    """The account's templates as last stored, without asking the platform; None when never
    listed. For a view that must not wait on the platform (it may be stale)."""
    cached = await session.get(TemplateCache, account_id)
    return _as_list(cached) if cached is not None else None


def fill(template: MessageTemplate, values: Sequence[str]) -> str:
    """The text the citizen will read: header, body with its values, footer."""
    by_name = dict(zip(template.parameters, values, strict=False))
    body = _PLACEHOLDER.sub(lambda m: by_name.get(m.group(1), m.group(0)), template.body)
    return "\n\n".join(part for part in (template.header, body, template.footer) if part)


def clean_parameters(template: MessageTemplate, values: Sequence[str]) -> tuple[str, ...]:
    """The values as they will be sent; TemplateRefused when they do not fit the template.

    A value fills a gap in one line of text: line breaks and runs of blanks become one space
    (platforms refuse or mangle them inside a parameter).
    """
    if not template.usable:
        raise TemplateRefused("template_unusable")
    if len(values) != len(template.parameters):
        raise TemplateRefused("template_parameters")
    cleaned = tuple(" ".join(v.replace("\x00", "").split()) for v in values)
    if any(not v for v in cleaned):
        raise TemplateRefused("template_parameter_empty")
    if any(len(v) > MAX_PARAMETER for v in cleaned):
        raise TemplateRefused("template_parameter_long")
    return cleaned


def _fresh(cached: TemplateCache, now: datetime) -> bool:
    if cached.error and now - cached.checked_at < RETRY_AFTER_FAILURE:
        return True  # failed a moment ago: do not hammer the platform from every page view
    return cached.fetched_at is not None and now - cached.fetched_at < TEMPLATE_TTL


def _as_list(cached: TemplateCache) -> TemplateList:
    templates = tuple(
        MessageTemplate(**_known(t)) for t in cached.templates or [] if isinstance(t, dict)
    )
    return TemplateList(templates, cached.fetched_at, cached.error)


def _known(data: dict[str, Any]) -> dict[str, Any]:
    known = {k: v for k, v in data.items() if k in _FIELDS}
    known["parameters"] = tuple(known.get("parameters") or ())
    return known


async def _store(
    rt: Runtime,
    account_id: int,
    templates: Sequence[MessageTemplate] | None,
    now: datetime,
    error: str | None,
) -> None:
    """Upsert the cache row; a failure (templates None) keeps the last good list."""
    values: dict[str, Any] = {"checked_at": now, "error": error}
    if templates is not None:
        values |= {"templates": [dataclasses.asdict(t) for t in templates], "fetched_at": now}
    async with transaction(rt.sessions) as session:
        await _upsert(session, account_id, values)


async def _needs_attention(rt: Runtime, account_id: int, error: str, now: datetime) -> None:
    """An expired or revoked token: the account is marked as the outbox marks it."""
    async with transaction(rt.sessions) as session:
        account = await session.get_one(ChannelAccount, account_id)
        account.health = AccountHealth.needs_attention
        account.last_error, account.last_error_at = error, now


async def _upsert(session: AsyncSession, account_id: int, values: dict[str, Any]) -> None:
    insert = insert_for(session, TemplateCache).values(
        channel_account_id=account_id,
        templates=values.get("templates", []),
        **{k: v for k, v in values.items() if k != "templates"},
    )
    await session.execute(
        insert.on_conflict_do_update(index_elements=["channel_account_id"], set_=values)
    )
