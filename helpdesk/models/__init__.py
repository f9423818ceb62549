"""The ticket model of DESIGN.md section 4, one module per concern."""

from helpdesk.models.base import Base, utcnow
from helpdesk.models.contacts import Contact, ContactIdentity
from helpdesk.models.events import (
    AuditEvent,
    ChannelCursor,
    InboundEvent,
    InboundStatus,
    OutboxItem,
    OutboxState,
)
from helpdesk.models.messages import (
    Attachment,
    AttachmentStatus,
    Direction,
    Message,
    MessageStatus,
)
from helpdesk.models.office import AccountHealth, ChannelAccount, Office, RegisterCounter
from helpdesk.models.tickets import Category, Ticket, TicketKind, TicketStatus
from helpdesk.models.users import ApiToken, Membership, Role, User
from helpdesk.models.workflow import Consultation, Decision, DecisionOutcome, StepTransition

__all__ = [
    "AccountHealth",
    "ApiToken",
    "Attachment",
    "AttachmentStatus",
    "AuditEvent",
    "Base",
    "Category",
    "ChannelAccount",
    "ChannelCursor",
    "Consultation",
    "Contact",
    "ContactIdentity",
    "Decision",
    "DecisionOutcome",
    "Direction",
    "InboundEvent",
    "InboundStatus",
    "Membership",
    "Message",
    "MessageStatus",
    "Office",
    "OutboxItem",
    "OutboxState",
    "RegisterCounter",
    "Role",
    "StepTransition",
    "Ticket",
    "TicketKind",
    "TicketStatus",
    "User",
    "utcnow",
]
