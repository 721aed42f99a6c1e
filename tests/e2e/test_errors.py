"""Errors in OpenAI's shape: client mistakes, authentication, and upstream errors keeping their
meaning, before and after a stream has started."""

from __future__ import annotations

import openai
import pytest
import requests

from tests.conftest import API_KEY, GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator, payloads
from tests.support.openai_schema import assert_error

HELLO = [{"role": "user", "content": "Hello"}]
CHAT = {"model": "gemini-2.5-flash", "messages": HELLO}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-key"}, {"Authorization": "Basic " + API_KEY}, {"Authorization": "Bearer"}, {"x-api-key": "wrong-key"}],
)
@pytest.mark.parametrize("method,path", [("POST", "/v1/chat/completions"), ("GET", "/v1/models"), ("GET", "/v1/models/gemini-2.5-flash")])
def test_every_v1_route_needs_the_api_key(gateway: LiveGateway, emulator: VertexEmulator, headers: dict[str, str], method: str, path: str) -> None:
    response = requests.request(method, gateway.url + path, json=CHAT, headers=headers, timeout=10)
    assert response.status_code == 401
    body = response.json()
    assert_error(body)
    assert body["error"]["type"] == "authentication_error"
    assert emulator.calls == []


@pytest.mark.parametrize("headers", [{"Authorization": f"Bearer {API_KEY}"}, {"x-api-key": API_KEY}], ids=["bearer", "x-api-key"])
def test_the_key_is_taken_as_a_bearer_token_or_an_x_api_key_header(gateway: LiveGateway, headers: dict[str, str]) -> None:
    assert requests.get(gateway.url + "/v1/models", headers=headers, timeout=10).status_code == 200


def test_sdk_sees_authentication_error(gateway: LiveGateway) -> None:
    bad = openai.OpenAI(base_url=gateway.url + "/v1", api_key="nope", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)


