"""Failures of the gateway's own credentials never look like the client's: a service account
whose token grant Google refuses, a failing token endpoint, an Express key Google refuses, and
credentials that could not be loaded. The client gets a 502/503 naming the credential's label
and Google's reason (never a key), the call fails over (Express keys to service accounts too),
cooldowns say why a credential rests, and GET / says degraded when a credential failed to load."""

from __future__ import annotations

import json
import logging
from typing import Any

import openai
import pytest
import requests

from tests.conftest import API_KEY, Credentials, GatewayFactory, LiveGateway
from tests.emulator import VertexEmulator
from tests.support.openai_schema import assert_error

CHAT = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hello"}]}
INVALID_GRANT = {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}


def _health(live: LiveGateway, *, key: bool = True) -> dict[str, Any]:
    headers = {"Accept": "application/json", **({"Authorization": f"Bearer {API_KEY}"} if key else {})}
    return requests.get(live.url + "/", headers=headers, timeout=10).json()


def _states(live: LiveGateway) -> dict[str, dict[str, Any]]:
    return {entry["credential"]: entry for entry in _health(live)["credentials"]}


def _error(response: requests.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text[:300]
    body = response.json()
    assert_error(body)
    assert (body["error"]["type"], body["error"]["code"]) == ("api_error", code)
    return str(body["error"]["message"])


def test_refused_token_grants_are_a_502_naming_the_credential_and_googles_reason(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, credentials: Credentials, caplog: pytest.LogCaptureFixture
) -> None:
    live = gateway_factory(express=False)
    for account in credentials.service_accounts:
        emulator.fail_token_requests(account, times=10, status=400, body=INVALID_GRANT)
    with caplog.at_level(logging.INFO):
        message = _error(live.post("/v1/chat/completions", CHAT), 502, "upstream_auth_failed")
    assert "invalid_grant: Invalid JWT Signature" in message and "sa#1" in message
    assert "not the API key you sent" in message
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "sa#0" in logged and "sa#1" in logged and "invalid_grant" in logged
    assert not any(secret in logged + message for secret in credentials.secrets())


def test_the_sdk_does_not_see_an_authentication_error_for_the_gateways_credential(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, credentials: Credentials
) -> None:
    live = gateway_factory(express=False)
    for account in credentials.service_accounts:
        emulator.fail_token_requests(account, times=10, status=400, body=INVALID_GRANT)
    with pytest.raises(openai.InternalServerError) as caught:
        live.client.chat.completions.create(model="gemini-2.5-flash", messages=CHAT["messages"])
    assert not isinstance(caught.value, openai.AuthenticationError)


def test_credentials_resting_after_auth_failures_say_so_not_rate_limits(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, credentials: Credentials
) -> None:
    live = gateway_factory(express=False)
    for account in credentials.service_accounts:
        emulator.fail_token_requests(account, times=10, status=400, body=INVALID_GRANT)
    live.post("/v1/chat/completions", CHAT)
    response = live.post("/v1/chat/completions", CHAT)
    message = _error(response, 503, "upstream_auth_failed")
    assert "rate limit" not in message
    assert "sa#0 refused by Google (invalid_grant: Invalid JWT Signature)" in message
    assert int(response.headers["Retry-After"]) > 590
    state = _states(live)["sa#0"]
    assert (state["cooling_reason"], state["last_status"]) == ("auth_failure", 401)
    assert "invalid_grant" in state["last_failure"]
    page = requests.get(live.url + "/", headers={"Accept": "text/html", "Authorization": f"Bearer {API_KEY}"}, timeout=10).text
    assert "auth failure" in page and "invalid_grant: Invalid JWT Signature" in page


def test_a_failing_token_endpoint_is_a_503_and_a_short_cooldown(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, credentials: Credentials
) -> None:
    account = credentials.service_accounts[0]
    live = gateway_factory(express=False, GOOGLE_CREDENTIALS_JSON=json.dumps(account.info))
    emulator.fail_token_requests(account, times=3, status=503, body={"error": "temporarily_unavailable", "error_description": "Backend Error"})
    message = _error(live.post("/v1/chat/completions", CHAT), 503, "upstream_token_error")
    assert "sa#0" in message and "temporarily_unavailable" in message
    state = _states(live)["sa#0"]
    assert state["cooling_reason"] == "token_error" and 0 < state["cooling_down_for"] <= 5
    resting = _error(live.post("/v1/chat/completions", CHAT), 503, "upstream_token_error")
    assert "token endpoint failing" in resting


@pytest.mark.parametrize("refusal", ["invalid", "disabled"])
def test_an_express_key_google_refuses_fails_over_to_service_accounts(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, credentials: Credentials, refusal: str
) -> None:
    key = "AQ.Ab8RN6-not-a-registered-key" if refusal == "invalid" else credentials.express_keys[0]
    if refusal == "disabled":
        emulator.disable_express_key(key)
    live = gateway_factory(VERTEX_EXPRESS_API_KEY=key)
    for _ in range(2):
        response = live.post("/v1/chat/completions", CHAT)
        assert response.status_code == 200, response.text[:300]
    served = [call.credential_label for call in emulator.calls if call.rpc == "generateContent" and call.outcome == "ok"]
    assert served and all(label.startswith("sa#") for label in served)
    state = _states(live)["express#0"]
    assert state["cooling_reason"] == "auth_failure" and state["last_status"] in (400, 403)
    assert key not in json.dumps(_health(live))


def test_a_credential_that_failed_to_load_makes_health_degraded(gateway_factory: GatewayFactory, credentials: Credentials) -> None:
    broken = {**credentials.service_accounts[1].info, "private_key": "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"}
    live = gateway_factory(express=False, GOOGLE_CREDENTIALS_JSON=json.dumps(credentials.service_accounts[0].info) + "," + json.dumps(broken))
    assert _health(live, key=False) == {"status": "degraded"}
    page = requests.get(live.url + "/", headers={"Accept": "text/html"}, timeout=10).text
    assert "some configured credentials could not be loaded" in page and "unreadable private key" not in page
    health = _health(live)
    assert health["status"] == "degraded"
    assert health["rejected_credentials"] == ["GOOGLE_CREDENTIALS_JSON entry #2 holds an unreadable private key"]
    assert live.post("/v1/chat/completions", CHAT).status_code == 200


def test_when_no_configured_credential_loaded_the_503_says_why(gateway_factory: GatewayFactory, credentials: Credentials) -> None:
    broken = {**credentials.service_accounts[0].info, "private_key": "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"}
    live = gateway_factory(express=False, GOOGLE_CREDENTIALS_JSON=json.dumps(broken))
    response = live.post("/v1/chat/completions", CHAT)
    assert response.status_code == 503
    body = response.json()
    assert_error(body)
    assert body["error"]["code"] == "credentials_rejected"
    assert "rejected at start-up: GOOGLE_CREDENTIALS_JSON entry #1 holds an unreadable private key" in body["error"]["message"]
    assert _health(live, key=False) == {"status": "degraded"}
