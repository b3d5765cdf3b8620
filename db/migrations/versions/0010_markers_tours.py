"""Markers (弹幕) and patrol tours (轮巡): markers, tours, tour_runs, tour_run_items.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.base import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


def _s(name: str, length: int, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _markers() -> None:
    op.create_table(
        "markers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _s("camera_id", 64, False),
        sa.Column("ts", sa.Float, nullable=False),
        sa.Column("x", sa.Float, nullable=True),
        sa.Column("y", sa.Float, nullable=True),
        _s("text", 200, False), _s("kind", 8, False),
        sa.Column("tier", sa.Integer, nullable=True),
        _s("author_username", 32), _s("rule", 32), _s("event_id", 36),
        _ts("created_at", False), _ts("updated_at", False),
        sa.Column("hidden", sa.Boolean, nullable=False),
        _ts("deleted_at"),
        sa.UniqueConstraint("event_id", name="uq_markers_event_id"),
    )
    op.create_index("ix_markers_camera_ts", "markers", ["camera_id", "ts"])
    op.create_index("ix_markers_camera_created", "markers", ["camera_id", "created_at"])


def _tours() -> None:
    op.create_table(
        "tours",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _s("name", 64, False),
        sa.Column("camera_ids", sa.JSON, nullable=False),
        sa.Column("dwell_s", sa.Integer, nullable=False),
        _s("created_by", 32, False),
        _ts("created_at", False), _ts("updated_at", False), _ts("deleted_at"),
    )
    op.create_table(
        "tour_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("tour_id", sa.Integer,
                  sa.ForeignKey("tours.id", name="fk_tour_runs_tour_id_tours"), nullable=False),
        _s("tour_name", 64, False), _s("started_by", 32, False),
        _ts("started_at", False), _ts("finished_at"), _ts("since"),
    )
    op.create_index("ix_tour_runs_tour_finished", "tour_runs", ["tour_id", "finished_at"])
    op.create_table(
        "tour_run_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer,
                  sa.ForeignKey("tour_runs.id", name="fk_tour_run_items_run_id_tour_runs"),
                  nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        _s("camera_id", 64, False), _s("camera_name", 64, False), _s("status", 8, False),
        _s("note", 200, False),
        sa.Column("marker_id", sa.Integer, nullable=True),
        _ts("checked_at"),
        sa.Column("summary", sa.JSON, nullable=True),
        sa.UniqueConstraint("run_id", "camera_id", name="uq_tour_run_items_camera"),
    )
    op.create_index("ix_tour_run_items_run_id", "tour_run_items", ["run_id"])


def upgrade() -> None:
    _markers()
    _tours()


def downgrade() -> None:
    op.drop_index("ix_tour_run_items_run_id", "tour_run_items")
    op.drop_table("tour_run_items")
    op.drop_index("ix_tour_runs_tour_finished", "tour_runs")
    op.drop_table("tour_runs")
    op.drop_table("tours")
    op.drop_index("ix_markers_camera_created", "markers")
    op.drop_index("ix_markers_camera_ts", "markers")
    op.drop_table("markers")
