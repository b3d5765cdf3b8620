"""Recordings: segments, per-camera recording policies, event clips.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.base import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recording_segments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("path", sa.String(512), nullable=False, unique=True),
        sa.Column("start", sa.Float, nullable=False),
        sa.Column("end", sa.Float, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("codec", sa.String(16), nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False),
    )
    op.create_index(
        "ix_recording_segments_camera_start", "recording_segments", ["camera_id", "start"]
    )
    op.create_table(
        "recording_policies",
        sa.Column("camera_id", sa.String(64), primary_key=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("retain_days", sa.Float, nullable=True),
        sa.Column("retain_gb", sa.Float, nullable=True),
        sa.Column("segment_s", sa.Integer, nullable=False),
        sa.Column("clip_pre_s", sa.Float, nullable=False),
        sa.Column("clip_post_s", sa.Float, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "recording_clips",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("path", sa.String(512), nullable=True),
        sa.Column("start", sa.Float, nullable=False),
        sa.Column("end", sa.Float, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_recording_clips_camera_id", "recording_clips", ["camera_id"])


def downgrade() -> None:
    op.drop_index("ix_recording_clips_camera_id", table_name="recording_clips")
    op.drop_table("recording_clips")
    op.drop_table("recording_policies")
    op.drop_index("ix_recording_segments_camera_start", table_name="recording_segments")
    op.drop_table("recording_segments")
