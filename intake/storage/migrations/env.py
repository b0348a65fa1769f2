"""Alembic environment: runs the migrations against ``connection_url``.

On PostgreSQL an advisory lock keeps two processes starting at once (API and
worker) from migrating concurrently.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from intake.storage.db import Base, get_engine

config = context.config
url = config.attributes.get("connection_url") or config.get_main_option("sqlalchemy.url")
assert url

with get_engine(url).connect() as connection:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_lock(741852963)"))
    try:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_unlock(741852963)"))
            connection.commit()
