"""contacts and admin: normalised contact keys, dismissed merge proposals, session versions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 13:50:00.000000

The keys of existing contacts are computed here with the same functions the models use
(helpdesk.personal_data), so proposals work for contacts made before this migration.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.models.base
from helpdesk.personal_data import name_key, phone_key

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_key", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("name_key", sa.String(length=200), nullable=True))
        batch_op.create_index("ix_contacts_office_phone_key", ["office_id", "phone_key", "id"])
        batch_op.create_index("ix_contacts_office_name_key", ["office_id", "name_key", "id"])
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "contact_merge_dismissals",
        sa.Column("office_id", Id, nullable=False),
        sa.Column("contact_id", Id, nullable=False),
        sa.Column("other_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=True),
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("created_at", helpdesk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_merge_dismissals_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_contact_merge_dismissals_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_id"],
            ["contacts.id"],
            name=op.f("fk_contact_merge_dismissals_other_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_contact_merge_dismissals_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_merge_dismissals")),
        sa.UniqueConstraint(
            "contact_id", "other_id", name=op.f("uq_contact_merge_dismissals_contact_id_other_id")
        ),
    )
    with op.batch_alter_table("contact_merge_dismissals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_merge_dismissals_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contact_merge_dismissals_other_id"), ["other_id"], unique=False
        )
    _backfill_keys()


def _backfill_keys() -> None:
    bind = op.get_bind()
    contacts = sa.table(
        "contacts",
        sa.column("id", Id),
        sa.column("name", sa.String),
        sa.column("phone", sa.String),
        sa.column("phone_key", sa.String),
        sa.column("name_key", sa.String),
    )
    after = 0
    while True:
        rows = bind.execute(
            sa.select(contacts.c.id, contacts.c.name, contacts.c.phone)
            .where(contacts.c.id > after)
            .order_by(contacts.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for contact_id, name, phone in rows:
            bind.execute(
                contacts.update()
                .where(contacts.c.id == contact_id)
                .values(phone_key=phone_key(phone), name_key=name_key(name))
            )
        after = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("contact_merge_dismissals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_merge_dismissals_other_id"))
        batch_op.drop_index(batch_op.f("ix_contact_merge_dismissals_created_at"))
    op.drop_table("contact_merge_dismissals")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_office_name_key")
        batch_op.drop_index("ix_contacts_office_phone_key")
        batch_op.drop_column("name_key")
        batch_op.drop_column("phone_key")
