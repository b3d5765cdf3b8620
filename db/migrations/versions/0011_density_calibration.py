"""density calibration: one stored per-region density correction per camera.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.base import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "density_calibrations",
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("cols", sa.Integer, nullable=False),
        sa.Column("scales", sa.JSON, nullable=False),
        sa.Column("frames", sa.Integer, nullable=False),
        sa.Column("points", sa.Integer, nullable=False),
        sa.Column("mae_before", sa.Float, nullable=False),
        sa.Column("mae_after", sa.Float, nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("camera_id", name="pk_density_calibrations"),
    )


def downgrade() -> None:
    op.drop_table("density_calibrations")
