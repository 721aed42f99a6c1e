"""Client keys through the official ``openai`` SDK: who gets in, which models, how much, and usage."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path
from typing import Any

import openai
import pytest
import requests

from adapter.keys import counters
from tests.conftest import API_KEY, GatewayFactory, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.openai_schema import assert_chat_completion, assert_error
from tests.support.redis_server import RedisServer

ALICE = "sk-alice-e2e-0123456789abcdef"
BOB = "sk-bob-e2e-0123456789abcdef00"
HELLO = [{"role": "user", "content": "Hello"}]


def keys_yaml(*entries: str) -> str:
    return "keys:\n" + "".join(entries)


def entry(name: str, key: str, **fields: Any) -> str:
    lines = [f"  - name: {name}\n", f"    sha256: {hashlib.sha256(key.encode()).hexdigest()}\n"]
    lines += [f"    {field}: {value}\n" for field, value in fields.items()]
    return "".join(lines)


def keys_gateway(gateway_factory: GatewayFactory, tmp_path: Path, text: str, **env: str) -> LiveGateway:
    path = tmp_path / "keys.yaml"
    path.write_text(text)
    return gateway_factory(service_accounts=False, CLIENT_KEYS_FILE=str(path), **env)


def client(live: LiveGateway, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=live.url + "/v1", api_key=key, max_retries=0, timeout=30)


def answer_costing(prompt: int, output: int, thoughts: int = 0) -> dict[str, Any]:
    """A Vertex answer that reports exactly these token counts."""
    parts = [{"text": "Thinking it over", "thought": True}, {"text": "Hi there"}] if thoughts else [{"text": "Hi there"}]
    return payloads.response([payloads.candidate(parts)], payloads.usage(prompt, output, thoughts), "gemini-2.5-flash")


def test_each_key_gets_in_and_the_log_line_names_it_never_the_key(
    gateway_factory: GatewayFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    live = keys_gateway(gateway_factory, tmp_path, keys_yaml(entry("alice", ALICE)))
    caplog.set_level(logging.INFO)
    assert_chat_completion(client(live, ALICE).chat.completions.create(model="gemini-2.5-flash", messages=HELLO).model_dump(exclude_unset=True))
    assert_chat_completion(client(live, API_KEY).chat.completions.create(model="gemini-2.5-flash", messages=HELLO).model_dump(exclude_unset=True))
    with pytest.raises(openai.AuthenticationError) as refused:
        client(live, BOB).models.list()
    assert refused.value.code == "invalid_api_key"
    assert_error(refused.value.response.json())
    summaries = [r.getMessage() for r in caplog.records if r.name == "adapter.requests"]
    assert [line.split(" key=")[1].split()[0] for line in summaries if " key=" in line] == ["alice", "admin"]
    assert ALICE not in caplog.text and BOB not in caplog.text and API_KEY not in caplog.text


def test_an_expired_key_is_refused_with_401_saying_when_it_expired(gateway_factory: GatewayFactory, tmp_path: Path) -> None:
    live = keys_gateway(gateway_factory, tmp_path, keys_yaml(entry("alice", ALICE, expires="2020-03-01T12:00:00Z")))
    with pytest.raises(openai.AuthenticationError) as refused:
        client(live, ALICE).chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    assert refused.value.status_code == 401 and refused.value.code == "api_key_expired"
    assert refused.value.response.json()["error"]["message"] == "The API key 'alice' expired at 2020-03-01T12:00:00Z."
    assert_error(refused.value.response.json())


def test_a_key_added_to_the_file_works_at_once_and_a_removed_one_stops(gateway_factory: GatewayFactory, tmp_path: Path) -> None:
    live = keys_gateway(gateway_factory, tmp_path, keys_yaml(entry("alice", ALICE)))
    live.gateway.keys.check_interval = 0
    path = tmp_path / "keys.yaml"
    with pytest.raises(openai.AuthenticationError):
        client(live, BOB).models.list()
    path.write_text(keys_yaml(entry("bob", BOB)))
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    assert client(live, BOB).models.list().data
    with pytest.raises(openai.AuthenticationError):
        client(live, ALICE).models.list()


def test_client_keys_alone_run_the_gateway_without_an_admin_key(gateway_factory: GatewayFactory, tmp_path: Path) -> None:
    live = keys_gateway(gateway_factory, tmp_path, keys_yaml(entry("alice", ALICE)), API_KEY="")
    assert_chat_completion(client(live, ALICE).chat.completions.create(model="gemini-2.5-flash", messages=HELLO).model_dump(exclude_unset=True))
    with pytest.raises(openai.AuthenticationError):
        client(live, API_KEY).models.list()
    with pytest.raises(openai.PermissionDeniedError) as refused:
        client(live, ALICE).get("/usage", cast_to=object)
    assert "needs the admin key (API_KEY); the key 'alice' is a client key" in refused.value.message
    assert_error(refused.value.response.json())
    health = requests.get(live.url + "/", headers={"Authorization": f"Bearer {ALICE}", "Accept": "application/json"}, timeout=10)
    assert health.json() == {"status": "ok"}, "the health detail is for the admin key"


def test_usage_per_key_for_today_and_the_last_30_days_is_for_the_admin_key_only(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, tmp_path: Path
) -> None:
    live = keys_gateway(gateway_factory, tmp_path, keys_yaml(entry("alice", ALICE), entry("bob", BOB)))
    emulator.enqueue(answer_costing(100, 20, 30), answer_costing(7, 3))
    client(live, ALICE).chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    list(client(live, ALICE).chat.completions.create(model="gemini-2.5-flash", messages=HELLO, stream=True))
    response = requests.get(live.url + "/v1/usage", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10)
    assert response.status_code == 200
    report = response.json()
    assert report["object"] == "usage_report"
    alice, bob = report["keys"][1], report["keys"][2]
    assert [key["name"] for key in report["keys"]] == ["admin", "alice", "bob"]
    assert alice["today"] == alice["last_30_days"] == {"requests": 2, "tokens": 160}
    assert alice["daily"] == [{"date": report["today"], "requests": 2, "tokens": 160}]
    assert bob == {"name": "bob", "today": {"requests": 0, "tokens": 0}, "last_30_days": {"requests": 0, "tokens": 0}, "daily": []}
    refused = requests.get(live.url + "/v1/usage", headers={"Authorization": f"Bearer {BOB}"}, timeout=10)
    assert refused.status_code == 403
    assert_error(refused.json())


def fresh_minute(margin: float = 5.0) -> None:
    """Wait for the next minute when this one ends within ``margin`` seconds (limits use fixed windows)."""
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.05)


def error_of(refused: openai.APIStatusError) -> dict[str, Any]:
    body = refused.response.json()
    assert_error(body)
    return body["error"]


def test_a_model_the_key_may_not_use_is_refused_with_403_naming_model_before_vertex_is_called(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, tmp_path: Path
) -> None:
    live = keys_gateway(gateway_factory, tmp_path, keys_yaml(entry("alice", ALICE, models='["gemini-2.5-flash-lite", "gemini-embedding-*"]')))
    alice = client(live, ALICE)
    for stream in (False, True):
        with pytest.raises(openai.PermissionDeniedError) as refused:
            alice.chat.completions.create(model="gemini-2.5-pro", messages=HELLO, stream=stream)
        error = error_of(refused.value)
        assert (error["param"], error["code"], error["type"]) == ("model", "model_not_allowed", "permission_error")
        assert error["message"] == "The API key 'alice' may not use the model 'gemini-2.5-pro'. Allowed: gemini-2.5-flash-lite, gemini-embedding-*."
    with pytest.raises(openai.PermissionDeniedError):
        alice.embeddings.create(model="text-embedding-005", input="hi")
    assert emulator.calls == []
    assert {model.id for model in alice.models.list().data} == {"gemini-2.5-flash-lite", "gemini-embedding-001"}
    with pytest.raises(openai.NotFoundError):
        alice.models.retrieve("gemini-2.5-pro")
    assert alice.models.retrieve("gemini-2.5-flash-lite").id == "gemini-2.5-flash-lite"
    assert alice.chat.completions.create(model="gemini-2.5-flash-lite", messages=HELLO).choices[0].message.content
    assert alice.embeddings.create(model="gemini-embedding-001", input="hi").data[0].embedding


def test_past_its_requests_per_minute_a_key_gets_429_with_the_rate_limit_headers(gateway_factory: GatewayFactory, tmp_path: Path) -> None:
    live = keys_gateway(gateway_factory, tmp_path, keys_yaml(entry("alice", ALICE, rpm=2)))
    alice = client(live, ALICE)
    fresh_minute()
    first = alice.chat.completions.with_raw_response.create(model="gemini-2.5-flash", messages=HELLO)
    assert first.headers["x-ratelimit-limit-requests"] == "2" and first.headers["x-ratelimit-remaining-requests"] == "1"
    assert first.headers["x-ratelimit-reset-requests"].endswith("s")
    assert "x-ratelimit-limit-tokens" not in first.headers
    list(alice.chat.completions.create(model="gemini-2.5-flash", messages=HELLO, stream=True))
    with pytest.raises(openai.RateLimitError) as refused:
        alice.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    error = error_of(refused.value)
    assert error["code"] == "rate_limit_exceeded" and error["type"] == "rate_limit_error"
    assert error["message"].startswith("Rate limit reached for key 'alice': 2 requests per minute.")
    headers = refused.value.response.headers
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert headers["x-ratelimit-remaining-requests"] == "0" and headers["x-ratelimit-reset-requests"] == f"{headers['Retry-After']}s"
    assert_chat_completion(client(live, API_KEY).chat.completions.create(model="gemini-2.5-flash", messages=HELLO).model_dump(exclude_unset=True))


def test_past_its_tokens_per_minute_a_key_gets_429_after_a_stream_charged_what_vertex_reported(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, tmp_path: Path
) -> None:
    live = keys_gateway(gateway_factory, tmp_path, keys_yaml(entry("alice", ALICE, tpm=150)))
    alice = client(live, ALICE)
    fresh_minute()
    emulator.enqueue(answer_costing(60, 20, 30))
    first = alice.chat.completions.with_raw_response.create(model="gemini-2.5-flash", messages=HELLO)
    assert first.headers["x-ratelimit-remaining-tokens"] == "150"
    emulator.enqueue(answer_costing(30, 10))
    chunks = list(alice.chat.completions.create(model="gemini-2.5-flash", messages=HELLO, stream=True))
    assert chunks
    with pytest.raises(openai.RateLimitError) as refused:
        alice.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    error = error_of(refused.value)
    assert error["message"].startswith("Rate limit reached for key 'alice': 150 tokens per minute.")
    headers = refused.value.response.headers
    assert headers["x-ratelimit-limit-tokens"] == "150" and headers["x-ratelimit-remaining-tokens"] == "0"
    assert headers["x-ratelimit-reset-tokens"] == f"{headers['Retry-After']}s"
    assert len([call for call in emulator.calls if call.rpc in ("generateContent", "streamGenerateContent")]) == 2


def test_past_its_tokens_per_day_a_key_gets_429_until_midnight_utc(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, tmp_path: Path
) -> None:
    live = keys_gateway(gateway_factory, tmp_path, keys_yaml(entry("alice", ALICE, tpd=100)))
    alice = client(live, ALICE)
    emulator.enqueue(answer_costing(80, 30))
    alice.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    with pytest.raises(openai.RateLimitError) as refused:
        alice.embeddings.create(model="gemini-embedding-001", input="hi")
    assert error_of(refused.value)["message"].startswith("Rate limit reached for key 'alice': 100 tokens per day.")
    headers = refused.value.response.headers
    until_midnight = 86400 - time.time() % 86400
    assert abs(int(headers["Retry-After"]) - until_midnight) < 5
    assert headers["x-ratelimit-limit-tokens"] == "100" and headers["x-ratelimit-remaining-tokens"] == "0"


def test_a_requests_per_minute_limit_is_shared_by_two_instances_on_redis(gateway_factory: GatewayFactory, tmp_path: Path, redis_url: str) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text(keys_yaml(entry("alice", ALICE, rpm=3)))
    first, second = (gateway_factory(service_accounts=False, CLIENT_KEYS_FILE=str(path), REDIS_URL=redis_url) for _ in range(2))
    fresh_minute()
    remaining = []
    for live in (first, second, first):
        answer = client(live, ALICE).chat.completions.with_raw_response.create(model="gemini-2.5-flash", messages=HELLO)
        remaining.append(answer.headers["x-ratelimit-remaining-requests"])
    assert remaining == ["2", "1", "0"]
    with pytest.raises(openai.RateLimitError):
        client(live=second, key=ALICE).chat.completions.create(model="gemini-2.5-flash", messages=HELLO)


def test_with_redis_down_a_limited_key_is_still_served_and_the_usage_report_is_503(
    gateway_factory: GatewayFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counters, "RETRY_SECONDS", 0.0)
    server = RedisServer(tmp_path).start()
    try:
        path = tmp_path / "keys.yaml"
        path.write_text(keys_yaml(entry("alice", ALICE, rpm=5, tpm=10000, tpd=100000)))
        live = gateway_factory(service_accounts=False, CLIENT_KEYS_FILE=str(path), REDIS_URL=server.url)
        server.stop()
        fresh_minute()
        answer = client(live, ALICE).chat.completions.with_raw_response.create(model="gemini-2.5-flash", messages=HELLO)
        assert answer.headers["x-ratelimit-remaining-requests"] == "4", "counted in the worker's memory"
        assert_chat_completion(answer.parse().model_dump(exclude_unset=True))
        response = requests.get(live.url + "/v1/usage", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10)
        assert response.status_code == 503 and response.json()["error"]["code"] == "state_unavailable"
        assert_error(response.json())
    finally:
        server.stop()
