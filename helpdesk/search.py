"""Finding tickets from what a user types: a register number, a phone, an email, words.

Words go through the database's full-text index: SQLite FTS5 tables with external content kept
by triggers (migration 0009); PostgreSQL stored `to_tsvector('simple', …)` columns with GIN
indexes ('simple' lower-cases and does not stem, which suits Bahasa Indonesia better than any
shipped stemmer).
The index holds message bodies, ticket subjects and contact names.

Whatever the user typed is reduced to plain word tokens before it reaches a query, so FTS
operators, quotes and brackets are only ever text; a search never raises on its input.
The answer is a bounded list of ticket ids (the newest matches first), scoped to the user's
offices; the caller filters, orders and pages them like any other list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, column, func, literal_column, or_, select, table, text, union
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import confidentiality
from helpdesk.auth import Principal
from helpdesk.dialect import is_postgresql
from helpdesk.models import Contact, ContactIdentity, Message, Ticket

MAX_INPUT = 200  # characters of a query that are looked at
MAX_TERMS = 8
MAX_TERM = 64
# The newest this many matching rows per source are considered: a common word costs the same as
# a rare one, and the newest matches are the ones people look for.
MATCH_LIMIT = 500

# What migration 0009 creates outside the models (the migration test ignores exactly these): the
# FTS5 tables (each with its shadow tables) on SQLite, the GIN indexes on PostgreSQL.
FTS_TABLES = ("messages_fts", "tickets_fts", "contacts_fts")
FTS_INDEXES = tuple(f"ix_{name}" for name in FTS_TABLES)
FTS_SHADOW_SUFFIXES = ("", "_data", "_idx", "_docsize", "_config", "_content")
FTS_COLUMNS = (("messages", "body_tsv"), ("tickets", "subject_tsv"), ("contacts", "name_tsv"))

_WORD = re.compile(r"\w+", re.UNICODE)
_REGISTER = re.compile(r"^[\w.-]+(/[\w.-]+)+$", re.UNICODE)
_EMAIL = re.compile(r"^[^\s@]{1,64}@[^\s@]{1,190}$")
_PHONE = re.compile(r"^\+?[\d\s().-]{6,24}$")


@dataclass(frozen=True)
class SearchQuery:
    text: str  # the cleaned input
    terms: tuple[str, ...]  # lower-cased word tokens for the full-text index
    register_no: str | None = None
    phone: str | None = None  # digits, with the country code (62…)
    email: str | None = None


def parse(raw: str | None) -> SearchQuery | None:
    """What the input may be; None when nothing searchable is left."""
    cleaned = (raw or "").replace("\x00", "")[:MAX_INPUT].strip()
    if not cleaned:
        return None
    terms = tuple(dict.fromkeys(t.lower()[:MAX_TERM] for t in _WORD.findall(cleaned)))
    terms = terms[:MAX_TERMS]
    register_no = cleaned.upper() if _REGISTER.match(cleaned) else None
    email = cleaned.lower() if _EMAIL.match(cleaned) else None
    phone = normalise_phone(cleaned) if _PHONE.match(cleaned) else None
    if not (terms or register_no or email or phone):
        return None
    return SearchQuery(cleaned, terms, register_no=register_no, phone=phone, email=email)


def normalise_phone(value: str) -> str | None:
    """Indonesian numbers as WhatsApp writes them: 0812… and +62 812… both become 62812…"""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits if 6 <= len(digits) <= 15 else None


def fts5_expression(terms: Sequence[str]) -> str:
    """Every term as a quoted prefix phrase: nothing the user typed is read as FTS5 syntax."""
    return " ".join('"' + t.replace('"', '""') + '"*' for t in terms)


def tsquery_expression(terms: Sequence[str]) -> str:
    """`to_tsquery('simple', …)` input: terms are `\\w+` tokens only, each a prefix match."""
    return " & ".join(f"{t}:*" for t in terms if _WORD.fullmatch(t))


def _scoped(query: Select, principal: Principal) -> Select:  # type: ignore[type-arg]
    scope = principal.office_scope()
    return query if scope is None else query.where(Ticket.office_id.in_(scope))


async def ticket_ids(session: AsyncSession, principal: Principal, raw: str | None) -> list[int]:
    """Ids of the user's tickets that match, newest matches first (at most a few hundred)."""
    query = parse(raw)
    if query is None:
        return []
    found: dict[int, None] = {}
    if is_postgresql(session):
        # Enough memory that a common word's bitmap stays exact (a lossy one rechecks every row
        # of every page); for this transaction only.
        await session.execute(text("SET LOCAL work_mem = '32MB'"))
    # A confidential ticket's words are searchable only by those who may read them.
    readable = confidentiality.searchable(
        principal, await confidentiality.readable_offices(session, principal)
    )
    # A register number, phone or address typed alone is looked up, not read as words.
    for select_ in _exact_matches(query) or _text_matches(session, query):
        rows = await session.scalars(_scoped(select_, principal).where(readable).limit(MATCH_LIMIT))
        found.update(dict.fromkeys(rows))
    return list(found)


