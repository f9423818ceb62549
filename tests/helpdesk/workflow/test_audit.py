"""The audit trail cannot be edited: not by the app, not through its database connection."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from helpdesk.models import AuditEvent, Ticket
from helpdesk.workflow.audit import record_view
from tests.conftest import inbound
from tests.helpdesk.workflow.helpers import events, load

HELPDESK = Path(__file__).resolve().parents[3] / "helpdesk"


async def test_the_database_refuses_to_change_or_delete_an_audit_event(rt, receive):
    ticket_id = (await receive(inbound("Halo"))).ticket_id
    [opened] = await events(rt, ticket_id, "ticket.opened")
    for statement in (
        update(AuditEvent).where(AuditEvent.id == opened.id).values(action="nothing"),
        delete(AuditEvent).where(AuditEvent.id == opened.id),
        delete(Ticket).where(Ticket.id == ticket_id),  # the cascade would delete its trail
        text("DELETE FROM audit_events"),
    ):
        async with rt.sessions() as session:
            with pytest.raises(DBAPIError, match="audit events cannot be changed or deleted"):
                await session.execute(statement)
            await session.rollback()
    assert [e.action for e in await events(rt, ticket_id, "ticket.opened")] == ["ticket.opened"]


def test_no_code_path_updates_or_deletes_audit_events():
    pattern = re.compile(r"(update|delete)\(\s*AuditEvent|AuditEvent\)\.(update|delete)")
    offenders = [str(path) for path in HELPDESK.rglob("*.py") if pattern.search(path.read_text())]
    assert offenders == []


async def test_a_view_of_personal_data_is_recorded(rt, receive, staff):
    ticket_id = (await receive(inbound("Halo"))).ticket_id
    ticket = await load(rt, ticket_id)
    async with rt.sessions() as session, session.begin():
        record_view(session, ticket, staff["admin_brebes"], what="contact")
    [view] = await events(rt, ticket_id, "personal_data.viewed")
    assert view.user_id == staff["admin_brebes"].user_id
    assert view.detail == {"what": "contact", "username": "admin_brebes"}