@pytest.mark.parametrize(
    "body,param",
    [
        ({"messages": HELLO}, "model"),
        ({"model": "gemini-2.5-flash"}, "messages"),
        ({"model": "gemini-2.5-flash", "messages": HELLO, "temperature": 5}, "temperature"),
        ({"model": "gemini-2.5-flash", "messages": [{"role": "wizard", "content": "x"}]}, "messages[0].role"),
        ({"model": "gemini-2.5-flash", "messages": HELLO, "logit_bias": {"50256": -100}}, "logit_bias"),
        ({"model": "gemini-2.5-flash", "messages": [{"role": "tool", "content": "x"}]}, "messages[0].tool_call_id"),
        ({"model": "gemini-2.5-flash-search-search", "messages": HELLO}, "model"),
        ({"model": "gemini-2.0-flash-001-nothinking", "messages": HELLO}, "model"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(gateway: LiveGateway, emulator: VertexEmulator, body: dict, param: str) -> None:
    response = gateway.post("/v1/chat/completions", body)
    assert response.status_code == 400
    error = response.json()
    assert_error(error)
    assert error["error"]["type"] == "invalid_request_error"
    assert error["error"]["param"] == param
    assert emulator.calls == []


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'{"model": '])
def test_unparseable_bodies(gateway: LiveGateway, raw: bytes) -> None:
    response = requests.post(gateway.url + "/v1/chat/completions", data=raw, headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400
    assert_error(response.json())


def test_unknown_path_and_method(gateway: LiveGateway) -> None:
    missing = gateway.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert_error(missing.json())
    assert missing.json()["error"]["code"] == "unknown_url"
    wrong = gateway.get("/v1/chat/completions")
    assert wrong.status_code == 405
    assert_error(wrong.json())
    assert wrong.json()["error"]["type"] == "invalid_request_error"
    assert wrong.json()["error"]["code"] == "method_not_allowed"
    assert "POST" in wrong.headers["Allow"].split(", ")


@pytest.mark.parametrize(
    "status,client_status,error_type,sdk_error",
    [
        (400, 400, "invalid_request_error", openai.BadRequestError),
        (401, 502, "api_error", openai.InternalServerError),
        (403, 502, "api_error", openai.InternalServerError),
        (404, 404, "not_found_error", openai.NotFoundError),
        (429, 429, "rate_limit_error", openai.RateLimitError),
        (500, 502, "api_error", openai.InternalServerError),
        (503, 503, "api_error", openai.InternalServerError),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_upstream_errors_keep_their_meaning(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, status: int, client_status: int, error_type: str, sdk_error: type, stream: bool
) -> None:
    live = gateway_factory(service_accounts=False, MAX_RETRIES="0")
    emulator.enqueue(Reply.error(status))
    response = live.post("/v1/chat/completions", {**CHAT, "stream": stream})
    assert response.status_code == client_status
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert_error(body)
    assert body["error"]["type"] == error_type
    google_message = emulator.calls_for(outcome="scripted_error")[0].error_message
    if status in (401, 403):  # Google refused the gateway's credential: never the client's auth failure
        assert body["error"]["code"] == "upstream_auth_failed" and "express#0" in body["error"]["message"]
        assert google_message.rstrip(".") in body["error"]["message"]
    else:
        assert body["error"]["message"] == google_message
    emulator.enqueue(Reply.error(status))
    with pytest.raises(sdk_error):
        if stream:
            list(live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO, stream=True))
        else:
            live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)


def test_unknown_model_gets_vertex_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gemini-9.9-ultra", messages=HELLO)
    assert "gemini-9.9-ultra" in caught.value.message


def test_failure_after_the_stream_started_is_an_error_event(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False, MAX_RETRIES="0")
    events = payloads.to_stream_events(payloads.text_response("a b c d e f", "gemini-2.5-flash"))
    emulator.enqueue(Reply.stream(events).error_after(2, status=429))
    response = live.post("/v1/chat/completions", {**CHAT, "stream": True}, stream=True)
    assert response.status_code == 200
    frames = [f for f in response.content.decode().split("\n\n") if f]
    assert frames[-1] == "data: [DONE]"
    error = __import__("json").loads(frames[-2][len("data: "):])
    assert_error(error)
    assert error["error"]["type"] == "rate_limit_error"
    emulator.enqueue(Reply.stream(events).error_after(2, status=500))
    with pytest.raises(openai.APIError):
        list(live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO, stream=True))


def test_connection_cut_mid_stream_is_an_error_event(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False, MAX_RETRIES="0")
    events = payloads.to_stream_events(payloads.text_response("a b c d e f", "gemini-2.5-flash"))
    emulator.enqueue(Reply.stream(events).cut_after(2))
    frames = [f for f in live.post("/v1/chat/completions", {**CHAT, "stream": True}).content.decode().split("\n\n") if f]
    assert frames[-1] == "data: [DONE]"
    assert '"error"' in frames[-2]


def test_client_disconnect_closes_the_upstream_stream(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    events = payloads.to_stream_events(payloads.text_response(" ".join(f"w{i}" for i in range(60)), "gemini-2.5-flash"))
    emulator.enqueue(Reply.stream(events).between(0.05))
    response = gateway.post("/v1/chat/completions", {**CHAT, "stream": True}, stream=True)
    lines = response.iter_lines()
    next(lines)
    response.close()
    assert emulator.wait_until(lambda: emulator.streams()[-1].outcome != "open", 3)
    record = emulator.streams()[-1]
    assert record.outcome == "client_disconnected"
    assert record.events_sent < len(events)


def test_no_credentials_for_the_route_says_what_to_configure(gateway_factory: GatewayFactory) -> None:
    live = gateway_factory(express=False)
    response = live.post("/v1/chat/completions", {**CHAT, "model": "[EXPRESS] gemini-2.5-flash"})
    assert response.status_code == 503
    assert_error(response.json())
    assert "VERTEX_EXPRESS_API_KEY" in response.json()["error"]["message"]
    live = gateway_factory(service_accounts=False)
    response = live.post("/v1/chat/completions", {**CHAT, "model": "[PAY]gemini-2.5-flash"})
    assert response.status_code == 503
    assert "GOOGLE_CREDENTIALS_JSON" in response.json()["error"]["message"]


def test_health_needs_no_key_and_shows_only_the_status_without_it(gateway: LiveGateway) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong-key"}):
        response = requests.get(gateway.url + "/", headers=headers, timeout=10)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("header", ["Authorization", "x-api-key"])
def test_health_with_the_key_shows_counts_and_states_but_no_secret(gateway: LiveGateway, credentials, header: str) -> None:
    value = f"Bearer {API_KEY}" if header == "Authorization" else API_KEY
    response = requests.get(gateway.url + "/", headers={header: value}, timeout=10)
    body = response.json()
    assert body["status"] == "ok"
    assert (body["express_keys"], body["service_accounts"]) == (2, 2)
    assert {entry["credential"] for entry in body["credentials"]} == {"express#0", "express#1", "sa#0", "sa#1"}
    text = response.text
    for secret in credentials.secrets():
        assert secret not in text
