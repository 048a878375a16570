"""Apply and inspect Alembic migrations from code (`sbh migrate`, `/readyz`, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.db.database import Database


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "bot:migrations")
    # Alembic's config is ConfigParser-based: a literal % must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(database: Database) -> None:
    command.upgrade(alembic_config(database.url), "head")


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def at_head(database: Database) -> bool:
    return current_revision(database) == head_revision()
