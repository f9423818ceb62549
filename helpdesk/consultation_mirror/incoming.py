"""What a staff group (or a staff member in private) writes to an office's channel account.

- In a consultation's thread (its forum topic, or a reply to anything in its reply chain): a
  note in the ticket's consultation thread, attributed to the inbox user linked to the sender;
  an unlinked sender's note is kept and marked unlinked, and they cannot run commands.
- `/status REGISTER`, `/jawab [REGISTER] text`: for linked members with a role in the office,
  checked by the workflow engine (`commands`).
- `/link CODE`, in private: links the sender's account to an inbox user (`links`).
- Anything from a chat that is not the account's staff group: ignored and logged.

A post that lands on a ticket is stored first as a note keyed by its platform id, so a
re-delivered update adds nothing and runs no command twice. Command answers are sent straight
back (best effort, not through the outbox): they are derived, and asking again repeats them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelError, OutboundMessage, StaffGroupAdapter, StaffPost
from helpdesk.auth import Principal, load_principal
from helpdesk.consultation_mirror import commands, links
from helpdesk.consultation_mirror.outgoing import FROM_GROUP, topic_ref
from helpdesk.db import transaction
from helpdesk.dialect import insert_for
from helpdesk.jobs.queue import enqueue_or_leave_to_sweep
from helpdesk.models import (
    ChannelAccount,
    Consultation,
    Direction,
    Message,
    MessageStatus,
    Ticket,
    User,
    utcnow,
)
from helpdesk.offices import account_config
from helpdesk.runtime import Runtime

log = logging.getLogger(__name__)

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\S*)?(?:\s+(.*))?$", re.DOTALL)
# A register number: ADU/BREBES/2026/000001 (an office's own format has slashes too).
_REGISTER = re.compile(r"^[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+){2,}$")
NOT_LINKED = (
    "Akun Telegram Anda belum tertaut ke pengguna inbox, jadi tidak dapat bertindak di sini. "
    "Buka inbox → Tautkan Telegram, lalu kirim /link KODE ke bot ini secara pribadi."
)
NO_ROLE = "Pengguna inbox Anda tidak punya peran di kantor ini."


@dataclass
class _Result:
    outcome: str  # unrouted, ignored, duplicate, note, command, linked, refused
    replies: list[str] = field(default_factory=list)
    outbox_items: list[int] = field(default_factory=list)


def _command(body: str) -> tuple[str | None, str]:
    found = _COMMAND.match(body.strip())
    if not found:
        return None, body
    return found.group(1).lower(), (found.group(2) or "").strip()


async def receive(rt: Runtime, channel: str, post: StaffPost) -> str:
    """Handle one staff post; returns what became of it (see `_Result.outcome`)."""
    adapter = rt.adapters.get(channel)
    async with transaction(rt.sessions) as session:
        session.info[FROM_GROUP] = True
        account = await session.scalar(
            select(ChannelAccount).where(
                ChannelAccount.kind == channel,
                ChannelAccount.key == post.account_key,
                ChannelAccount.active.is_(True),
            )
        )
        if account is None:
            return "unrouted"
        config = account_config(account)
        if post.private:
            result = await _private(session, channel, post)
        else:
            group = (
                adapter.staff_group_id(config) if isinstance(adapter, StaffGroupAdapter) else None
            )
            if not group or post.chat_id != group:
                log.warning(
                    "%s account %s: ignored a message from chat %s, not its staff group",
                    channel,
                    account.key,
                    post.chat_id,
                )
                return "ignored"
            try:
                async with session.begin_nested():
                    result = await _group(session, account, post)
            except _Refused as refused:
                result = _Result("refused", [refused.text])
    for item_id in result.outbox_items:
        await enqueue_or_leave_to_sweep(
            rt.jobs, "send_outbox_item", item_id, job_id=f"outbox:{item_id}"
        )
    if adapter is not None:
        for text in result.replies:
            try:
                await adapter.send(
                    config,
                    OutboundMessage(
                        recipient_id=post.chat_id,
                        body=text,
                        thread_id=post.thread_id,
                        reply_to_external_id=post.external_id,
                    ),
                )
            except ChannelError as exc:
                log.warning("%s: could not answer a staff command: %s", channel, exc)
    return result.outcome


class _Refused(Exception):
    """Undo what the post changed (its note too), and tell the sender why."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


async def _private(session: AsyncSession, channel: str, post: StaffPost) -> _Result:
    command, rest = _command(post.body)
    if command != "link":
        return _Result("ignored")
    try:
        user = await links.redeem(
            session,
            channel,
            post.sender_id,
            post.sender_name or "",
            rest.split()[0] if rest else "",
        )
    except links.LinkRefused:
        text = "Kode tidak dikenal atau sudah kedaluwarsa. Minta kode baru di inbox."
        linked = await links.linked_user(session, channel, post.sender_id)
        if linked is not None:  # e.g. Telegram delivering the /link that worked once more
            user = await session.get_one(User, linked)
            text += f" Akun ini tetap tertaut ke {user.display_name} ({user.username})."
        return _Result("refused", [text])
    return _Result(
        "linked",
        [f"Akun Telegram ini sekarang tertaut ke {user.display_name} ({user.username})."],
    )


