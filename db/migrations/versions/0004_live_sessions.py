"""Live viewing sessions (WebRTC / MJPEG): who watched which camera, from when to when.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.base import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_sessions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("username", sa.String(32), nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("transport", sa.String(8), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("end_reason", sa.String(128), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_live_sessions"),
    )
    op.create_index("ix_live_sessions_camera_id", "live_sessions", ["camera_id"])
    op.create_index("ix_live_sessions_started_at", "live_sessions", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_live_sessions_started_at", table_name="live_sessions")
    op.drop_index("ix_live_sessions_camera_id", table_name="live_sessions")
    op.drop_table("live_sessions")
