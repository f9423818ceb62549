"""Citizens and their identities on each channel, scoped to one office."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from helpdesk.models.base import Base, CreatedMixin, Id, IdMixin
from helpdesk.personal_data import name_key, phone_key


class Contact(IdMixin, CreatedMixin, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        # With the id, so proposals walk a key's contacts in id order and stop early.
        Index("ix_contacts_office_phone_key", "office_id", "phone_key", "id"),
        Index("ix_contacts_office_name_key", "office_id", "name_key", "id"),
    )

    office_id: Mapped[int] = mapped_column(
        Id, ForeignKey("offices.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    # Set when an admin merged this contact into another; its identities moved there.
    merged_into_id: Mapped[int | None] = mapped_column(Id, ForeignKey("contacts.id"))
    # Normalised phone and name, kept by the validators below: merge proposals compare these
    # (helpdesk.contacts), with an index instead of normalising every contact of the office.
    phone_key: Mapped[str | None] = mapped_column(String(40))
    name_key: Mapped[str | None] = mapped_column(String(200))

    identities: Mapped[list[ContactIdentity]] = relationship(
        back_populates="contact", order_by="ContactIdentity.id"
    )

    @validates("phone")
    def _keep_phone_key(self, _key: str, value: str | None) -> str | None:
        self.phone_key = phone_key(value)
        return value

    @validates("name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class ContactIdentity(IdMixin, CreatedMixin, Base):
    """One citizen on one channel: a WhatsApp id, page-scoped id, email address, …"""

    __tablename__ = "contact_identities"
    __table_args__ = (UniqueConstraint("office_id", "channel", "external_id"),)

    office_id: Mapped[int] = mapped_column(Id, ForeignKey("offices.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        Id, ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(200), index=True)  # search by phone, email
    display: Mapped[str] = mapped_column(String(200), default="")

    contact: Mapped[Contact] = relationship(back_populates="identities")


class MergeDismissal(IdMixin, CreatedMixin, Base):
    """An admin said two contacts are not the same citizen: never propose that pair again.
    The pair is stored lower id first."""

    __tablename__ = "contact_merge_dismissals"
    __table_args__ = (UniqueConstraint("contact_id", "other_id"),)

    office_id: Mapped[int] = mapped_column(Id, ForeignKey("offices.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(Id, ForeignKey("contacts.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(
        Id, ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(Id, ForeignKey("users.id", ondelete="SET NULL"))
