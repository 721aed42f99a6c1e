"""Model names are checked once, before anything reads them: a name that could change the
Vertex URL (a method, a query, a path) or a response header is a 400 naming ``model``, and
nothing reaches Vertex."""

from __future__ import annotations

import pytest

from tests.conftest import LiveGateway
from tests.emulator import VertexEmulator
from tests.support.openai_schema import assert_error

HELLO = [{"role": "user", "content": "Hello"}]
HOSTILE_NAMES = [
    "gemini-2.5-flash:countTokens?x=",
    "gemini-2.5-flash#x",
    "../../../../foo",
    "gemini-2.5-flash%2F..%2Fx",
    "gemini//2.5",
    "gemini-2.5-flash/x",
    "gemini-2.5-flash\r\nX-Injected: 1",
    "gemini-2.5-flash\n",
    "gémini-2.5-flash",
    "gemini 2.5 flash",
    "[ADMIN]gemini-2.5-flash",
    "g" * 129,
    "g" * 100_000,
]
ROUTES = [
    ("/v1/chat/completions", {"messages": HELLO}),
    ("/v1/embeddings", {"input": "hello"}),
    ("/v1/responses", {"input": "Hello"}),
    ("/v1/responses/input_tokens", {"input": "Hello"}),
]


@pytest.mark.parametrize("path,body", ROUTES, ids=["chat", "embeddings", "responses", "responses-input-tokens"])
@pytest.mark.parametrize("model", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_a_model_name_outside_the_rule_is_a_400_naming_model(
    gateway: LiveGateway, emulator: VertexEmulator, path: str, body: dict, model: str
) -> None:
    response = gateway.post(path, {"model": model, **body})
    assert response.status_code == 400
    error = response.json()
    assert_error(error)
    assert (error["error"]["param"], error["error"]["code"]) == ("model", "invalid_model")
    assert "letters, digits" in error["error"]["message"]
    assert emulator.calls == []


@pytest.mark.parametrize(
    "model",
    ["gemini-2.5-flash", "[PAY] gemini-2.5-flash", "[express]gemini-2.5-flash-nothinking", "gemini-2.0-flash-001", "gemini-2.5-flash-search"],
)
def test_documented_names_still_pass(gateway: LiveGateway, model: str) -> None:
    response = gateway.post("/v1/chat/completions", {"model": model, "messages": HELLO})
    assert response.status_code == 200, response.text
