"""Spec work — reading, completing and rendering what a person wrote — in worker processes,
each call within a time limit.

The text of a spec is anyone's. Work on it does not run in the service's own threads: a
thread cannot be stopped, and while it computes it holds the GIL that the event loop, the
webhook intake and the job workers need. A worker process can be stopped: a call that runs
over `limit_seconds` has its process killed (a fresh one starts for the next call) and its
caller gets one `SpecError` saying the spec is too complex, reported like any other problem
of the spec (in the API's answer, in the invalid-spec comment on an issue), so a job never
retries it. The pure functions stay in `renderers`; this module only decides where they run.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from types import TracebackType
from typing import Any, TypeVar

from renderers.problems import SpecError, SpecProblem

T = TypeVar("T")
# Imported once by multiprocessing's fork server, a clean process every worker is forked
# from (so no lock held by one of the service's threads is copied into a worker): the spec
# work of `renderers`, so that a new worker's first call does not spend the limit on imports.
_PRELOADED = ["renderers.from_text"]
# How long a new worker process may take to be ready (multiprocessing imports the service's
# main module in it again).
_START_SECONDS = 60.0
_READY = "ready"


class SpecWorkFailed(RuntimeError):
    """The work raised something other than `SpecError`, or its process died: a fault of
    SBH's, not a problem of the spec."""


def too_complex(source: str, limit_seconds: float) -> SpecProblem:
    return SpecProblem(
        source,
        1,
        1,
        (),
        f"the spec took longer than {limit_seconds:g} s to check; it is too complex "
        "(a spec describes one system in a few plain mappings and lists)",
    )


class SpecWorkPool:
    """Up to `processes` worker processes, started when first needed and kept for the next
    call; `run(work, text, source)` calls `work(text, source)` in one of them."""

    def __init__(self, limit_seconds: float, processes: int | None = None) -> None:
        self.limit_seconds = limit_seconds
        # One per core, as the work is CPU-bound; at least two, so that one slow spec does
        # not queue every other check behind it.
        self.processes = processes or max(2, os.cpu_count() or 1)
        self._context: ForkServerContext = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOADED)
        self._changed = threading.Condition()
        self._idle: list[_Worker] = []
        self._started = 0  # idle and busy
        self._closed = False
        # The event loop's calls wait here for a process, not in the loop's thread pool.
        self._callers = ThreadPoolExecutor(self.processes, thread_name_prefix="sbh-spec-work")

    def run(self, work: Callable[[str, str], T], text: str, source: str) -> T:
        """`work(text, source)` in a worker process: its result, or the `SpecError` it
        raised, or a `SpecError` with `too_complex` when it runs over the limit. `work` is
        a module-level function (it is sent to the process by name)."""
        worker = self._take()
        reusable = False
        try:
            worker.connection.send((work, text, source))
            if not worker.connection.poll(self.limit_seconds):
                raise SpecError([too_complex(source, self.limit_seconds)])
            outcome, value = worker.connection.recv()
            reusable = True
        except (EOFError, OSError) as error:
            raise SpecWorkFailed(f"the process checking {source} stopped: {error!r}") from None
        finally:
            self._give_back(worker, reusable)
        if outcome == "problems":
            raise SpecError(value)
        if outcome == "failed":
            raise SpecWorkFailed(f"checking {source} failed in its process:\n{value}")
        result: T = value
        return result

    async def run_async(self, work: Callable[[str, str], T], text: str, source: str) -> T:
        """`run` for a coroutine: waiting for a free process holds neither the event loop
        nor a thread of its pool."""
        return await asyncio.wrap_future(self._callers.submit(self.run, work, text, source))

    def close(self) -> None:
        """Stop the idle processes now and the busy ones when their call returns."""
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
            self._changed.notify_all()
        for worker in idle:
            worker.stop()
        self._callers.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> SpecWorkPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _take(self) -> _Worker:
        with self._changed:
            while not self._idle and self._started >= self.processes and not self._closed:
                self._changed.wait()
            if self._closed:
                raise SpecWorkFailed("SBH is stopping: specs are not checked any more")
            if self._idle:
                return self._idle.pop()
            self._started += 1
        try:
            return _Worker(self._context)
        except BaseException:
            self._give_back(None, reusable=False)
            raise

    def _give_back(self, worker: _Worker | None, reusable: bool) -> None:
        with self._changed:
            keep = reusable and not self._closed
            if keep and worker is not None:
                self._idle.append(worker)
            else:
                self._started -= 1
            self._changed.notify()
        if worker is not None and not keep:
            worker.stop()


class _Worker:
    """One process answering one call at a time over a pipe. It is returned once it says it
    is ready, so that the time limit of a call counts only the call."""

    def __init__(self, context: ForkServerContext) -> None:
        self.connection, child_end = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child_end,), name="sbh-spec-work", daemon=True
        )
        self.process.start()
        child_end.close()
        try:
            ready = self.connection.poll(_START_SECONDS) and self.connection.recv() == _READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise SpecWorkFailed(
                f"a process to check specs did not start ({self.process.exitcode})"
            )

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()


def _serve(connection: Connection) -> None:
    """A worker process: calls until the service closes its end of the pipe (or dies)."""
    # Ctrl-C in a terminal reaches the whole process group; the service ends this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    connection.send(_READY)
    while True:
        try:
            work, text, source = connection.recv()
        except EOFError:
            return
        connection.send(_outcome(work, text, source))


def _outcome(work: Callable[[str, str], Any], text: str, source: str) -> tuple[str, Any]:
    try:
        return "done", work(text, source)
    except SpecError as error:
        # Problems travel as themselves: an exception is pickled by its arguments.
        return "problems", tuple(error.problems)
    except Exception:
        return "failed", traceback.format_exc()
