"""The request-body cap: a body over ``MAX_REQUEST_BYTES`` is a 413 in OpenAI's shape, refused
before it is parsed (and before Vertex is called), whether its length is declared or chunked."""

from __future__ import annotations

import json
from typing import Iterator

import pytest
import requests

from tests.conftest import API_KEY, GatewayFactory, LiveGateway
from tests.emulator import VertexEmulator
from tests.support.openai_schema import assert_chat_completion, assert_error

LIMIT = 4000
HEADERS = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}


def _body(size: int) -> bytes:
    """A valid chat request of about ``size`` bytes."""
    base = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": ""}]}
    filler = "x" * max(0, size - len(json.dumps(base)))
    return json.dumps({**base, "messages": [{"role": "user", "content": filler}]}).encode()


def _chunked(data: bytes, piece: int = 512) -> Iterator[bytes]:
    for start in range(0, len(data), piece):
        yield data[start:start + piece]


@pytest.fixture
def live(gateway_factory: GatewayFactory) -> LiveGateway:
    return gateway_factory(service_accounts=False, MAX_REQUEST_BYTES=str(LIMIT))


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("size", [LIMIT + 1, 4 * LIMIT])
def test_a_body_over_the_cap_is_a_413_before_anything_else(live: LiveGateway, emulator: VertexEmulator, chunked: bool, size: int) -> None:
    data = _body(size)
    response = requests.post(live.url + "/v1/chat/completions", data=_chunked(data) if chunked else data, headers=HEADERS, timeout=10)
    assert response.status_code == 413
    body = response.json()
    assert_error(body)
    assert body["error"]["type"] == "invalid_request_error" and body["error"]["code"] == "request_too_large"
    assert "MAX_REQUEST_BYTES" in body["error"]["message"]
    assert emulator.calls == []


def test_an_oversized_body_that_is_not_even_json_is_still_a_413(live: LiveGateway, emulator: VertexEmulator) -> None:
    response = requests.post(live.url + "/v1/chat/completions", data=_chunked(b"{" * (2 * LIMIT)), headers=HEADERS, timeout=10)
    assert response.status_code == 413
    assert_error(response.json())


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_at_the_cap_is_served(live: LiveGateway, emulator: VertexEmulator, chunked: bool) -> None:
    data = _body(LIMIT)
    assert len(data) == LIMIT
    response = requests.post(live.url + "/v1/chat/completions", data=_chunked(data) if chunked else data, headers=HEADERS, timeout=10)
    assert response.status_code == 200
    assert_chat_completion(response.json())
