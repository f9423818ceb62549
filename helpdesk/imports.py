"""Matters brought in without a platform's API: an export file or a paste, for an account
whose channel can read them (`channels.base.ImportingAdapter`, e.g. LAPOR).

Each item is stored as an inbound event, exactly as if the account had polled it, and takes
the same path from there (parse -> ingest), so an imported report is the same ticket, with the
same clocks and confidentiality, as a polled one. Items whose id the account already has (an
earlier import, or the API) are counted as duplicates and add nothing; ingest's unique
(account, platform id) settles two imports racing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ImportBatch, ImportingAdapter, ImportProblem
from helpdesk.auth import Principal
from helpdesk.models import (
    AuditEvent,
    ChannelAccount,
    InboundEvent,
    InboundStatus,
    Message,
    Role,
    utcnow,
)
from helpdesk.offices import account_config
from helpdesk.runtime import Runtime

#: roles that may bring reports into the inbox (those who receive them)
IMPORTERS = frozenset({Role.admin, Role.cs, Role.kasie, Role.kabid, Role.kadis, Role.superuser})


class ImportRefused(PermissionError):
    pass


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


async def importable_accounts(
    session: AsyncSession, rt: Runtime, principal: Principal
) -> list[ChannelAccount]:
    """The active accounts this user may import into, of channels that can import."""
    kinds = [k for k, a in rt.adapters.items() if isinstance(a, ImportingAdapter)]
    if not kinds:
        return []
    query = select(ChannelAccount).where(
        ChannelAccount.kind.in_(kinds), ChannelAccount.active.is_(True)
    )
    scope = principal.office_scope()
    if scope is not None:
        query = query.where(ChannelAccount.office_id.in_(scope))
    accounts = list(await session.scalars(query.order_by(ChannelAccount.id)))
    return [a for a in accounts if principal.role_in(a.office_id) in IMPORTERS]


async def import_file(
    session: AsyncSession,
    rt: Runtime,
    principal: Principal,
    account_id: int,
    data: bytes,
    filename: str,
) -> ImportResult:
    """Store what an export file holds; the caller commits, then calls `wake(rt)`."""
    adapter, account = await _target(session, rt, principal, account_id)
    batch = adapter.import_file(account_config(account), data, filename[:255])
    return await _store(session, principal, account, batch, "file")


async def import_pasted(
    session: AsyncSession,
    rt: Runtime,
    principal: Principal,
    account_id: int,
    ref: str,
    text: str,
    fields: Mapping[str, str],
) -> ImportResult:
    """Store one pasted matter; the caller commits, then calls `wake(rt)`."""
    adapter, account = await _target(session, rt, principal, account_id)
    batch = adapter.import_pasted(account_config(account), ref, text, fields)
    return await _store(session, principal, account, batch, "paste")


def wake(rt: Runtime, result: ImportResult) -> None:
    """After the commit: have the stored items processed soon (the sweep would, later)."""
    if result.added:
        rt.inbound_wakeup()


async def _target(
    session: AsyncSession, rt: Runtime, principal: Principal, account_id: int
) -> tuple[ImportingAdapter, ChannelAccount]:
    allowed = {a.id: a for a in await importable_accounts(session, rt, principal)}
    account = allowed.get(account_id)
    if account is None:
        raise ImportRefused("no such account to import into")
    adapter = rt.adapters[account.kind]
    assert isinstance(adapter, ImportingAdapter)
    return adapter, account


async def _store(
    session: AsyncSession,
    principal: Principal,
    account: ChannelAccount,
    batch: ImportBatch,
    how: str,
) -> ImportResult:
    result = ImportResult(problems=list(batch.problems))
    if not batch.items:
        return result
    ids = [item.external_id for item in batch.items]
    known = set(
        await session.scalars(
            select(Message.external_id).where(
                Message.channel_account_id == account.id, Message.external_id.in_(ids)
            )
        )
    )
    # Imported a moment ago and not processed yet: still the same report.
    waiting = InboundEvent.headers["id"].as_string()
    known |= set(
        await session.scalars(
            select(waiting).where(
                InboundEvent.channel == account.kind,
                InboundEvent.status == InboundStatus.pending,
                waiting.in_(ids),
            )
        )
    )
    now = utcnow()
    for item in batch.items:
        if item.external_id in known:
            result.duplicates.append(item.external_id)
            continue
        session.add(
            InboundEvent(
                channel=account.kind,
                received_at=now,
                headers={"import": how, "by": principal.username, "id": item.external_id},
                body=item.body,
            )
        )
        result.added.append(item.external_id)
    session.add(
        AuditEvent(
            office_id=account.office_id,
            user_id=principal.user_id,
            action="import.stored",
            detail={
                "account": account.id,
                "how": how,
                "added": len(result.added),
                "duplicates": len(result.duplicates),
                "problems": len(result.problems),
            },
        )
    )
    await session.flush()
    return result