def _exact_matches(query: SearchQuery) -> list[Select]:  # type: ignore[type-arg]
    found: list[Select] = []  # type: ignore[type-arg]
    if query.register_no:
        found.append(select(Ticket.id).where(Ticket.register_no == query.register_no))
    keys = [k for k in (query.phone, query.email) if k]
    if keys:
        contacts = union(
            select(ContactIdentity.contact_id).where(ContactIdentity.external_id.in_(keys)),
            select(Contact.id).where(or_(Contact.phone.in_(keys), Contact.email.in_(keys))),
        ).subquery()
        found.append(
            select(Ticket.id)
            .where(Ticket.contact_id.in_(select(contacts.c[0])))
            .order_by(Ticket.last_activity_at.desc())
        )
    return found


def _text_matches(session: AsyncSession, query: SearchQuery) -> list[Select]:  # type: ignore[type-arg]
    if not query.terms:
        return []
    if is_postgresql(session):
        tsquery = func.to_tsquery("simple", tsquery_expression(query.terms))

        def matches(tsv: str):  # type: ignore[no-untyped-def]
            # The stored tsvector columns of migration 0009 (FTS_COLUMNS), GIN-indexed.
            return literal_column(tsv).op("@@")(tsquery)

        # `id + 0`: newest first without the primary key's order, which the planner would
        # otherwise walk backwards testing every row for a rare word; the GIN index finds them.
        return [
            select(Message.ticket_id)
            .join(Ticket, Ticket.id == Message.ticket_id)
            .where(matches("messages.body_tsv"))
            .order_by((Message.id + 0).desc()),
            select(Ticket.id)
            .where(matches("tickets.subject_tsv"))
            .order_by((Ticket.id + 0).desc()),
            select(Ticket.id)
            .join(Contact, Contact.id == Ticket.contact_id)
            .where(matches("contacts.name_tsv"))
            .order_by((Ticket.id + 0).desc()),
        ]
    expression = fts5_expression(query.terms)

    def fts(name: str):  # type: ignore[no-untyped-def]
        # The FTS table drives the join, newest rowid first, so the LIMIT stops the scan early.
        index = table(name, column("rowid"))
        match = text(f"{name} MATCH :{name}_q").bindparams(**{f"{name}_q": expression})
        return index, match

    messages, in_messages = fts("messages_fts")
    subjects, in_subjects = fts("tickets_fts")
    names, in_names = fts("contacts_fts")
    return [
        select(Message.ticket_id)
        .select_from(messages)
        .join(Message, Message.id == messages.c.rowid)
        .join(Ticket, Ticket.id == Message.ticket_id)
        .where(in_messages)
        .order_by(messages.c.rowid.desc()),
        select(Ticket.id)
        .select_from(subjects)
        .join(Ticket, Ticket.id == subjects.c.rowid)
        .where(in_subjects)
        .order_by(subjects.c.rowid.desc()),
        select(Ticket.id)
        .select_from(names)
        .join(Ticket, Ticket.contact_id == names.c.rowid)
        .where(in_names)
        .order_by(Ticket.id.desc()),
    ]
