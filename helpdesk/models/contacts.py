"""Citizens and their identities on each channel, scoped to one office."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.models.base import Base, CreatedMixin, Id, IdMixin


class Contact(IdMixin, CreatedMixin, Base):
    __tablename__ = "contacts"

    office_id: Mapped[int] = mapped_column(
        Id, ForeignKey("offices.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    # Set when an admin merged this contact into another; its identities moved there.
    merged_into_id: Mapped[int | None] = mapped_column(Id, ForeignKey("contacts.id"))

    identities: Mapped[list[ContactIdentity]] = relationship(
        back_populates="contact", order_by="ContactIdentity.id"
    )


class ContactIdentity(IdMixin, CreatedMixin, Base):
    """One citizen on one channel: a WhatsApp id, page-scoped id, email address, …"""

    __tablename__ = "contact_identities"
    __table_args__ = (UniqueConstraint("office_id", "channel", "external_id"),)

    office_id: Mapped[int] = mapped_column(Id, ForeignKey("offices.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        Id, ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(200))
    display: Mapped[str] = mapped_column(String(200), default="")

    contact: Mapped[Contact] = relationship(back_populates="identities")
