"""Alembic environment: the URL comes from the config (tests, `sbh migrate`) or DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context

from bot.db.database import Database
from bot.db.models import Base
from bot.settings import DEFAULT_DATABASE_URL

config = context.config
url = config.get_main_option("sqlalchemy.url") or os.environ.get(
    "DATABASE_URL", DEFAULT_DATABASE_URL
)
database = Database(url)

if context.is_offline_mode():
    context.configure(url=database.url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    with database.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=database.dialect == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    database.dispose()
