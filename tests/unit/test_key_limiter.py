"""The per-key limiter over the state layer's fixed windows, on SQLite and on a real redis-server."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from adapter.keys import counters
from adapter.keys.definitions import ClientKey, admin_key, digest_of
from adapter.keys.limiter import Limiter
from adapter.state import StateStore, Usage
from adapter.state.redis_store import RedisStore
from adapter.state.sqlite_store import SqliteStore
from tests.support.redis_server import RedisServer

START = 1_800_000_000.0  # a whole minute and a whole UTC day: 2027-01-15 08:00:00 UTC


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


LimiterFactory = Callable[[Clock], Limiter]


@pytest.fixture(params=["sqlite", "redis"])
def limiters(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LimiterFactory]:
    """Limiters on one state, as separate workers or instances have them."""
    opened: list[StateStore] = []
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""

    def make(clock: Clock) -> Limiter:
        store: StateStore = RedisStore(url, prefix="test:", clock=clock) if url else SqliteStore(tmp_path / "state.sqlite3", clock=clock)
        opened.append(store)
        return Limiter(store, clock)

    yield make
    for store in opened:
        store.close()


def key(**limits: int) -> ClientKey:
    return ClientKey(name="alice", digest=digest_of("sk-alice-0123456789abcdef"), **limits)  # type: ignore[arg-type]


def test_requests_per_minute_are_shared_and_refused_past_the_limit_until_the_next_minute(limiters: LimiterFactory) -> None:
    clock = Clock(START + 15.2)
    first, second = limiters(clock), limiters(clock)
    alice = key(rpm=3)
    verdicts = [limiter.admit(alice) for limiter in (first, second, first, second)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.headers["x-ratelimit-remaining-requests"] for v in verdicts] == ["2", "1", "0", "0"]
    refused = verdicts[-1]
    assert refused.exceeded == "rpm" and refused.retry_after == 45
    assert refused.headers == {"x-ratelimit-limit-requests": "3", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "45s"}
    assert "Rate limit reached for key 'alice': 3 requests per minute" in refused.message(alice)
    clock.now = START + 60
    assert first.admit(alice).allowed


def test_tokens_per_minute_refuse_once_charged_tokens_reach_the_limit(limiters: LimiterFactory) -> None:
    clock = Clock(START + 50)
    limiter = limiters(clock)
    alice = key(rpm=100, tpm=1000)
    assert limiter.admit(alice).headers["x-ratelimit-remaining-tokens"] == "1000"
    limiter.charge(alice, 600)
    assert limiter.admit(alice).headers["x-ratelimit-remaining-tokens"] == "400"
    limiter.charge(alice, 600)  # a request being served may take the key past its limit
    refused = limiter.admit(alice)
    assert refused.exceeded == "tpm" and refused.retry_after == 10
    assert refused.headers["x-ratelimit-remaining-tokens"] == "0" and refused.headers["x-ratelimit-reset-tokens"] == "10s"
    assert refused.headers["x-ratelimit-remaining-requests"] == "98", "a request refused for tokens is not counted as a request"
    clock.now = START + 60
    assert limiter.admit(alice).allowed


def test_tokens_per_day_hold_until_midnight_utc_and_read_the_usage_tally(limiters: LimiterFactory) -> None:
    clock = Clock(START)
    limiter = limiters(clock)
    alice = key(tpd=5000)
    limiter.charge(alice, 3000)
    clock.now += 3600
    limiter.charge(alice, 2500)
    refused = limiter.admit(alice)
    assert refused.exceeded == "tpd"
    assert refused.retry_after == 15 * 3600, "from 09:00 UTC to midnight"
    assert refused.headers == {"x-ratelimit-limit-tokens": "5000", "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "54000s"}
    assert limiter.usage("alice", 2) == {"2027-01-15": Usage(2, 5500)}
    clock.now = START + 16 * 3600
    assert limiter.admit(alice).allowed


def test_a_key_without_limits_is_never_refused_and_its_usage_still_counts(limiters: LimiterFactory) -> None:
    clock = Clock()
    limiter = limiters(clock)
    admin = admin_key("sk-admin-limiter-test")
    assert all(limiter.admit(admin).allowed for _ in range(50))
    assert limiter.admit(admin).headers == {}
    limiter.charge(admin, 7)
    clock.now += 86400
    limiter.charge(admin, 3)
    assert limiter.usage("admin", 30) == {"2027-01-15": Usage(1, 7), "2027-01-16": Usage(1, 3)}
    assert limiter.usage("admin", 1) == {"2027-01-16": Usage(1, 3)}


def test_when_redis_is_down_limits_count_in_memory_and_usage_reaches_redis_when_it_is_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counters, "RETRY_SECONDS", 0.0)
    server = RedisServer(tmp_path).start()
    try:
        limiter = Limiter(RedisStore(server.url))
        alice = key(rpm=2)
        assert limiter.admit(alice).allowed
        limiter.charge(alice, 10)
        server.stop()
        with caplog.at_level(logging.WARNING, logger="adapter.keys.counters"):
            started = time.monotonic()
            verdicts = [limiter.admit(alice) for _ in range(3)]
            limiter.charge(alice, 5)
            assert time.monotonic() - started < 2, "an outage costs a short timeout, never a hang"
        assert [v.allowed for v in verdicts] == [True, True, False], "the worker's own count from the outage on: serves more, not less"
        assert limiter.degraded
        assert [r.getMessage() for r in caplog.records].count(
            "shared state (redis) unreachable: client key limits count in this worker's memory until it answers"
        ) == 1
        server.start()
        limiter.admit(alice)
        assert not limiter.degraded
        today = time.strftime("%Y-%m-%d", time.gmtime())
        assert limiter.usage("alice", 1) == {today: Usage(1, 5)}, "the outage's tally, added to the restarted (empty) Redis"
    finally:
        server.stop()
