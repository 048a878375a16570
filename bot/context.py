"""What a handler or job runner may use: settings, the database, the queue, and the ports.
Tests build one with fakes at the protocol edge; nothing here is global."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.database import Database
from bot.queue import JobQueue
from bot.settings import Settings


@dataclass(frozen=True)
class HandlerContext:
    settings: Settings
    database: Database
    queue: JobQueue
