"""reply channels: replies on counter, phone and web tickets carry the channel they went out on

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 16:40:00

Until now a reply took its ticket's channel of origin, so an answer sent by WhatsApp or email on
a complaint taken at the counter, by phone or on the web form said `counter`, `phone` or `web`.
Data only: each such reply gets the kind of the account it went out on.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        UPDATE messages
        SET channel = (
            SELECT channel_accounts.kind FROM channel_accounts
            WHERE channel_accounts.id = messages.channel_account_id
        )
        WHERE direction = 'out'
          AND channel_account_id IS NOT NULL
          AND channel IN ('counter', 'phone', 'web')
        """
    )


def downgrade() -> None:
    """Nothing to undo: the channel of origin is still on the ticket."""
