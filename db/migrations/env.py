"""Alembic environment: runs on the connection `Database.migrate` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

config = context.config


def _run(connection: Connection) -> None:
    context.configure(connection=connection, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


conn = config.attributes.get("connection")
if isinstance(conn, Connection):
    _run(conn)
else:  # invoked from the alembic CLI
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///data/cityeye.db")
    with engine.begin() as c:
        _run(c)
