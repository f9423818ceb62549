"""The inbox list: every ticket of the user's offices, filtered, counted, most urgent first.

`GET /` is a plain GET form (works without JavaScript); with htmx the same URL answers with the
`#inbox` fragment only (filters, counts, rows, pager), which is also what the live updates fetch
when a ticket of the user's offices changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.response import Template
from litestar.status_codes import HTTP_400_BAD_REQUEST
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import search
from helpdesk.auth import Principal
from helpdesk.confidentiality import subject_for
from helpdesk.models import Category, TicketStatus, utcnow
from helpdesk.personal_data import mask
from helpdesk.runtime import Runtime
from helpdesk.workflow.engine import profile_for
from helpdesk.workflow.profile import ProfileError
from inbox import i18n, queries
from inbox.queries import ASSIGNEE_CHOICES, DUE_CHOICES, BadCursor, ListFilter, ListPage
from inbox.web import is_htmx, language_of, render, require_principal, user_offices

PAGE_SIZE = 50
STATUS_CHOICES = ("active", "all", *(s.value for s in TicketStatus))
DEFAULT_STATUS = "active"
CATEGORY_CHOICES = tuple(c.value for c in Category)
SHORT = 64  # longest office code, channel, step or category a filter may carry


def _choice(value: str | None, allowed: tuple[str, ...] | None = None) -> str:
    value = (value or "").strip()[:SHORT]
    if allowed is not None and value not in allowed:
        return ""
    return value


def _label_id(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


class ListController(Controller):
    path = "/"
    include_in_schema = False
    dependencies = {"principal": Provide(require_principal)}  # noqa: RUF012 - Litestar reads it

    @get("/")
    async def ticket_list(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        office: str | None = None,
        status: str | None = None,
        channel: str | None = None,
        step: str | None = None,
        category: str | None = None,
        assignee: str | None = None,
        label: str | None = None,
        due: str | None = None,
        q: str | None = None,
        cursor: str | None = None,
    ) -> Template:
        text = (q or "").replace("\x00", "").strip()[: search.MAX_INPUT]
        # A search looks through every status unless the user narrowed it: the ticket someone
        # asks about is often closed already.
        default_status = "all" if text else DEFAULT_STATUS
        chosen: dict[str, str] = {
            "office": _choice(office),
            "status": _choice(status, STATUS_CHOICES) or default_status,
            "channel": _choice(channel),
            "step": _choice(step),
            "category": _choice(category, CATEGORY_CHOICES),
            "assignee": _choice(assignee, ASSIGNEE_CHOICES),
            "label": str(_label_id(label) or ""),
            "due": _choice(due, DUE_CHOICES),
            "q": text,
        }
        offices = await user_offices(request, db, principal)
        if chosen["office"] not in {o.code for o in offices}:
            chosen["office"] = ""
        ids = await search.ticket_ids(db, principal, text, offices) if text else None
        filters = ListFilter(
            office=chosen["office"] or None,
            status=chosen["status"],
            channel=chosen["channel"] or None,
            step=chosen["step"] or None,
            category=chosen["category"] or None,
            assignee=chosen["assignee"] or None,
            label=_label_id(chosen["label"]),
            due=chosen["due"] or None,
            ticket_ids=ids,
        )
        try:
            page = await queries.list_page(
                db,
                principal,
                filters,
                cursor=(cursor or "")[:300] or None,
                limit=PAGE_SIZE,
                offices=offices,
            )
        except BadCursor as exc:
            raise HTTPException(status_code=HTTP_400_BAD_REQUEST, detail=str(exc)) from exc
        scope = [o for o in offices if not chosen["office"] or o.code == chosen["office"]]
        counts = await queries.count_choices(db, principal, filters.office)
        labels, counts.label = await queries.labels_with_counts(
            db, principal, filters.office, [o.id for o in scope]
        )
        lang = language_of(request, principal)
        now = utcnow()
        several = principal.is_superuser or len(offices) > 1
        kept = {
            k: v for k, v in chosen.items() if v and not (k == "status" and v == default_status)
        }
        context = {
            "rows": list(_rows(page, principal, lang, now, several)),
            "several": several,
            "chosen": chosen,
            "filtered": bool(kept),
            "counts": counts,
            "channels": sorted(set(rt.adapters) | set(counts.channel)),
            "statuses": STATUS_CHOICES,
            "steps": _step_labels(scope, counts.step),
            "categories": CATEGORY_CHOICES,
            "labels": labels,
            "here_url": f"/?{urlencode(kept)}" if kept else "/",
            "first_page": not cursor,
            "next_url": f"/?{urlencode({**kept, 'cursor': page.next_cursor})}"
            if page.next_cursor
            else None,
            "first_url": f"/?{urlencode(kept)}" if cursor else None,
        }
        template = "inbox/_list_body.html" if is_htmx(request) else "inbox/list.html"
        return render(request, template, context, principal=principal, offices=offices)


def _step_labels(offices: list[Any], present: dict[str, int]) -> list[tuple[str, str]]:
    """(step id, label) of the offices' SOPs, steps with tickets first; one entry per id."""
    labels: dict[str, str] = {}
    for office in offices:
        try:
            profile = profile_for(office)
        except ProfileError:
            continue
        for step_id, step in profile.steps.items():
            labels.setdefault(step_id, step.label)
    for step_id in present:
        labels.setdefault(step_id, step_id or "—")
    return sorted(labels.items(), key=lambda kv: (kv[0] not in present, kv[1]))


class Row(NamedTuple):
    """One ticket of the list as the row shows it, every value worked out in one pass here:
    the template only writes them out (and escapes them), 50 rows on every refresh."""

    id: int
    register_no: str
    status: str
    status_label: str
    urgency: str  # "late", "soon" or ""
    unread: bool
    subject: str  # masked; "" when there is none or the user may not read it
    contact: str  # "" when the contact has neither name nor identity
    channel: str
    office: str  # "" unless the user works in several offices
    assignee: str
    due_at: datetime | None
    due_local: str
    last_activity_at: datetime
    last_local: str


def _rows(
    page: ListPage, principal: Principal, lang: str, now: datetime, several: bool
) -> Iterable[Row]:
    labels: dict[tuple[str, str], str] = {}  # a few statuses and channels: translated once each

    def label(kind: str, value: str) -> str:
        key = (kind, value)
        if key not in labels:
            labels[key] = (i18n.status_label if kind == "s" else i18n.channel_label)(value, lang)
        return labels[key]

    soon = now + queries.DUE_SOON
    for t in page.items:
        due_at = page.due.get(t.id)
        office = t.office
        zone = office.timezone or "Asia/Jakarta"  # as i18n.zone_of(t) picks it
        yield Row(
            id=t.id,
            register_no=t.register_no,
            status=t.status,
            status_label=label("s", t.status),
            urgency=_urgency(due_at, now, soon),
            unread=t.id in page.unread,
            subject=mask(subject_for(principal, t)),
            contact=page.contact.get(t.id, ""),
            channel=label("c", t.channel),
            office=office.name.replace(i18n.OFFICE_PREFIX, "") if several else "",
            assignee=page.assignee.get(t.id, ""),
            due_at=due_at,
            due_local=i18n.format_datetime(due_at, zone, lang) if due_at else "",
            last_activity_at=t.last_activity_at,
            last_local=i18n.format_datetime(t.last_activity_at, zone, lang),
        )


def _urgency(due_at: datetime | None, now: datetime, soon: datetime) -> str:
    if due_at is None:
        return ""
    return "late" if due_at < now else "soon" if due_at < soon else ""
