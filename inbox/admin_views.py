"""Superuser screens. So far: inbound events that did not become messages, with replay."""

from __future__ import annotations

from typing import Any, ClassVar

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import inbound_events
from helpdesk.auth import Principal
from helpdesk.jobs.queue import enqueue_or_leave_to_sweep
from helpdesk.models import InboundStatus
from helpdesk.runtime import Runtime
from inbox.web import render_page, require_principal, see_other

SHOWN_STATUSES = ("", *inbound_events.PROBLEMS, InboundStatus.pending, InboundStatus.processed)


class AdminController(Controller):
    path = "/admin"
    include_in_schema = False
    dependencies: ClassVar[dict[str, Provide]] = {"principal": Provide(require_principal)}

    @get("/events")
    async def events(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        status: str | None = None,
        before: int | None = None,
    ) -> Template:
        chosen = status if status in SHOWN_STATUSES else ""
        try:
            items = await inbound_events.list_events(db, principal, chosen or None, before, 50)
        except inbound_events.NotAllowed as exc:
            raise PermissionDeniedException(str(exc)) from exc
        context: dict[str, Any] = {
            "events": items,
            "statuses": SHOWN_STATUSES,
            "chosen": chosen,
            "next_before": items[-1].id if len(items) == 50 else None,
            "replayable": set(inbound_events.PROBLEMS),
        }
        return await render_page(request, db, principal, "admin/events.html", context)

    @post("/events/{event_id:int}/replay")
    async def replay(
        self, db: AsyncSession, rt: Runtime, principal: Principal, event_id: int
    ) -> Redirect:
        try:
            await inbound_events.replay(db, principal, event_id)
        except inbound_events.NotAllowed as exc:
            raise PermissionDeniedException(str(exc)) from exc
        except inbound_events.NotReplayable as exc:
            raise NotFoundException(str(exc)) from exc
        await db.commit()
        await enqueue_or_leave_to_sweep(
            rt.jobs, "process_inbound_event", event_id, job_id=f"inbound:{event_id}:replay"
        )
        return see_other(f"/admin/events?replayed={event_id}")
