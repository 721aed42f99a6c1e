"""Two gateways with their own DATA_DIR sharing one Redis behave as one system: a rate-limited
credential rests for both, round-robin spreads over both, and a Redis outage only costs the
sharing (chat keeps answering, the gauge says so) until Redis is back."""

from __future__ import annotations

import time
from collections import Counter

import pytest
import requests

from adapter.keys import counters
from adapter.upstream import pool_state
from tests.conftest import API_KEY, Credentials, GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator
from tests.support.openai_schema import assert_chat_completion
from tests.support.redis_server import RedisServer

HELLO = [{"role": "user", "content": "Hello"}]


def chat(live: LiveGateway) -> None:
    response = live.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": HELLO})
    assert response.status_code == 200, response.text
    assert_chat_completion(response.json())


def called(emulator: VertexEmulator) -> list[str]:
    return [call.credential_label or "refused" for call in emulator.calls if call.rpc == "generateContent"]


def health(live: LiveGateway) -> dict:
    return requests.get(live.url + "/", headers={"Accept": "application/json", "Authorization": f"Bearer {API_KEY}"}, timeout=10).json()


def fallback_gauge(live: LiveGateway) -> float:
    lines = requests.get(live.url + "/metrics", timeout=10).text.splitlines()
    return float(next(line.split()[-1] for line in lines if line.startswith("gateway_state_fallback ")))


def test_round_robin_spreads_evenly_over_two_instances(gateway_factory: GatewayFactory, emulator: VertexEmulator, redis_url: str) -> None:
    first, second = (gateway_factory(service_accounts=False, REDIS_URL=redis_url) for _ in range(2))
    for _ in range(4):
        chat(first)
        chat(second)
    assert Counter(called(emulator)) == {"express#0": 4, "express#1": 4}
    assert called(emulator)[:4] == ["express#0", "express#1", "express#0", "express#1"]


def test_a_credential_rate_limited_on_one_instance_rests_on_the_other(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, redis_url: str, credentials: Credentials
) -> None:
    first, second = (gateway_factory(service_accounts=False, REDIS_URL=redis_url) for _ in range(2))
    emulator.enqueue(Reply.error(429, retry_after=30), credential="express#0")
    chat(first)
    assert called(emulator) == ["express#0", "express#1"]
    time.sleep(pool_state.CACHE_SECONDS)
    for _ in range(4):
        chat(second)
    assert called(emulator)[2:] == ["express#1"] * 4
    body = health(second)
    assert body["credentials_cooling_down"] == 1
    assert body["state"] == {"backend": "redis", "reachable": True, "fallback_to_memory": False}
    assert "redis-test-pass" not in requests.get(second.url + "/", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10).text


def test_chat_keeps_answering_while_redis_is_down_and_shares_again_when_it_is_back(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, redis_url: str, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool_state, "RETRY_SECONDS", 0.0)
    monkeypatch.setattr(counters, "RETRY_SECONDS", 0.0)  # the usage tally falls back and comes back too
    first, second = (gateway_factory(service_accounts=False, REDIS_URL=redis_url, METRICS_ENABLED="true") for _ in range(2))
    chat(first)
    redis_server.stop()
    started = time.monotonic()
    for _ in range(4):
        chat(first)
        chat(second)
    assert time.monotonic() - started < 5
    assert fallback_gauge(first) == 1 and health(first)["state"]["reachable"] is False
    redis_server.start()
    emulator.reset()
    emulator.enqueue(Reply.error(429, retry_after=30), credential="express#1")
    chat(first)
    chat(first)
    time.sleep(pool_state.CACHE_SECONDS)
    for _ in range(3):
        chat(second)
    assert called(emulator)[-3:] == ["express#0"] * 3
    assert fallback_gauge(first) == 0 and health(second)["state"]["fallback_to_memory"] is False
