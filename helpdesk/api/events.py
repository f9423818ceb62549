"""`/api/v1/inbound-events`: the stored inbound events that did not become messages (superusers)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, ClassVar

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.status_codes import HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import inbound_events
from helpdesk.auth import Principal
from helpdesk.models import InboundStatus
from helpdesk.runtime import Runtime
from helpdesk.web.deps import provide_api_principal
from helpdesk.web.errors import ApiError


class InboundEventsApi(Controller):
    path = "/api/v1/inbound-events"
    tags: ClassVar[list[str]] = ["inbound events"]
    dependencies: ClassVar[dict[str, Provide]] = {"principal": Provide(provide_api_principal)}

    @get("/")
    async def list(
        self,
        db: AsyncSession,
        principal: Principal,
        status: str | None = Parameter(default=None, max_length=20),
        before: int | None = Parameter(default=None, ge=1),
        limit: int = Parameter(default=50, ge=1, le=200),
    ) -> dict[str, Any]:
        if status is not None and status not in set(InboundStatus):
            raise ApiError(400, "bad_status", f"status must be one of {', '.join(InboundStatus)}")
        try:
            items = await inbound_events.list_events(db, principal, status, before, limit)
        except inbound_events.NotAllowed as exc:
            raise ApiError(403, "forbidden", str(exc)) from exc
        return {
            "items": [asdict(i) for i in items],
            "next": items[-1].id if len(items) == limit else None,
        }

    @post("/{event_id:int}/replay", status_code=HTTP_202_ACCEPTED)
    async def replay(
        self, db: AsyncSession, rt: Runtime, principal: Principal, event_id: int
    ) -> dict[str, Any]:
        try:
            await inbound_events.replay(db, principal, event_id)
        except inbound_events.NotAllowed as exc:
            raise ApiError(403, "forbidden", str(exc)) from exc
        except inbound_events.NotReplayable as exc:
            raise ApiError(409, "not_replayable", str(exc)) from exc
        await db.commit()
        rt.inbound_wakeup()
        return {"id": event_id, "status": "pending"}
