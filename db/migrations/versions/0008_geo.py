"""Geo model for AR video retrieval: district origin, camera poses/calibrations, POIs.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.base import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "geo_origin",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("alt", sa.Float, nullable=False),
    )
    op.create_table(
        "geo_camera_poses",
        sa.Column("camera_id", sa.String(64), primary_key=True),
        sa.Column("east", sa.Float, nullable=False),
        sa.Column("north", sa.Float, nullable=False),
        sa.Column("up", sa.Float, nullable=False),
        sa.Column("yaw", sa.Float, nullable=False),
        sa.Column("pitch", sa.Float, nullable=False),
        sa.Column("roll", sa.Float, nullable=False),
        sa.Column("hfov", sa.Float, nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("range_m", sa.Float, nullable=False),
        sa.Column("ptz", sa.String(16), nullable=False),
        sa.Column("ptz_state", sa.JSON, nullable=False),
        sa.Column("homography", sa.JSON, nullable=True),
        sa.Column("pairs", sa.JSON, nullable=False),
        sa.Column("error_px", sa.Float, nullable=True),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "geo_pois",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("name_en", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("east", sa.Float, nullable=False),
        sa.Column("north", sa.Float, nullable=False),
        sa.Column("height", sa.Float, nullable=False),
        sa.Column("area_id", sa.String(48), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("geo_pois")
    op.drop_table("geo_camera_poses")
    op.drop_table("geo_origin")
