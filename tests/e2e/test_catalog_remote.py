"""``MODELS_CONFIG_URL``: the older tool's remote model list, served by a local test HTTP server.

The list is fetched in the background with a timeout and cached for ``MODELS_CONFIG_TTL``; a
failed fetch keeps the last good list, and neither a failing nor a slow server ever blocks or
fails a request.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from tests.conftest import GatewayFactory, LiveGateway
from tests.support.openai_schema import assert_chat_completion, assert_model_list

REMOTE = {"vertex_models": ["gemini-2.5-pro", "my-tuned-model"], "vertex_express_models": ["gemini-2.5-flash"]}
NEWER = {"vertex_models": ["gemini-3-flash-preview"], "vertex_express_models": ["gemini-3-flash-preview"]}
HELLO = [{"role": "user", "content": "Hello"}]
SECRET = "cfg-token-5e1b"


@dataclass
class ConfigServer:
    """A local HTTP server whose answer (body, status, delay) the test changes at will."""

    body: bytes = b""
    status: int = 200
    delay: float = 0.0
    hits: int = 0
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def serve(self, payload: Any, *, status: int = 200, delay: float = 0.0) -> None:
        with self._lock:
            self.body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.status, self.delay = status, delay

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with self._lock:
            self.hits += 1
            body, status, delay = self.body, self.status, self.delay
        if delay:
            time.sleep(delay)
        return Response(body, status=status, mimetype="application/json")(environ, start_response)


@pytest.fixture
def config_server() -> Iterator[ConfigServer]:
    server = ConfigServer()
    httpd = make_server("127.0.0.1", 0, server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{httpd.server_port}/models.json?token={SECRET}"
    yield server
    httpd.shutdown()
    httpd.server_close()


def model_ids(live: LiveGateway) -> set[str]:
    started = time.monotonic()
    response = live.get("/v1/models")
    assert time.monotonic() - started < 0.5, "listing models waited for the remote list"
    assert response.status_code == 200
    body = response.json()
    assert_model_list(body)
    return {model["id"] for model in body["data"]}


def wait_for_ids(live: LiveGateway, predicate: Callable[[set[str]], bool], timeout: float = 3.0) -> set[str]:
    deadline = time.monotonic() + timeout
    while True:
        ids = model_ids(live)
        if predicate(ids) or time.monotonic() > deadline:
            return ids
        time.sleep(0.02)


def remote_gateway(factory: GatewayFactory, server: ConfigServer, ttl: str = "300") -> LiveGateway:
    return factory(MODELS_CONFIG_URL=server.url, MODELS_CONFIG_TTL=ttl)


def test_remote_list_replaces_the_shipped_one(gateway_factory: GatewayFactory, config_server: ConfigServer) -> None:
    config_server.serve(REMOTE)
    live = remote_gateway(gateway_factory, config_server)
    ids = wait_for_ids(live, lambda ids: "[PAY]my-tuned-model" in ids)
    assert {"[PAY]gemini-2.5-pro", "[PAY]gemini-2.5-pro-max", "[PAY]my-tuned-model", "[EXPRESS] gemini-2.5-flash",
            "gemini-2.5-flash-search", "gemini-2.5-pro-openai"} <= ids
    assert not {"[PAY]gemini-3-pro-preview", "[EXPRESS] gemini-2.5-pro", "[PAY]my-tuned-model-search"} & ids
    assert live.client.models.retrieve("[PAY]my-tuned-model").id == "[PAY]my-tuned-model"


def test_list_refreshes_after_the_ttl(gateway_factory: GatewayFactory, config_server: ConfigServer) -> None:
    config_server.serve(REMOTE)
    live = remote_gateway(gateway_factory, config_server, ttl="0.3")
    assert "[PAY]my-tuned-model" in wait_for_ids(live, lambda ids: "[PAY]my-tuned-model" in ids)
    config_server.serve(NEWER)
    ids = wait_for_ids(live, lambda ids: "[EXPRESS] gemini-3-flash-preview" in ids)
    assert "[EXPRESS] gemini-3-flash-preview" in ids and "[PAY]my-tuned-model" not in ids
    assert config_server.hits >= 2


def test_cached_within_the_ttl(gateway_factory: GatewayFactory, config_server: ConfigServer) -> None:
    config_server.serve(REMOTE)
    live = remote_gateway(gateway_factory, config_server)
    wait_for_ids(live, lambda ids: "[PAY]my-tuned-model" in ids)
    hits = config_server.hits
    for _ in range(5):
        model_ids(live)
    assert config_server.hits == hits == 1


@pytest.mark.parametrize(
    "failure",
    [
        {"payload": {"error": "boom"}, "status": 500},
        {"payload": b"<html>not json</html>"},
        {"payload": {"vertex_models": "gemini-2.5-pro"}},
        {"payload": ["gemini-2.5-pro"]},
    ],
    ids=["http-500", "not-json", "wrong-shape", "not-an-object"],
)
def test_failed_fetch_keeps_the_last_good_list(
    gateway_factory: GatewayFactory, config_server: ConfigServer, caplog: pytest.LogCaptureFixture, failure: dict[str, Any]
) -> None:
    config_server.serve(REMOTE)
    live = remote_gateway(gateway_factory, config_server, ttl="0.2")
    good = wait_for_ids(live, lambda ids: "[PAY]my-tuned-model" in ids)
    caplog.set_level(logging.WARNING, logger="adapter.upstream.remote_models")
    config_server.serve(failure["payload"], status=failure.get("status", 200))
    hits = config_server.hits
    deadline = time.monotonic() + 3
    while config_server.hits < hits + 2 and time.monotonic() < deadline:
        assert model_ids(live) == good
        time.sleep(0.05)
    assert config_server.hits >= hits + 2, "the failed fetch was not retried after the TTL"
    assert model_ids(live) == good
    assert any("keeping the last good model list" in r.getMessage() for r in caplog.records)
    assert SECRET not in caplog.text


def test_failure_before_any_success_uses_the_shipped_list(gateway_factory: GatewayFactory, config_server: ConfigServer) -> None:
    config_server.serve({"error": "down"}, status=503)
    live = remote_gateway(gateway_factory, config_server)
    shipped = model_ids(gateway_factory())
    deadline = time.monotonic() + 2
    while config_server.hits == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert config_server.hits >= 1
    assert model_ids(live) == shipped
    completion = live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    assert_chat_completion(completion.model_dump(exclude_unset=True))


def test_slow_fetch_never_blocks_a_request(gateway_factory: GatewayFactory, config_server: ConfigServer) -> None:
    config_server.serve(REMOTE, delay=1.0)
    live = remote_gateway(gateway_factory, config_server)
    shipped = model_ids(gateway_factory())
    started = time.monotonic()
    assert model_ids(live) == shipped
    completion = live.client.chat.completions.create(model="[PAY]gemini-2.5-pro", messages=HELLO)
    assert_chat_completion(completion.model_dump(exclude_unset=True))
    stream = live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO, stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert time.monotonic() - started < 0.8
    assert "[PAY]my-tuned-model" in wait_for_ids(live, lambda ids: "[PAY]my-tuned-model" in ids)


ORDERS = [
    ("chat: named by the remote list for service accounts only", "/v1/chat/completions", {"model": "gemini-2.5-pro", "messages": HELLO}, ["sa", "express"]),
    ("chat: named by the remote list for Express", "/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": HELLO}, ["express", "sa"]),
    ("chat: not named, Express in the table", "/v1/chat/completions", {"model": "gemini-3-flash-preview", "messages": HELLO}, ["express", "sa"]),
    ("embeddings: not named, Express in the table", "/v1/embeddings", {"model": "gemini-embedding-001", "input": "hi"}, ["express", "sa"]),
    ("embeddings: not named, not Express in the table", "/v1/embeddings", {"model": "text-embedding-005", "input": "hi"}, ["sa", "express"]),
]


@pytest.mark.parametrize(("path", "body", "order"), [row[1:] for row in ORDERS], ids=[row[0] for row in ORDERS])
def test_one_express_first_policy_for_every_front_door(gateway_factory: GatewayFactory, config_server: ConfigServer, path: str, body: dict[str, Any], order: list[str]) -> None:
    config_server.serve(REMOTE)
    live = remote_gateway(gateway_factory, config_server)
    wait_for_ids(live, lambda ids: "[PAY]my-tuned-model" in ids)
    response = live.post(path, body, headers={"X-Dry-Run": "1"})
    assert response.status_code == 200, response.text
    assert response.json()["credential_order"] == order
