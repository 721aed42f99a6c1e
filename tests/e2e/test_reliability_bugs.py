"""A bug in translation is the gateway's fault: a 500 ``internal_error`` (or, once a stream has
started, an ``internal_error`` event) with its traceback in the log under the request id, never
a 502 that blames Vertex.

Vertex (the emulator) answers normally, with answers that keep Google's shapes. The bug comes
from a translation hook: a test route sends the real chat plan through the real pipeline with a
translator that fails like a bug would (a missing key), which is what the pipeline's
``translate`` and ``new_translator`` parameters are for.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Response, request

from adapter.calls.chat import ChatAnswer, chat_plan
from adapter.calls.execute import complete, stream
from adapter.errors import AdapterError
from adapter.gateway import current_gateway
from adapter.http import json_response
from adapter.log import RequestIdFilter
from adapter.schemas.chat import CHAT_REQUEST_SCHEMA
from adapter.validation import load_body
from tests.conftest import GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator
from tests.support.openai_schema import assert_error
from tests.support.sse_frames import checked, read_frames, text_of

CHAT = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hello"}]}
HELLO = {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hello "}]}}]}
DONE = {"candidates": [{"content": {"role": "model", "parts": [{"text": "there"}]}, "finishReason": "STOP"}]}
BUG = "'no_such_field'"


class BuggyChunks:
    """The chat translator, with a bug that shows on the ``fail_on``-th event."""

    def __init__(self, answer: ChatAnswer, fail_on: int) -> None:
        self.inner, self.fail_on, self.fed = answer.chunks(), fail_on, 0

    def feed(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        self.fed += 1
        chunks = self.inner.feed(event)
        return [chunk["no_such_field"] for chunk in chunks] if self.fed == self.fail_on else chunks

    def finish(self) -> list[dict[str, Any]]:
        return self.inner.finish()

    def fail(self, error: AdapterError) -> list[dict[str, Any]]:
        return self.inner.fail(error)


def _buggy_chat() -> Response:
    gateway = current_gateway()
    body = load_body(CHAT_REQUEST_SCHEMA, request.get_json())
    plan = chat_plan(gateway, body)
    answer = ChatAnswer.for_request(body, plan)
    if plan.stream:
        fail_on = int(request.args["fail_on"])
        return stream(gateway, plan, lambda: BuggyChunks(answer, fail_on), answer.wire())
    completion, _ = complete(gateway, plan, lambda upstream: answer.completion(upstream)["no_such_field"])
    return json_response(completion)


@pytest.fixture
def buggy(gateway_factory: GatewayFactory, caplog: pytest.LogCaptureFixture) -> LiveGateway:
    live = gateway_factory()
    live.app.add_url_rule("/test/buggy-chat", view_func=_buggy_chat, methods=["POST"])
    caplog.handler.addFilter(RequestIdFilter())  # as the gateway's own log handler does
    caplog.set_level(logging.INFO)
    return live


def _traceback_logged(caplog: pytest.LogCaptureFixture, request_id: str) -> None:
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info and getattr(r, "request_id", None) == request_id]
    assert failures, "no error with a traceback was logged under the request id"
    assert "KeyError" in failures[0].exc_text and BUG in failures[0].exc_text
    assert not any("upstream_bad_answer" in r.getMessage() for r in caplog.records)


def test_a_bug_in_whole_answer_translation_is_a_500_with_the_traceback_logged(buggy: LiveGateway, emulator: VertexEmulator, caplog: pytest.LogCaptureFixture) -> None:
    emulator.enqueue(Reply("unary", body=DONE))
    response = buggy.post("/test/buggy-chat", CHAT)
    assert response.status_code == 500, response.text
    assert_error(response.json())
    assert response.json()["error"]["code"] == "internal_error" and BUG not in response.text
    assert len(emulator.calls) == 1  # a bug is not an upstream failure: no failover
    _traceback_logged(caplog, response.headers["X-Request-ID"])


def test_a_bug_on_the_first_stream_event_is_a_500_before_the_stream_starts(buggy: LiveGateway, emulator: VertexEmulator, caplog: pytest.LogCaptureFixture) -> None:
    emulator.enqueue(Reply("stream", events=(HELLO, DONE)))
    response = buggy.post("/test/buggy-chat?fail_on=1", {**CHAT, "stream": True})
    assert response.status_code == 500, response.text
    assert_error(response.json())
    assert response.json()["error"]["code"] == "internal_error"
    _traceback_logged(caplog, response.headers["X-Request-ID"])


def test_a_bug_on_a_later_stream_event_ends_the_stream_with_an_internal_error_event(buggy: LiveGateway, emulator: VertexEmulator, caplog: pytest.LogCaptureFixture) -> None:
    emulator.enqueue(Reply("stream", events=(HELLO, DONE)).between(0.1))
    response = buggy.post("/test/buggy-chat?fail_on=2", {**CHAT, "stream": True}, stream=True)
    assert response.status_code == 200
    chunks, error = checked(read_frames(response))
    assert text_of(chunks) == "Hello "
    assert error is not None and error["error"]["code"] == "internal_error" and BUG not in str(error)
    _traceback_logged(caplog, response.headers["X-Request-ID"])
