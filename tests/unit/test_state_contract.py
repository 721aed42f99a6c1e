"""One contract for both state backends: SQLite in a temporary DATA_DIR, and a real redis-server."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from adapter.state import Cooldown, StateStore, StateUnavailable, Usage
from adapter.state.redis_store import RedisStore
from adapter.state.sqlite_store import SqliteStore
from tests.support.openai_schema import assert_error


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


StoreFactory = Callable[..., StateStore]


@pytest.fixture(params=["sqlite", "redis"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens handles on one state, as separate workers or instances have them."""
    opened: list[StateStore] = []
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""

    def open_one(clock: Callable[[], float] = time.time) -> StateStore:
        backend: StateStore = RedisStore(url, prefix="test:", clock=clock) if url else SqliteStore(tmp_path / "state.sqlite3", clock=clock)
        opened.append(backend)
        return backend

    yield open_one
    for backend in opened:
        backend.close()


@pytest.fixture
def store(open_store: StoreFactory) -> StateStore:
    return open_store()


def test_a_stored_response_is_read_back_by_another_worker_and_deleted_once(store: StateStore, open_store: StoreFactory) -> None:
    document = {"id": "resp_1", "owner": "team-a", "output": [{"type": "message", "content": "ünïcode"}]}
    store.put_response("resp_1", document, 60)
    other = open_store()
    assert other.get_response("resp_1") == document
    assert other.delete_response("resp_1") is True
    assert store.get_response("resp_1") is None
    assert store.delete_response("resp_1") is False


def test_a_response_past_its_ttl_is_gone(store: StateStore) -> None:
    store.put_response("resp_short", {"id": "resp_short"}, 1)
    assert store.get_response("resp_short") == {"id": "resp_short"}
    time.sleep(1.1)
    assert store.get_response("resp_short") is None
    assert store.delete_response("resp_short") is False


def test_cooldowns_in_force_are_shared_with_their_reason(store: StateStore, open_store: StoreFactory) -> None:
    now = time.time()
    store.mark_cooldown("express#0", now + 30, "rate_limit")
    store.mark_cooldown("sa#1", now + 600, "auth_failure")
    store.mark_cooldown("sa#0", now + 0.3, "upstream_error")
    other = open_store()
    seen = other.cooldowns()
    assert seen["express#0"].reason == "rate_limit" and seen["express#0"].until == pytest.approx(now + 30)
    assert seen["sa#1"] == Cooldown(pytest.approx(now + 600), "auth_failure")
    assert set(other.cooldowns(["express#0", "express#1"])) == {"express#0"}
    time.sleep(0.4)
    assert set(other.cooldowns()) == {"express#0", "sa#1"}


def test_an_unknown_cooldown_reason_is_refused(store: StateStore) -> None:
    with pytest.raises(ValueError):
        store.mark_cooldown("express#0", time.time() + 5, "tired")  # type: ignore[arg-type]


def _step_cursor(store: StateStore, times: int, out: "multiprocessing.Queue[list[int]]") -> None:
    out.put([store.next_index("express") for _ in range(times)])


def test_the_round_robin_cursor_is_atomic_across_processes(store: StateStore) -> None:
    assert store.next_index("express") == 1
    queue: multiprocessing.Queue[list[int]] = multiprocessing.get_context("fork").Queue()
    workers = [multiprocessing.get_context("fork").Process(target=_step_cursor, args=(store, 50, queue)) for _ in range(3)]
    for worker in workers:
        worker.start()
    seen = sorted(value for _ in workers for value in queue.get(timeout=30))
    for worker in workers:
        worker.join(10)
    assert seen == list(range(2, 152))
    assert store.next_index("express") == 152
    assert store.next_index("service_account") == 1


def test_window_counters_add_up_within_a_window_and_start_again_in_the_next(open_store: StoreFactory) -> None:
    clock = Clock()
    clock.now = 1_800_000_000.0
    store, other = open_store(clock), open_store(clock)
    assert store.read_window("key-a:rpm", 60) == 0
    assert store.add_to_window("key-a:rpm", 1, 60) == 1
    assert other.add_to_window("key-a:rpm", 5, 60) == 6
    clock.now += 59.9
    assert store.read_window("key-a:rpm", 60) == 6
    assert store.read_window("key-b:rpm", 60) == 0
    clock.now += 0.1
    assert store.read_window("key-a:rpm", 60) == 0
    assert store.add_to_window("key-a:rpm", 2, 60) == 2


def test_usage_is_tallied_per_key_and_day(store: StateStore) -> None:
    store.add_usage("team-a", "2026-12-03", 1, 120)
    store.add_usage("team-a", "2026-12-03", 2, 30)
    store.add_usage("team-a", "2026-12-04", 1, 7)
    store.add_usage("team-b", "2026-12-04", 9, 9)
    assert store.usage("team-a", ["2026-12-02", "2026-12-03", "2026-12-04"]) == {"2026-12-03": Usage(3, 150), "2026-12-04": Usage(1, 7)}
    assert store.usage("team-a", []) == {}


def test_health_names_the_backend_and_never_the_url(store: StateStore) -> None:
    health = store.health()
    assert health == {"backend": store.backend, "reachable": True}
    assert "redis-test-pass" not in repr(health)


def test_an_unreachable_store_raises_state_unavailable_quickly(tmp_path: Path) -> None:
    from tests.support.redis_server import free_port

    dead = RedisStore(f"redis://:secret-pw@127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    with pytest.raises(StateUnavailable) as raised:
        dead.next_index("express")
    assert time.monotonic() - started < 1
    assert raised.value.status == 503 and raised.value.code == "state_unavailable"
    assert_error(raised.value.to_body())
    assert "secret-pw" not in str(raised.value)
    assert dead.health() == {"backend": "redis", "reachable": False}
    gone = SqliteStore(tmp_path / "missing" / "state.sqlite3")
    with pytest.raises(StateUnavailable):
        gone.get_response("resp_1")
