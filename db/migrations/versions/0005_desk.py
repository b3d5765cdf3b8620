"""Duty desk: alerts and their timeline, maintenance windows, webhook delivery logs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.base import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


def _s(name: str, length: int, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _alerts() -> None:
    op.create_table(
        "desk_alerts",
        _s("id", 36, False), _s("condition_key", 320, False), _s("camera_id", 64, False),
        _s("camera_name", 64, False), _s("unit_id", 64, False), _s("unit_name", 64, False),
        _s("kind", 32, False), _s("rule_id", 128, False), _s("zone_id", 64), _s("line_id", 64),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("tier", sa.Integer, nullable=False),
        sa.Column("raised_tier", sa.Integer, nullable=False),
        _s("state", 16, False),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("suppressed", sa.Integer, nullable=False),
        _s("first_event_id", 36, False), _s("last_event_id", 36, False),
        _s("snapshot_event_id", 36),
        _ts("first_event_at", False), _ts("last_event_at", False), _ts("created_at", False),
        _ts("updated_at", False),
        _ts("acknowledged_at"), _s("acknowledged_by", 64),
        _ts("dispatched_at"), _s("dispatched_by", 64), _s("dispatch_unit", 64),
        _s("dispatch_unit_name", 64), _s("dispatch_assignee", 64),
        sa.Column("dispatch_instructions", sa.Text, nullable=False),
        _ts("due_at"),
        _ts("resolved_at"), _s("resolved_by", 64),
        sa.Column("resolution_note", sa.Text, nullable=False),
        _ts("closed_at"), _s("closed_by", 64),
        sa.Column("close_note", sa.Text, nullable=False),
        _ts("dismissed_at"), _s("dismissed_by", 64),
        sa.Column("dismiss_reason", sa.Text, nullable=False),
        sa.Column("escalation_level", sa.Integer, nullable=False),
        _ts("escalated_at"), _s("escalated_to", 16),
        sa.Column("overdue", sa.Boolean, nullable=False),
        _ts("overdue_at"),
        sa.Column("notify_units", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_desk_alerts"),
    )
    for col in ("condition_key", "camera_id", "unit_id", "state", "created_at", "overdue"):
        op.create_index(f"ix_desk_alerts_{col}", "desk_alerts", [col])
    op.create_table(
        "desk_alert_steps",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        _s("alert_id", 36, False), _ts("at", False), _s("kind", 16, False),
        _s("actor", 96, False), _s("actor_name", 96, False),
        _s("from_state", 16), _s("to_state", 16),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("tier", sa.Integer, nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["desk_alerts.id"],
            name="fk_desk_alert_steps_alert_id_desk_alerts", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_desk_alert_steps"),
    )
    op.create_index("ix_desk_alert_steps_alert_id", "desk_alert_steps", ["alert_id"])


def _others() -> None:
    op.create_table(
        "desk_maintenance",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        _s("camera_id", 64, False), _ts("starts_at", False), _ts("ends_at", False),
        _s("reason", 200, False), _s("created_by", 32, False), _ts("created_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_desk_maintenance"),
    )
    op.create_index("ix_desk_maintenance_camera_id", "desk_maintenance", ["camera_id"])
    op.create_index("ix_desk_maintenance_ends_at", "desk_maintenance", ["ends_at"])
    op.create_table(
        "desk_webhook_deliveries",
        _s("id", 36, False), _s("event_type", 32, False), _s("alert_id", 36, False),
        sa.Column("body", sa.Text, nullable=False), _s("status", 16, False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_status_code", sa.Integer, nullable=True),
        _s("last_error", 500, False), _ts("created_at", False), _ts("last_attempt_at"),
        _ts("next_attempt_at"), _ts("delivered_at"),
        sa.PrimaryKeyConstraint("id", name="pk_desk_webhook_deliveries"),
    )
    for col in ("alert_id", "status", "created_at"):
        op.create_index(f"ix_desk_webhook_deliveries_{col}", "desk_webhook_deliveries", [col])
    op.create_table(
        "desk_inbound_deliveries",
        _s("delivery_id", 64, False), _ts("received_at", False), _s("alert_id", 36),
        _s("action", 16), _s("actor", 96, False),
        sa.Column("status_code", sa.Integer, nullable=False), _s("detail", 500, False),
        sa.PrimaryKeyConstraint("delivery_id", name="pk_desk_inbound_deliveries"),
    )
    op.create_index(
        "ix_desk_inbound_deliveries_received_at", "desk_inbound_deliveries", ["received_at"]
    )


def upgrade() -> None:
    _alerts()
    _others()


def downgrade() -> None:
    for table in ("desk_inbound_deliveries", "desk_webhook_deliveries", "desk_maintenance",
                  "desk_alert_steps", "desk_alerts"):
        op.drop_table(table)  # dropping a table drops its indexes (SQLite and PostgreSQL)
