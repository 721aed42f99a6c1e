"""The remote model list (``MODELS_CONFIG_URL``): shape checks, TTL, and failures that must never
leave the list stuck or break a request (a fake session and clock; no network)."""

from __future__ import annotations

import json
import threading
from typing import Any, Callable

import pytest
import requests
import urllib3

from adapter.routing.catalog import ModelLists
from adapter.upstream.remote_models import RETRY_AFTER_FAILURE, RemoteModelList, parse_model_config

GOOD = {"vertex_models": ["gemini-2.5-pro", " my-model ", "gemini-2.5-pro"], "vertex_express_models": ["gemini-2.5-flash"]}


@pytest.mark.parametrize(
    "data,expected",
    [
        (GOOD, ModelLists(service_account=("gemini-2.5-pro", "my-model"), express=("gemini-2.5-flash",))),
        ({"vertex_models": ["a"]}, ModelLists(service_account=("a",), express=())),
        ({}, ModelLists(service_account=(), express=())),
        ({"vertex_models": ["a"], "other_key": 1}, ModelLists(service_account=("a",), express=())),
    ],
)
def test_accepts_the_older_tools_shape(data: Any, expected: ModelLists) -> None:
    assert parse_model_config(data) == expected


@pytest.mark.parametrize(
    "data",
    [["a"], "text", None, {"vertex_models": "a"}, {"vertex_models": [1]}, {"vertex_models": [""]}, {"vertex_express_models": [None]}],
)
def test_refuses_anything_else(data: Any) -> None:
    with pytest.raises(ValueError):
        parse_model_config(data)


class FakeRaw:
    def __init__(self, body: bytes, error: Exception | None) -> None:
        self.body, self.error = body, error

    def read(self, amount: int, decode_content: bool = True) -> bytes:
        if self.error is not None:
            raise self.error
        return self.body[:amount]


class FakeResponse:
    def __init__(self, status: int, body: bytes, error: Exception | None) -> None:
        self.status_code, self.raw = status, FakeRaw(body, error)

    def __enter__(self) -> "FakeResponse":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise requests.HTTPError(f"{self.status_code}")


class FakeSession:
    """Answers with whatever the test set last; counts calls."""

    def __init__(self) -> None:
        self.answer: Callable[[], FakeResponse] = lambda: FakeResponse(200, json.dumps(GOOD).encode(), None)
        self.calls = 0

    def get(self, url: str, *, timeout: Any, stream: bool) -> FakeResponse:
        self.calls += 1
        return self.answer()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def remote(session: FakeSession, clock: Clock, ttl: float = 60.0) -> RemoteModelList:
    return RemoteModelList("https://config.example/models.json", ttl, session=session, clock=clock)  # type: ignore[arg-type]


def settle() -> None:
    for thread in threading.enumerate():
        if thread.name == "models-config":
            thread.join(2)


def test_first_call_returns_at_once_and_fetches_in_the_background() -> None:
    session, clock = FakeSession(), Clock()
    models = remote(session, clock)
    assert models.current() is None
    settle()
    assert models.current() == parse_model_config(GOOD)
    assert session.calls == 1


def test_cached_for_the_ttl_then_refreshed() -> None:
    session, clock = FakeSession(), Clock()
    models = remote(session, clock, ttl=60)
    models.refresh_now()
    clock.now += 59
    models.current()
    settle()
    assert session.calls == 1
    session.answer = lambda: FakeResponse(200, b'{"vertex_models": ["newer"]}', None)
    clock.now += 2
    assert models.current() == parse_model_config(GOOD)
    settle()
    assert models.current() == ModelLists(service_account=("newer",), express=())
    assert session.calls == 2


@pytest.mark.parametrize(
    "failure",
    [
        lambda: FakeResponse(503, b"", None),
        lambda: FakeResponse(200, b"not json", None),
        lambda: FakeResponse(200, b"[]", None),
        lambda: FakeResponse(200, b"x" * (1024 * 1024 + 10), None),
        lambda: FakeResponse(200, b"", urllib3.exceptions.ProtocolError("connection broken")),
        lambda: FakeResponse(200, b"", urllib3.exceptions.ReadTimeoutError(None, "/", "read timed out")),  # type: ignore[arg-type]
        lambda: FakeResponse(200, b"\xff\xfe not utf-8", None),
    ],
    ids=["503", "not-json", "wrong-shape", "too-large", "connection-broken", "read-timeout", "bad-bytes"],
)
def test_failure_keeps_the_last_good_list_and_retries_later(failure: Callable[[], FakeResponse]) -> None:
    session, clock = FakeSession(), Clock()
    models = remote(session, clock, ttl=300)
    models.refresh_now()
    good = models.current()
    session.answer = failure
    clock.now += 301
    assert models.current() == good
    settle()
    assert models.current() == good and session.calls == 2
    clock.now += RETRY_AFTER_FAILURE - 1
    models.current()
    settle()
    assert session.calls == 2, "a failed fetch is retried only after a pause"
    session.answer = lambda: FakeResponse(200, b'{"vertex_models": ["back"]}', None)
    clock.now += 2
    models.current()
    settle()
    assert models.current() == ModelLists(service_account=("back",), express=())
    assert session.calls == 3


def test_a_short_ttl_bounds_the_retry_pause() -> None:
    session, clock = FakeSession(), Clock()
    session.answer = lambda: FakeResponse(500, b"", None)
    models = remote(session, clock, ttl=2)
    models.refresh_now()
    assert models.current() is None
    settle()
    clock.now += 2.1
    models.current()
    settle()
    assert session.calls >= 2
