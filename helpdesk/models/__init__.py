"""The ticket model of DESIGN.md section 4, one module per concern."""

from helpdesk.models.base import Base, utcnow
from helpdesk.models.contacts import Contact, ContactIdentity, MergeDismissal
from helpdesk.models.desk import CannedAnswer, Label, ticket_labels
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
from helpdesk.models.replies import ReadReceipt, ReceiptState, TemplateCache
from helpdesk.models.staff_links import StaffIdentity, StaffLinkCode
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
    "CannedAnswer",
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
    "Label",
    "Membership",
    "MergeDismissal",
    "Message",
    "MessageStatus",
    "Office",
    "OutboxItem",
    "OutboxState",
    "ReadReceipt",
    "ReceiptState",
    "RegisterCounter",
    "Role",
    "StaffIdentity",
    "StaffLinkCode",
    "StepTransition",
    "TemplateCache",
    "Ticket",
    "TicketKind",
    "TicketStatus",
    "User",
    "ticket_labels",
    "utcnow",
]
