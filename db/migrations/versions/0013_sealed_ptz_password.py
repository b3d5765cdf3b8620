"""geo ptz: room for sealed ONVIF passwords (auth/sealed.py; a sealed 128-character password
takes ~280 characters). The poller seals passwords stored in clear when it starts.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("geo_ptz_sources") as batch:
        batch.alter_column("password", existing_type=sa.String(128), type_=sa.String(512),
                           existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("geo_ptz_sources") as batch:
        batch.alter_column("password", existing_type=sa.String(512), type_=sa.String(128),
                           existing_nullable=False)
