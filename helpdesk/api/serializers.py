"""Tickets and messages as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from helpdesk import confidentiality, external_deadlines
from helpdesk.auth import Principal
from helpdesk.models import Attachment, Message, Ticket, User, utcnow
from helpdesk.personal_data import mask, mask_deep
from helpdesk.workflow import clock, engine


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _user(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "username": user.username, "name": user.display_name}


def _out_of_authority_reason(ticket: Ticket, principal: Principal | None) -> str | None:
    """Which agency the ticket was closed as belonging to ("bukan kewenangan"); None if it was
    not. NIK/KK masked; for a confidential one, "" (closed so, the agency withheld) to all but
    its handlers, like its subject, since the agency named could point to the reporter."""
    reason = engine.out_of_authority_reason(ticket)
    if reason is None:
        return None
    return mask(reason) if confidentiality.may_read(principal, ticket) else ""


def ticket_json(ticket: Ticket, principal: Principal | None = None) -> dict[str, Any]:
    """`principal`: whose `actions` to list (the SOP engine decides; none without one)."""
    contact = ticket.contact
    step = engine.current_step(ticket)
    return {
        "id": ticket.id,
        "register_no": ticket.register_no,
        "office": ticket.office.code,
        "channel": ticket.channel,
        "kind": ticket.kind,
        "category": ticket.category,
        "status": ticket.status,
        "step": ticket.step,
        "step_label": step.label if step else None,
        "step_due_at": _iso(ticket.step_due_at),
        "deadline": clock.deadline_json(ticket, utcnow()),
        "unit": ticket.unit,
        "actions": [a.as_json() for a in engine.actions_for(ticket, principal)]
        if principal
        else [],
        # NIK/KK masked (README: personal data); a confidential one only for its handlers
        "subject": mask(confidentiality.subject_for(principal, ticket)),
        "contact": {
            "id": contact.id,
            "name": contact.name,
            "identities": [
                {"channel": i.channel, "id": i.external_id, "display": i.display}
                for i in contact.identities
            ],
        },
        "assignee": _user(ticket.assignee),
        "external_ref": ticket.external_ref,
        "confidential": ticket.confidential,
        "out_of_authority_reason": _out_of_authority_reason(ticket, principal),
        "external_deadlines": external_deadlines.views_json(ticket),  # e.g. LAPOR's clocks
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "last_activity_at": _iso(ticket.last_activity_at),
        "last_inbound_at": _iso(ticket.last_inbound_at),
        "first_response_at": _iso(ticket.first_response_at),
        "due_at": _iso(ticket.due_at),
    }


def attachment_json(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "kind": attachment.kind,
        "filename": attachment.filename,
        "content_type": attachment.content_type or attachment.declared_type,
        "size": attachment.size,
        "status": attachment.status,
        "error": attachment.error,
        "url": f"/attachments/{attachment.id}" if attachment.status == "stored" else None,
    }


def message_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "direction": message.direction,
        "channel": message.channel,
        "kind": message.content_kind,
        "external_id": message.external_id,
        "body": mask(message.body),  # NIK/KK masked (README: personal data)
        "details": mask_deep(message.details),
        "status": message.status,
        "error": message.error,
        "error_code": message.error_code,
        "author": _user(message.author),
        "attachments": [attachment_json(a) for a in message.attachments],
        "reply_to": message.reply_to_external_id,
        "sent_at": _iso(message.sent_at),
        "created_at": _iso(message.created_at),
        "status_at": _iso(message.status_at),
    }
