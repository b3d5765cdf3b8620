"""Crowd flow: per-minute / 15-minute / hourly series of areas and zones.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.base import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flow_points",
        sa.Column("scope", sa.String(160), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("step_s", sa.Integer, nullable=False),
        sa.Column("t", UtcDateTime(), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("simulated", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("scope", "metric", "step_s", "t", name="pk_flow_points"),
    )
    op.create_index("ix_flow_points_step_t", "flow_points", ["step_s", "t"])


def downgrade() -> None:
    op.drop_index("ix_flow_points_step_t", table_name="flow_points")
    op.drop_table("flow_points")
