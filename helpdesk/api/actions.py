"""`POST /api/v1/tickets/{id}/actions`: take an SOP action (DESIGN.md section 6).

`{"action": name, …fields}` -> 200 with the ticket after it; 403 when the user's role may not
take it, 409 when the ticket's step does not allow it, 422 for missing or invalid fields.
The actions a user may take now are listed in the ticket's `actions`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from litestar import Controller, post
from litestar.di import Provide
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import notify
from helpdesk.api.serializers import ticket_json
from helpdesk.auth import Principal
from helpdesk.jobs.queue import enqueue_or_leave_to_sweep
from helpdesk.runtime import Runtime
from helpdesk.tickets import get_ticket
from helpdesk.web.deps import provide_api_principal
from helpdesk.web.errors import ApiError
from helpdesk.workflow.engine import ActionError, apply_action


class TicketActionsApi(Controller):
    path = "/api/v1/tickets"
    tags: ClassVar[list[str]] = ["tickets"]
    dependencies: ClassVar[dict[str, Provide]] = {"principal": Provide(provide_api_principal)}

    @post("/{ticket_id:int}/actions", status_code=HTTP_200_OK)
    async def act(
        self,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        ticket_id: int,
        data: dict[str, Any],
    ) -> dict[str, Any]:
        ticket = await get_ticket(db, principal, ticket_id)
        if ticket is None:
            raise ApiError(404, "not_found", "no such ticket")
        name = data.get("action")
        if not isinstance(name, str) or not name:
            raise ApiError(422, "invalid", "`action` (the action's name) is required")
        try:
            applied = await apply_action(db, ticket, principal, name, data)
        except ActionError as exc:
            await db.rollback()
            raise ApiError(exc.status, exc.code, exc.detail) from exc
        await db.commit()
        await notify.ticket_changed(rt, ticket_id)  # live: the list and open pages move it
        for item_id in applied.outbox_items:
            await enqueue_or_leave_to_sweep(
                rt.jobs, "send_outbox_item", item_id, job_id=f"outbox:{item_id}"
            )
        db.expire_all()
        ticket = await get_ticket(db, principal, ticket_id)
        assert ticket is not None
        return ticket_json(ticket, principal)
