"""Migration 0005 creates exactly the desk's tables and can be undone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from db.base import Base
from db.database import MIGRATIONS_DIR, Database

DESK_TABLES = {"desk_alerts", "desk_alert_steps", "desk_maintenance", "desk_webhook_deliveries",
               "desk_inbound_deliveries"}


def test_migration_matches_the_models(database: Database) -> None:
    import desk.orm  # noqa: F401  (registers the tables on Base)

    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if "desk_" in repr(d)] == []


def test_downgrade_removes_the_desk_tables(database: Database) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    assert not DESK_TABLES & set(inspect(database.engine).get_table_names())
    database.migrate()
    assert set(inspect(database.engine).get_table_names()) >= DESK_TABLES
