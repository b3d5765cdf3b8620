"""geo ptz: ONVIF PTZ status sources of mechanical PTZ cameras (polled by geo.poller).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.base import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "geo_ptz_sources",
        sa.Column("camera_id", sa.String(64), primary_key=True),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("profile", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password", sa.String(128), nullable=False),
        sa.Column("interval_s", sa.Float, nullable=False),
        sa.Column("pan_min", sa.Float, nullable=False),
        sa.Column("pan_max", sa.Float, nullable=False),
        sa.Column("tilt_min", sa.Float, nullable=False),
        sa.Column("tilt_max", sa.Float, nullable=False),
        sa.Column("zoom_max", sa.Float, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("geo_ptz_sources")
