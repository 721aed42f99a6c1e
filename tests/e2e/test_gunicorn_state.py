"""Real gunicorn processes sharing state: two instances through one Redis, two workers through
SQLite, and Redis killed and restarted under running instances."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.conftest import API_KEY
from tests.e2e.conftest import StartGunicorn
from tests.e2e.test_gunicorn import Served
from tests.emulator import Reply, VertexEmulator
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.slow

HELLO = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hello"}]}
CACHE_SECONDS = 0.6  # a little more than adapter.upstream.pool_state.CACHE_SECONDS


def chat(served: Served) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}", "Connection": "close"}
    response = requests.post(served.url + "/v1/chat/completions", json=HELLO, headers=headers, timeout=30)
    assert response.status_code == 200, response.text


def called(emulator: VertexEmulator) -> list[str]:
    return [call.credential_label or "refused" for call in emulator.calls if call.rpc == "generateContent"]


def test_two_instances_share_turns_and_cooldowns_through_redis(start_gunicorn: StartGunicorn, emulator: VertexEmulator, redis_url: str, tmp_path: Path) -> None:
    first, second = start_gunicorn("first", REDIS_URL=redis_url), start_gunicorn("second", REDIS_URL=redis_url)
    assert {path.name for path in (tmp_path / ".gunicorn").glob("gunicorn-*.ctl")} == {f"gunicorn-{s.url.rsplit(':', 1)[1]}.ctl" for s in (first, second)}
    for _ in range(4):
        chat(first)
        chat(second)
    assert called(emulator) == ["express#0", "express#1"] * 4
    emulator.reset()
    emulator.enqueue(Reply.error(429, retry_after=30), credential="express#0")
    chat(first)
    assert called(emulator) == ["express#0", "express#1"]
    time.sleep(CACHE_SECONDS)
    for _ in range(4):
        chat(second)
    assert called(emulator)[2:] == ["express#1"] * 4


def test_two_workers_of_one_instance_share_through_sqlite(start_gunicorn: StartGunicorn, emulator: VertexEmulator) -> None:
    served = start_gunicorn("workers", WEB_CONCURRENCY="2")
    for _ in range(8):
        chat(served)
    assert Counter(called(emulator)) == {"express#0": 4, "express#1": 4}
    assert called(emulator) == ["express#0", "express#1"] * 4
    emulator.reset()
    emulator.always(Reply.error(429, retry_after=30), credential="express#1")
    chat(served)
    time.sleep(CACHE_SECONDS)
    for _ in range(6):
        chat(served)
    assert called(emulator).count("express#1") == 1


def test_redis_killed_mid_run_then_restarted(start_gunicorn: StartGunicorn, emulator: VertexEmulator, tmp_path: Path) -> None:
    redis = RedisServer(tmp_path, password="kill-test-pw-31c").start()
    try:
        first, second = start_gunicorn("first", REDIS_URL=redis.url, METRICS_ENABLED="true"), start_gunicorn("second", REDIS_URL=redis.url)
        chat(first)
        redis.stop()
        started = time.monotonic()
        for _ in range(3):
            chat(first)
            chat(second)
        assert time.monotonic() - started < 10
        state = requests.get(first.url + "/", headers={"Accept": "application/json", "Authorization": f"Bearer {API_KEY}"}, timeout=10).json()["state"]
        assert state == {"backend": "redis", "reachable": False, "fallback_to_memory": True}
        assert "gateway_state_fallback 1.0" in requests.get(first.url + "/metrics", timeout=10).text
        redis.start()
        time.sleep(1.1)  # the workers try the store again every second
        emulator.reset()
        emulator.always(Reply.error(429, retry_after=30), credential="express#0")
        for _ in range(4):
            chat(first)
            if "express#0" in called(emulator):
                break
        assert "express#0" in called(emulator)
        time.sleep(CACHE_SECONDS)
        before = len(called(emulator))
        for _ in range(4):
            chat(second)
        assert "express#0" not in called(emulator)[before:]
        log = first.log.read_text()
        assert "unreachable" in log and "reachable again" in log and "kill-test-pw-31c" not in log
    finally:
        redis.stop()
