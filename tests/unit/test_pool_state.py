"""Credential pools sharing cooldowns and turns through the state store, and carrying on without it."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
import requests

from adapter.state.redis_store import RedisStore
from adapter.state.sqlite_store import SqliteStore
from adapter.upstream import pool_state
from adapter.upstream.credentials import Credential
from adapter.upstream.pool import AllCoolingDown, CredentialPool
from adapter.upstream.pool_state import PoolState
from tests.support.redis_server import RedisServer

LABELS = ("express#0", "express#1")


def worker_pool(state: PoolState) -> CredentialPool:
    """The express pool as one worker builds it (same credentials, its own PoolState)."""
    session = requests.Session()
    creds = [Credential(kind="express", index=i, source=f"#{i + 1}", session=session) for i in range(2)]
    return CredentialPool(creds, round_robin=True, cooldown=60, state=state, name="express")


def test_workers_take_turns_on_one_cursor_and_skip_what_another_cooled(tmp_path: Path) -> None:
    first = worker_pool(PoolState(SqliteStore(tmp_path / "state.sqlite3"), LABELS))
    second = worker_pool(PoolState(SqliteStore(tmp_path / "state.sqlite3"), LABELS))
    turns = [pool.acquire().label for pool in (first, second, first, second)]  # type: ignore[union-attr]
    assert turns == ["express#0", "express#1", "express#0", "express#1"]
    first.report(first.credentials[1], 429, retry_after=30)
    time.sleep(pool_state.CACHE_SECONDS)  # how long another worker may still use its cached cooling set
    assert [second.acquire().label for _ in range(3)] == ["express#0"] * 3  # type: ignore[union-attr]
    assert second.cooling_count() == 1
    cooling = {entry["credential"]: entry["cooling_down_for"] for entry in second.states()}
    assert cooling["express#1"] == pytest.approx(30, abs=1)
    first.report(first.credentials[0], 429, retry_after=30)
    time.sleep(pool_state.CACHE_SECONDS)
    with pytest.raises(AllCoolingDown):
        second.acquire()


def test_redis_outage_falls_back_to_memory_logs_once_and_shares_again_when_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool_state, "RETRY_SECONDS", 0.0)
    monkeypatch.setattr(pool_state, "CACHE_SECONDS", 0.0)
    server = RedisServer(tmp_path).start()
    try:
        state = PoolState(RedisStore(server.url), LABELS)
        pool = worker_pool(state)
        assert pool.acquire().label == "express#0"  # type: ignore[union-attr]
        server.stop()
        with caplog.at_level(logging.WARNING, logger="adapter.upstream.pool_state"):
            started = time.monotonic()
            picked = [pool.acquire().label for _ in range(4)]  # type: ignore[union-attr]
            pool.report(pool.credentials[0], 429, retry_after=30)
            assert time.monotonic() - started < 2
            assert sorted(picked) == ["express#0", "express#0", "express#1", "express#1"]
            assert state.degraded and state.health() == {"backend": "redis", "reachable": False, "fallback_to_memory": True}
            assert [pool.acquire().label for _ in range(2)] == ["express#1", "express#1"]  # type: ignore[union-attr]
            server.start()
            pool.acquire()
        assert not state.degraded
        outages = [r for r in caplog.records if "unreachable" in r.getMessage()]
        assert len(outages) == 1 and "reachable again" in caplog.records[-1].getMessage()
        assert server.password is None or server.password not in caplog.text
        other = PoolState(RedisStore(server.url), LABELS)
        assert other.cooldowns(time.time())["express#0"].reason == "rate_limit"
    finally:
        server.stop()
