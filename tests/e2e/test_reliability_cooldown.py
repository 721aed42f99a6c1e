"""Cooldowns and backup, end to end: a rate-limited or refused credential rests while others
serve, a fully cooling route answers 429 with Retry-After at once, Express keys and service
accounts back each other up for plain model names, and the health page shows each credential.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import API_KEY, Credentials, GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator, payloads
from tests.support.openai_schema import assert_chat_completion, assert_error

HELLO = [{"role": "user", "content": "Hello"}]
CHAT = {"model": "gemini-2.5-flash", "messages": HELLO}


def _chat(live: LiveGateway, model: str = "gemini-2.5-flash", stream: bool = False) -> requests.Response:
    response = live.post("/v1/chat/completions", {**CHAT, "model": model, "stream": stream})
    if response.status_code == 200 and not stream:
        assert_chat_completion(response.json())
    elif response.status_code != 200:
        assert_error(response.json())
    return response


def _called(emulator: VertexEmulator) -> list[str]:
    """The credential of each model call, ``refused`` for a key the emulator turned away."""
    return [call.credential_label or "refused" for call in emulator.calls if call.rpc in ("generateContent", "streamGenerateContent")]


def _states(live: LiveGateway) -> dict[str, dict]:
    body = requests.get(live.url + "/", headers={"Accept": "application/json", "Authorization": f"Bearer {API_KEY}"}, timeout=10).json()
    return {entry["credential"]: entry for entry in body["credentials"]}


@pytest.mark.parametrize(
    "reply,env",
    [(Reply.error(429, retry_after=1), {}), (Reply.error(429), {"CREDENTIAL_COOLDOWN": "1"})],
    ids=["retry-after", "credential-cooldown"],
)
def test_a_rate_limited_key_is_skipped_until_its_cooldown_ends(gateway_factory: GatewayFactory, emulator: VertexEmulator, reply: Reply, env: dict[str, str]) -> None:
    live = gateway_factory(service_accounts=False, **env)
    emulator.enqueue(reply, credential="express#0")
    assert _chat(live).status_code == 200
    for _ in range(3):
        assert _chat(live).status_code == 200
    assert _called(emulator) == ["express#0", "express#1", "express#1", "express#1", "express#1"]
    assert _states(live)["express#0"]["last_status"] == 429
    time.sleep(1.05)
    for _ in range(2):
        assert _chat(live).status_code == 200
    assert set(_called(emulator)[-2:]) == {"express#0", "express#1"}


def test_when_every_credential_cools_down_the_client_gets_429_with_retry_after_at_once(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False)
    emulator.always(Reply.error(429, retry_after=30))
    first = _chat(live)
    assert first.status_code == 429 and first.headers["Retry-After"] == "30"
    calls = len(emulator.calls)
    for stream in (False, True):
        started = time.monotonic()
        response = _chat(live, stream=stream)
        assert time.monotonic() - started < 0.5
        assert response.status_code == 429
        assert 28 <= int(response.headers["Retry-After"]) <= 30
        assert response.json()["error"]["type"] == "rate_limit_error"
    assert len(emulator.calls) == calls


def test_a_refused_express_key_rests_long_and_is_reported_once_by_index(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, credentials: Credentials, caplog: pytest.LogCaptureFixture
) -> None:
    live = gateway_factory(service_accounts=False)
    emulator.disable_express_key(credentials.express_keys[0])
    with caplog.at_level(logging.INFO):
        for _ in range(4):
            assert _chat(live).status_code == 200
    assert _called(emulator) == ["refused", "express#1", "express#1", "express#1", "express#1"]
    reports = [r for r in caplog.records if r.levelno == logging.ERROR and "express#0" in r.getMessage()]
    assert len(reports) == 1
    assert "VERTEX_EXPRESS_API_KEY #1" in reports[0].getMessage() and "403" in reports[0].getMessage()
    state = _states(live)["express#0"]
    assert state["last_status"] == 403 and state["cooling_down_for"] > 590


def test_a_service_account_refused_by_the_token_endpoint_fails_over_and_is_named(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, credentials: Credentials, caplog: pytest.LogCaptureFixture
) -> None:
    live = gateway_factory(express=False)
    account = credentials.service_accounts[0]
    emulator.fail_token_requests(account, times=10, status=400, body={"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            assert _chat(live).status_code == 200
    assert _called(emulator) == ["sa#1", "sa#1", "sa#1"]
    reports = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and "sa#0" in r.getMessage()]
    assert len(reports) == 1 and "GOOGLE_CREDENTIALS_JSON entry #1" in reports[0]
    assert _states(live)["sa#0"]["last_status"] == 401


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_plain_names_fall_back_from_express_to_service_accounts(gateway_factory: GatewayFactory, emulator: VertexEmulator, stream: bool) -> None:
    live = gateway_factory(MAX_RETRIES="3")
    emulator.always(Reply.error(503), credential="express#0")
    emulator.always(Reply.error(503), credential="express#1")
    response = _chat(live, stream=stream)
    assert response.status_code == 200
    assert _called(emulator) == ["express#0", "express#1", "sa#0"]


def test_plain_names_fall_back_from_service_accounts_to_express(gateway_factory: GatewayFactory, emulator: VertexEmulator, tmp_path: Path) -> None:
    caps = tmp_path / "caps.json"
    caps.write_text(json.dumps({"models": {"gemini-2.0-flash-001": {"express": False}}}))
    live = gateway_factory(MODEL_CAPABILITIES_FILE=str(caps))
    emulator.always(Reply.error(500), credential="sa#0")
    emulator.always(Reply.error(500), credential="sa#1")
    emulator.always(Reply.unary(payloads.text_response("from express", "gemini-2.0-flash-001")))
    response = _chat(live, model="gemini-2.0-flash-001")
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"] == "from express"
    assert _called(emulator) == ["sa#0", "sa#1", "express#0"]


@pytest.mark.parametrize("model,kind", [("[EXPRESS] gemini-2.5-flash", "express"), ("[PAY]gemini-2.5-flash", "sa")])
def test_a_forced_kind_never_falls_back(gateway_factory: GatewayFactory, emulator: VertexEmulator, model: str, kind: str) -> None:
    live = gateway_factory()
    emulator.always(Reply.error(503))
    assert _chat(live, model=model).status_code == 503
    assert {label.split("#")[0] for label in _called(emulator)} == {kind}


def test_health_shows_each_credential_state_and_no_secret(gateway_factory: GatewayFactory, emulator: VertexEmulator, credentials: Credentials) -> None:
    live = gateway_factory()
    emulator.enqueue(Reply.error(429, retry_after=30), credential="express#0")
    assert _chat(live).status_code == 200
    response = requests.get(live.url + "/", headers={"Accept": "application/json", "Authorization": f"Bearer {API_KEY}"}, timeout=10)
    body = response.json()
    assert body["credentials_cooling_down"] == 1
    assert body["state"] == {"backend": "sqlite", "reachable": True, "fallback_to_memory": False}
    states = {entry["credential"]: entry for entry in body["credentials"]}
    assert set(states) == {"express#0", "express#1", "sa#0", "sa#1"}
    limited = states["express#0"]
    assert (limited["kind"], limited["index"], limited["last_status"]) == ("express", 0, 429)
    assert 28 <= limited["cooling_down_for"] <= 30 and limited["cooling_down_until"].endswith("Z")
    assert (states["express#1"]["last_status"], states["express#1"]["cooling_down_until"]) == (200, None)
    assert states["sa#0"]["last_status"] is None and states["sa#0"]["source"] == "GOOGLE_CREDENTIALS_JSON entry #1"
    for secret in credentials.secrets():
        assert secret not in response.text
