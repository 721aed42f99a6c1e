"""The pump that opens a stream in its own thread: hand-over, errors, and closing at any time;
and the relay that reads what it opened."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest

from adapter.streaming.disconnect import ClientGone, ClientWatch, HangupWatcher
from adapter.streaming.pump import Opened, UpstreamPump
from adapter.streaming.frames import Frames
from adapter.streaming.relay import SSERelay, first_frames_of
from adapter.streaming.wire import DATA_WIRE
from adapter.request_log import RequestRecord
from adapter.errors import AdapterError, UpstreamError
from adapter.upstream.answer_shape import GEMINI_ANSWER


class Source:
    def __init__(self) -> None:
        self.closed = 0

    def read(self, wait: float | None = None) -> list[Any] | None:
        return None

    def close(self) -> None:
        self.closed += 1


@dataclass
class Outcome:
    value: Opened


def test_the_opened_source_is_handed_over_and_closed_by_its_reader() -> None:
    source = Source()
    pump = UpstreamPump(lambda pump: Outcome(Opened(["first"], source)))
    assert pump.wait(2)
    outcome = pump.outcome()
    assert outcome.value.first == ["first"] and source.closed == 0
    pump.close()
    assert source.closed == 1


def test_a_source_opened_after_the_reader_left_is_closed_by_the_pump() -> None:
    source, release = Source(), threading.Event()

    def opener(pump: UpstreamPump) -> Outcome:
        release.wait(2)
        return Outcome(Opened(["late"], source))

    pump = UpstreamPump(opener)
    pump.close()
    release.set()
    assert pump.wait(2)
    assert source.closed == 1 and pump.outcome() is None


@pytest.mark.parametrize(
    "failure,expected,code",
    [
        (UpstreamError("Vertex AI answered HTTP 503.", upstream_status=503), "Vertex AI answered HTTP 503.", None),
        (KeyError("a bug"), "The gateway hit an internal error", "internal_error"),
    ],
    ids=["upstream", "unexpected"],
)
def test_the_opener_failure_is_raised_to_the_reader(failure: Exception, expected: str, code: str | None) -> None:
    def opener(pump: UpstreamPump) -> Any:
        raise failure

    pump = UpstreamPump(opener)
    assert pump.wait(2)
    with pytest.raises(AdapterError) as caught:
        pump.outcome()
    assert caught.value.message.startswith(expected) and "a bug" not in caught.value.message
    assert caught.value.code == code


def test_waiting_for_a_slow_opener_times_out() -> None:
    release = threading.Event()
    pump = UpstreamPump(lambda pump: release.wait(2) and Outcome(Opened([], Source())))
    assert not pump.wait(0.05)
    release.set()
    assert pump.wait(2)
    pump.close()


class EventsThenEnd:
    """A source that gives its events once, then ends."""

    def __init__(self, events: list[Any]) -> None:
        self.events: list[Any] | None = events

    def read(self, wait: float | None = None) -> list[Any] | None:
        events, self.events = self.events, None
        return events

    def close(self) -> None:
        return None


class BrokenTranslator:
    """Fails on every event, as a bug in the gateway would."""

    def feed(self, event: Any) -> list[dict[str, Any]]:
        raise RuntimeError("a bug")

    def finish(self) -> list[dict[str, Any]]:
        return []

    def fail(self, error: AdapterError) -> list[dict[str, Any]]:
        return [error.to_body()]


def test_an_unexpected_failure_mid_stream_ends_it_with_an_internal_error_event(caplog: pytest.LogCaptureFixture) -> None:
    pump = UpstreamPump(lambda pump: Outcome(Opened([], EventsThenEnd([{"candidates": []}]))))
    assert pump.wait(2)
    record = RequestRecord(request_id="r", path="/v1/chat/completions")
    frames = Frames(BrokenTranslator(), DATA_WIRE, record, GEMINI_ANSWER)
    relay = SSERelay(pump, frames, b'data: {"n": 1}\n\n', keepalive=b": k\n\n", interval=1.0, watch=ClientWatch(None))
    frames = list(relay)
    assert frames[0] == b'data: {"n": 1}\n\n'
    error = json.loads(frames[-1].removesuffix(b"data: [DONE]\n\n")[len(b"data: "):])
    assert error["error"]["code"] == "internal_error" and "a bug" not in frames[-1].decode()
    assert record.logged and record.error_code == "internal_error"
    assert any("translating an answer from Vertex AI failed" in r.getMessage() and r.exc_info for r in caplog.records)


def test_client_left_ends_the_wait_for_a_slow_opener_at_once() -> None:
    release = threading.Event()
    pump = UpstreamPump(lambda pump: release.wait(2) and Outcome(Opened([], Source())))
    threading.Timer(0.05, pump.client_left).start()
    started = time.monotonic()
    assert not pump.wait(5)
    assert pump.client_gone and time.monotonic() - started < 1
    pump.close()
    release.set()


def test_the_hangup_watcher_calls_on_gone_once_for_a_client_that_left() -> None:
    watcher, calls = HangupWatcher(interval=0.01), []
    server, client = socket.socketpair()
    try:
        with watcher.waking(ClientWatch(server), lambda: calls.append("gone")):
            client.close()
            deadline = time.monotonic() + 2
            while not calls and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.05)
        assert calls == ["gone"]
    finally:
        server.close()


def test_first_frames_of_raises_client_gone_when_the_watcher_wakes_it() -> None:
    release = threading.Event()
    pump = UpstreamPump(lambda pump: release.wait(2) and Outcome(Opened([], Source())))
    threading.Timer(0.05, pump.client_left).start()
    record = RequestRecord(request_id="r", path="/v1/chat/completions")
    frames = Frames(BrokenTranslator(), DATA_WIRE, record, GEMINI_ANSWER)
    with pytest.raises(ClientGone):
        first_frames_of(pump, frames, 5.0, ClientWatch(None))
    pump.close()
    release.set()
