"""The spec work pool: work runs in worker processes, within the time limit; work that runs
over it is stopped with one problem and its process replaced."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator

import pytest

from bot.jobs.spec_work import SpecWorkFailed, SpecWorkPool, too_complex
from renderers.problems import SpecError
from renderers.spec import load_spec
from tests.bot.jobs.spec_work_calls import broken, exit_now, process_id
from tests.conftest import EXAMPLE_SPEC, SLOW_SPEC

LIMIT_SECONDS = 0.25  # SLOW_SPEC takes ten times as long


@pytest.fixture
def pool() -> Iterator[SpecWorkPool]:
    with SpecWorkPool(LIMIT_SECONDS, processes=1) as pool:
        yield pool


def test_work_runs_in_another_process_and_its_result_comes_back(pool: SpecWorkPool) -> None:
    text = EXAMPLE_SPEC.read_text()

    raw = pool.run(load_spec, text, "spec.yaml")

    assert raw == load_spec(text, "spec.yaml")
    assert str(raw.problem(("owner",), "x")) == "spec.yaml:5:8: owner: x"  # lines came along
    assert pool.run(process_id, "", "spec.yaml") != os.getpid()


def test_the_problems_of_a_spec_come_back_as_its_spec_error(pool: SpecWorkPool) -> None:
    text = "name: X\nowner: -acme\n"
    with pytest.raises(SpecError) as here:
        load_spec(text, "spec.yaml")

    with pytest.raises(SpecError) as there:
        pool.run(load_spec, text, "spec.yaml")

    assert there.value.problems == here.value.problems


def test_work_over_the_limit_is_one_problem_and_its_process_is_replaced(
    pool: SpecWorkPool,
) -> None:
    before = pool.run(process_id, "", "spec.yaml")

    with pytest.raises(SpecError) as caught:
        pool.run(load_spec, SLOW_SPEC, "spec.yaml")

    assert [str(problem) for problem in caught.value.problems] == [
        "spec.yaml:1:1: (spec): the spec took longer than 0.25 s to check; it is too complex "
        "(a spec describes one system in a few plain mappings and lists)"
    ]
    with pytest.raises(ProcessLookupError):
        os.kill(before, 0)  # killed, not left computing
    assert pool.run(process_id, "", "spec.yaml") not in (before, os.getpid())


def test_an_error_other_than_a_spec_error_is_a_failure_of_sbh_and_the_process_stays(
    pool: SpecWorkPool,
) -> None:
    before = pool.run(process_id, "", "spec.yaml")

    with pytest.raises(SpecWorkFailed, match=r"ValueError: spec\.yaml: a bug"):
        pool.run(broken, "", "spec.yaml")

    assert pool.run(process_id, "", "spec.yaml") == before


def test_a_process_that_dies_during_a_call_is_a_failure_and_is_replaced(
    pool: SpecWorkPool,
) -> None:
    before = pool.run(process_id, "", "spec.yaml")

    with pytest.raises(SpecWorkFailed, match=r"the process checking spec\.yaml stopped"):
        pool.run(exit_now, "", "spec.yaml")

    assert pool.run(process_id, "", "spec.yaml") != before


def test_calls_beyond_the_number_of_processes_wait_for_one(pool: SpecWorkPool) -> None:
    text = EXAMPLE_SPEC.read_text()
    names: list[str | None] = []

    def check() -> None:
        names.append(pool.run(load_spec, text, "spec.yaml").name)

    callers = [threading.Thread(target=check) for _ in range(4)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=30)

    assert names == ["orders-api"] * 4
    assert len({pool.run(process_id, "", "spec.yaml") for _ in range(3)}) == 1


def test_a_coroutine_awaits_the_work_and_its_problems(pool: SpecWorkPool) -> None:
    async def check(text: str) -> str | None:
        return (await pool.run_async(load_spec, text, "spec.yaml")).name

    assert asyncio.run(check(EXAMPLE_SPEC.read_text())) == "orders-api"
    with pytest.raises(SpecError):
        asyncio.run(check(SLOW_SPEC))


def test_closing_stops_the_processes_and_refuses_further_work() -> None:
    pool = SpecWorkPool(LIMIT_SECONDS, processes=1)
    worker = pool.run(process_id, "", "spec.yaml")

    pool.close()

    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)
    with pytest.raises(SpecWorkFailed, match="SBH is stopping"):
        pool.run(process_id, "", "spec.yaml")


def test_closing_answers_every_call_still_waiting_for_a_process() -> None:
    pool = SpecWorkPool(LIMIT_SECONDS, processes=1)
    pool.run(process_id, "", "spec.yaml")
    outcomes: list[str] = []

    def check(text: str) -> None:
        try:
            pool.run(load_spec, text, "spec.yaml")
        except (SpecError, SpecWorkFailed) as error:
            outcomes.append(type(error).__name__)

    # Daemons: a caller left waiting must fail this test, not hang the test run.
    busy = threading.Thread(target=check, args=(SLOW_SPEC,), daemon=True)
    busy.start()
    waiting = [threading.Thread(target=check, args=("name: a\n",), daemon=True) for _ in range(3)]
    for caller in waiting:
        caller.start()
    time.sleep(0.05)  # the three wait for the one process, busy with SLOW_SPEC
    pool.close()
    for caller in [busy, *waiting]:
        caller.join(timeout=5)

    assert sorted(outcomes) == ["SpecError", *["SpecWorkFailed"] * 3]


def test_the_problem_names_the_limit_and_the_source() -> None:
    assert str(too_complex("spec", 5.0)).startswith(
        "spec:1:1: (spec): the spec took longer than 5 s to check; it is too complex"
    )
