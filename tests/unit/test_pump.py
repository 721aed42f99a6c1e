"""The pump that opens a stream in its own thread: hand-over, errors, and closing at any time."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import pytest

from adapter.api.pump import Opened, UpstreamPump
from adapter.errors import AdapterError, UpstreamError


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
    "failure,expected",
    [(UpstreamError("Vertex AI answered HTTP 503.", upstream_status=503), "Vertex AI answered HTTP 503."), (KeyError("bug"), "The gateway failed")],
    ids=["upstream", "unexpected"],
)
def test_the_opener_failure_is_raised_to_the_reader(failure: Exception, expected: str) -> None:
    def opener(pump: UpstreamPump) -> Any:
        raise failure

    pump = UpstreamPump(opener)
    assert pump.wait(2)
    with pytest.raises(AdapterError) as caught:
        pump.outcome()
    assert caught.value.message.startswith(expected)


def test_waiting_for_a_slow_opener_times_out() -> None:
    release = threading.Event()
    pump = UpstreamPump(lambda pump: release.wait(2) and Outcome(Opened([], Source())))
    assert not pump.wait(0.05)
    release.set()
    assert pump.wait(2)
    pump.close()