async def _thread_of(
    session: AsyncSession, account: ChannelAccount, post: StaffPost
) -> Consultation | None:
    if post.thread_id is not None:
        found = await session.scalar(
            select(Consultation)
            .where(Consultation.external_ref == topic_ref(post.chat_id, post.thread_id))
            .order_by(Consultation.id.desc())
            .limit(1)
        )
        if found is not None:
            return found
    if post.reply_to_external_id:
        consultation_id = await session.scalar(
            select(Message.consultation_id).where(
                Message.channel_account_id == account.id,
                Message.external_id == post.reply_to_external_id,
            )
        )
        if consultation_id is not None:
            return await session.get(Consultation, consultation_id)
    return None


async def _principal(session: AsyncSession, channel: str, post: StaffPost) -> Principal | None:
    user_id = await links.linked_user(session, channel, post.sender_id)
    return await load_principal(session, user_id) if user_id is not None else None


async def _ticket_by_register(
    session: AsyncSession, office_id: int, register_no: str
) -> int | None:
    return await session.scalar(
        select(Ticket.id).where(Ticket.office_id == office_id, Ticket.register_no == register_no)
    )


async def _group(session: AsyncSession, account: ChannelAccount, post: StaffPost) -> _Result:
    command, rest = _command(post.body)
    consultation = await _thread_of(session, account, post)
    if command == "link":
        return _Result("refused", ["Kirim /link KODE ke bot ini secara pribadi, bukan di grup."])
    if command not in ("status", "jawab"):
        if consultation is None:
            return _Result("ignored")  # the group's own conversation
        principal = await _principal(session, account.kind, post)
        if not await _store(session, account, post, consultation, principal):
            return _Result("duplicate")
        return _Result("note")

    principal = await _principal(session, account.kind, post)
    if principal is None:
        return _Result("refused", [NOT_LINKED])
    if principal.role_in(account.office_id) is None:
        return _Result("refused", [NO_ROLE])
    ticket_id = consultation.ticket_id if consultation else None
    first, _, after = rest.partition(" ")
    if first and _REGISTER.match(first):
        ticket_id = await _ticket_by_register(session, account.office_id, first)
        rest = after.strip()
        if ticket_id is None:
            return _Result("refused", [f"Tidak ada tiket {first} di kantor ini."])
    if ticket_id is None:
        return _Result(
            "refused",
            [
                f"Sebutkan nomor register: /{command} NOMOR_REGISTER"
                + (" teks" if command == "jawab" else "")
            ],
        )
    try:
        if command == "status":
            outcome = await commands.status(session, principal, ticket_id)
            return _Result("command", [outcome.reply])
        if not await _store(session, account, post, consultation, principal, ticket_id):
            return _Result("duplicate")
        outcome = await commands.answer(session, principal, ticket_id, rest)
    except commands.CommandRefused as exc:
        raise _Refused(exc.text) from exc
    return _Result("command", [outcome.reply], outcome.outbox_items)


async def _store(
    session: AsyncSession,
    account: ChannelAccount,
    post: StaffPost,
    consultation: Consultation | None,
    principal: Principal | None,
    ticket_id: int | None = None,
) -> bool:
    """The post as a note in the ticket's consultation thread; False if it is already there."""
    ticket_id = ticket_id or (consultation.ticket_id if consultation else None)
    assert ticket_id is not None
    if principal is not None and principal.role_in(account.office_id) is None:
        principal = None  # linked, but not to anyone of this office: as good as unlinked
    now = utcnow()
    stmt = (
        insert_for(session, Message)
        .values(
            ticket_id=ticket_id,
            direction=Direction.note,
            channel=account.kind,
            channel_account_id=account.id,
            external_id=post.external_id,
            content_kind="text",
            body=post.body[:20000],
            details={
                "mirror": "group",
                "sender": (post.sender_name or post.sender_id)[:200],
                "linked": principal is not None,
            },
            status=MessageStatus.received,
            author_id=principal.user_id if principal else None,
            reply_to_external_id=post.reply_to_external_id,
            consultation_id=consultation.id if consultation else None,
            sent_at=post.sent_at,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["channel_account_id", "external_id"])
        .returning(Message.id)
    )
    inserted = (await session.execute(stmt)).scalar_one_or_none()
    if inserted is None:
        return False
    ticket = await session.get_one(Ticket, ticket_id)
    ticket.last_activity_at = now
    return True


async def receive_all(rt: Runtime, channel: str, posts: Sequence[StaffPost]) -> list[str]:
    return [await receive(rt, channel, post) for post in posts]
