"""The database wrapper's promises that the hot paths rely on."""

from __future__ import annotations

import threading

from sqlalchemy import func, select, text

from bot.db.database import Database
from bot.db.models import Delivery


def test_a_read_neither_waits_for_a_writer_nor_holds_one_up(database: Database) -> None:
    writer_holds_the_lock, reader_done = threading.Event(), threading.Event()
    writer_finished = threading.Event()

    def write_slowly() -> None:
        with database.session() as session:
            session.execute(text("UPDATE deliveries SET status = status"))
            writer_holds_the_lock.set()
            reader_done.wait(60)  # longer than SQLite's busy timeout
        writer_finished.set()

    writer = threading.Thread(target=write_slowly)
    writer.start()
    try:
        assert writer_holds_the_lock.wait(10)
        with database.read() as connection:
            count = connection.execute(select(func.count()).select_from(Delivery)).scalar()
        read_while_writing = not writer_finished.is_set()
    finally:
        reader_done.set()
        writer.join(60)

    # A read that began a write transaction (SQLite's BEGIN IMMEDIATE) would have waited for
    # the writer, which waits for the read, until the busy timeout failed it.
    assert (count, read_while_writing) == (0, True)
