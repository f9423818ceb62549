"""Which offices a user's report covers: one office code, or `all` (every office they see)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.auth import Principal
from helpdesk.models import Office
from helpdesk.tickets import offices_of

ALL = "all"


async def report_offices(session: AsyncSession, principal: Principal, code: str) -> list[Office]:
    """The offices, or [] when the user may not see that office (so no one learns it exists)."""
    mine = await offices_of(session, principal)
    if code == ALL:
        return mine
    return [o for o in mine if o.code == code]
