"""Apply and inspect Alembic migrations from code (`sbh migrate`, `/readyz`, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot.db.database import Database


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "bot.db:migrations")
    # Alembic's config is ConfigParser-based: a literal % must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


# Any constant shared by every SBH process: migrations hold this PostgreSQL advisory lock.
MIGRATION_LOCK_ID = 0x5B4_0001


def upgrade_to_head(database: Database) -> None:
    """`alembic upgrade head`. On PostgreSQL under an advisory lock, so replicas starting at
    once, or a one-off migrate task beside them, take turns instead of racing."""
    if not database.is_postgresql:
        command.upgrade(alembic_config(database.url), "head")
        return
    with database.engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        try:
            command.upgrade(alembic_config(database.url), "head")
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def at_head(database: Database) -> bool:
    return current_revision(database) == head_revision()
