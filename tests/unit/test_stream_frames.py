"""The relay for any front door: its wire's framing, its translator's closing and failure events,
and the ``on_finish`` hook that runs before the closing events are written."""

from __future__ import annotations

import json
from typing import Any, Callable

from adapter.errors import AdapterError, InvalidRequest
from adapter.request_log import RequestRecord
from adapter.streaming.disconnect import ClientWatch
from adapter.streaming.frames import Frames
from adapter.streaming.pump import Opened, UpstreamPump
from adapter.streaming.relay import SSERelay
from adapter.streaming.wire import DATA_WIRE, TYPED_WIRE, SSEWire, typed_frame
from adapter.upstream.answer_shape import GEMINI_ANSWER
from tests.unit.test_pump import EventsThenEnd, Outcome

EVENT = {"candidates": [{"content": {"role": "model", "parts": [{"text": "hi"}]}}], "usageMetadata": {"promptTokenCount": 2, "totalTokenCount": 5}}


class Typed:
    """A translator in the style of the Responses API: typed events, a closing event, a failure event."""

    def __init__(self) -> None:
        self.finished = False

    def feed(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"type": "delta", "text": event["candidates"][0]["content"]["parts"][0]["text"]}]

    def finish(self) -> list[dict[str, Any]]:
        self.finished = True
        return [{"type": "completed"}]

    def fail(self, error: AdapterError) -> list[dict[str, Any]]:
        return [{"type": "failed", "code": error.code}]


def _relay(wire: SSEWire, translator: Typed, on_finish: Callable[[Any], None] | None = None) -> tuple[list[bytes], RequestRecord]:
    pump = UpstreamPump(lambda pump: Outcome(Opened([EVENT], EventsThenEnd([]))))
    assert pump.wait(2)
    record = RequestRecord(request_id="r", path="/v1/responses")
    frames = Frames(translator, wire, record, GEMINI_ANSWER, on_finish)
    first = frames.events(pump.outcome().value.first)
    return list(SSERelay(pump, frames, first, keepalive=wire.keepalive, interval=1.0, watch=ClientWatch(None))), record


def test_typed_events_are_framed_with_their_type_and_nothing_follows_the_last() -> None:
    frames, record = _relay(TYPED_WIRE, Typed())
    assert b"".join(frames) == typed_frame({"type": "delta", "text": "hi"}) + typed_frame({"type": "completed"})
    assert frames[0].startswith(b"event: delta\ndata: ")
    assert record.usage is not None and record.usage["prompt_tokens"] == 2  # noted from the raw event, whatever the front door


def test_on_finish_sees_the_finished_translator_before_the_closing_events_go_out() -> None:
    seen: list[bool] = []
    frames, record = _relay(DATA_WIRE, Typed(), lambda translator: seen.append(translator.finished))
    assert seen == [True]
    assert frames[-1].endswith(b'data: {"type":"completed"}\n\ndata: [DONE]\n\n')
    assert record.logged


def test_an_error_raised_by_on_finish_ends_the_stream_with_the_translators_failure_events() -> None:
    def refuse(translator: Any) -> None:
        raise InvalidRequest("could not store the response", code="store_failed")

    frames, record = _relay(TYPED_WIRE, Typed(), refuse)
    assert frames[-1] == typed_frame({"type": "failed", "code": "store_failed"})
    assert b"completed" not in b"".join(frames)
    assert record.error_code == "store_failed" and json.loads(frames[0].split(b"data: ")[1])["text"] == "hi"
