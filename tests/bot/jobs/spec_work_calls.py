"""Work for the spec work pool's tests, sent to its processes by name: this module imports
nothing heavy, so that importing it there costs little of a short time limit."""

from __future__ import annotations

import os


def process_id(text: str, source: str) -> int:
    return os.getpid()


def broken(text: str, source: str) -> None:
    raise ValueError(f"{source}: a bug, not a problem of the spec")


def exit_now(text: str, source: str) -> None:
    os._exit(3)
