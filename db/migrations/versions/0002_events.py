"""Events and their snapshots.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.base import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("rule_id", sa.String(128), nullable=False),
        sa.Column("tier", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("pts", sa.Float, nullable=False),
        sa.Column("zone_id", sa.String(64), nullable=True),
        sa.Column("line_id", sa.String(64), nullable=True),
        sa.Column("track_ids", sa.JSON, nullable=False),
        sa.Column("count", sa.Float, nullable=True),
        sa.Column("point_x", sa.Float, nullable=True),
        sa.Column("point_y", sa.Float, nullable=True),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("has_snapshot", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
    )
    op.create_index("ix_events_camera_id", "events", ["camera_id"])
    op.create_index("ix_events_kind", "events", ["kind"])
    op.create_index("ix_events_started_at", "events", ["started_at"])
    op.create_table(
        "event_snapshots",
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("jpeg", sa.LargeBinary, nullable=False),
        sa.Column("taken_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name="fk_event_snapshots_event_id_events",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name="pk_event_snapshots"),
    )


def downgrade() -> None:
    op.drop_table("event_snapshots")
    op.drop_index("ix_events_started_at", table_name="events")
    op.drop_index("ix_events_kind", table_name="events")
    op.drop_index("ix_events_camera_id", table_name="events")
    op.drop_table("events")
