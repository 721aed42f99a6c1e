"""``in_parallel``: the helper that keeps a few embedding batches in flight, results in order."""

from __future__ import annotations

import contextvars
import threading
import time
from typing import Callable

import pytest

from adapter.calls.embeddings import in_parallel

marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="unset")


def delayed(value: int, seconds: float) -> Callable[[], int]:
    def task() -> int:
        time.sleep(seconds)
        return value

    return task


def test_results_keep_task_order_whatever_finishes_first() -> None:
    tasks = [delayed(i, 0.02 * (5 - i)) for i in range(6)]
    assert in_parallel(tasks, 3) == list(range(6))


@pytest.mark.parametrize("width", [1, 2, 4])
def test_no_more_than_width_tasks_run_at_once(width: int) -> None:
    running, peak, lock = [0], [0], threading.Lock()

    def task() -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1

    in_parallel([task] * 8, width)
    assert peak[0] == width


def test_the_earliest_failure_is_raised_and_no_new_task_starts() -> None:
    started: list[int] = []

    def task(i: int) -> Callable[[], int]:
        def run() -> int:
            started.append(i)
            time.sleep(0.01 * (3 - i) if i in (1, 2) else 0.01)
            if i in (1, 2):
                raise ValueError(f"task {i}")
            return i

        return run

    with pytest.raises(ValueError, match="task 1"):
        in_parallel([task(i) for i in range(20)], 3)
    assert len(started) < 20


def test_one_task_runs_in_the_callers_thread() -> None:
    assert in_parallel([threading.get_ident], 4) == [threading.get_ident()]


def test_tasks_see_the_callers_context() -> None:
    token = marker.set("request-42")
    try:
        assert in_parallel([marker.get] * 3, 2) == ["request-42"] * 3
    finally:
        marker.reset(token)
