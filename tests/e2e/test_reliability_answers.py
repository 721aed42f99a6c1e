"""Answers from Vertex AI that break Google's documented shapes (a proxy's answer, a field of
another type): the client gets a 502 or, once the stream has started, an error event, never an
internal error or a stream that stops without one.

Every body, chunk and error is checked against OpenAI's schemas.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LiveGateway
from tests.emulator import Reply, VertexEmulator
from tests.support.openai_schema import assert_error
from tests.support.sse_frames import checked, read_frames, text_of

CHAT = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hello"}]}
TEXT = {"role": "model", "parts": [{"text": "x"}]}
ODD_ANSWERS: dict[str, dict[str, Any]] = {
    "text that is a number": {"candidates": [{"content": {"role": "model", "parts": [{"text": 5}]}, "finishReason": "STOP"}]},
    "content that is a string": {"candidates": [{"content": "hi", "finishReason": "STOP"}]},
    "candidates that are an object": {"candidates": {"0": {"content": TEXT}}},
    "token counts that are strings": {"candidates": [{"content": TEXT, "finishReason": "STOP"}], "usageMetadata": {"promptTokenCount": "3", "totalTokenCount": "4"}},
}
NOT_OBJECTS: dict[str, Any] = {"a list of two": [{"candidates": []}, {"candidates": []}], "a number": 5}


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert_error(body)
    return body["error"]


@pytest.mark.parametrize("answer", list(ODD_ANSWERS))
def test_an_unreadable_whole_answer_is_a_502(gateway: LiveGateway, emulator: VertexEmulator, answer: str) -> None:
    emulator.enqueue(Reply("unary", body=ODD_ANSWERS[answer]))
    error = _error(gateway.post("/v1/chat/completions", CHAT), 502)
    assert (error["code"], error["message"]) == ("upstream_bad_answer", "Vertex AI sent an answer that the gateway could not read.")


@pytest.mark.parametrize("answer", list(ODD_ANSWERS))
def test_an_unreadable_first_event_is_a_502_before_the_stream_starts(gateway: LiveGateway, emulator: VertexEmulator, answer: str) -> None:
    emulator.enqueue(Reply("stream", events=(ODD_ANSWERS[answer],)))
    error = _error(gateway.post("/v1/chat/completions", {**CHAT, "stream": True}), 502)
    assert error["code"] == "upstream_bad_answer"


@pytest.mark.parametrize("answer", list(ODD_ANSWERS))
def test_an_unreadable_later_event_ends_the_stream_with_an_error_event(gateway: LiveGateway, emulator: VertexEmulator, answer: str) -> None:
    first = {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hello "}]}}]}
    emulator.enqueue(Reply("stream", events=(first, ODD_ANSWERS[answer])).between(0.1))
    response = gateway.post("/v1/chat/completions", {**CHAT, "stream": True}, stream=True)
    assert response.status_code == 200
    chunks, error = checked(read_frames(response))
    assert text_of(chunks) == "Hello "
    assert error is not None and error["error"]["code"] == "upstream_bad_answer"


@pytest.mark.parametrize("answer", list(NOT_OBJECTS))
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_an_answer_that_is_no_json_object_fails_over_then_is_a_502(gateway: LiveGateway, emulator: VertexEmulator, answer: str, stream: bool) -> None:
    value = NOT_OBJECTS[answer]
    emulator.always(Reply("stream", events=(value,)) if stream else Reply("unary", body=value))
    error = _error(gateway.post("/v1/chat/completions", {**CHAT, "stream": stream}), 502)
    assert error["code"] == ("upstream_bad_event" if stream else "upstream_bad_answer")
    assert len(emulator.calls) > 1


def test_an_unreadable_direct_mode_answer_is_a_502(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(Reply("unary", body={"id": "x", "choices": "none"}), method="chat.completions")
    error = _error(gateway.post("/v1/chat/completions", {**CHAT, "model": "gemini-2.5-flash-openai"}), 502)
    assert error["code"] == "upstream_bad_answer"
