"""A ticket as `helpdesk.workflow.engine`'s "bukan kewenangan" action leaves it, for the
readers of that state (status page, STATUS command, API). The action itself needs a LAPOR
account and is specified in tests/channels/sp4n_lapor/test_out_of_authority.py; here the
ticket is a WhatsApp or web-form one, which a citizen can look up by phone."""

from __future__ import annotations

from helpdesk.db import transaction
from helpdesk.models import Ticket, TicketStatus, utcnow
from helpdesk.runtime import Runtime
from helpdesk.workflow.engine import OUT_OF_AUTHORITY_KIND

# Markup and a NIK inside the reason: escaped and masked wherever a reader sees it.
REASON = "Kewenangan Dinas Sosial <b>Brebes</b> (bansos), NIK 3329014505900001"
AGENCY = "Kewenangan Dinas Sosial"
NIK = "3329014505900001"


async def close_as_another_agency_s(
    rt: Runtime, ticket_id: int, reason: str | None = REASON, *, confidential: bool = False
) -> None:
    """Close the ticket in the SOP's closed step; with the reason as the engine stores it, or,
    `reason` None, an ordinary closing."""
    async with transaction(rt.sessions) as session:
        ticket = await session.get_one(Ticket, ticket_id)
        ticket.status, ticket.step, ticket.closed_at = TicketStatus.closed, "ditutup", utcnow()
        if reason is not None:
            ticket.workflow_state = {**(ticket.workflow_state or {}), OUT_OF_AUTHORITY_KIND: reason}
        ticket.confidential = confidential
