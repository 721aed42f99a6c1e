"""Waiting on a silent upstream inside a gevent worker: keep-alives on time, the read timeout kept."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from tests.conftest import API_KEY
from tests.e2e.conftest import StartGunicorn
from tests.emulator import Reply, VertexEmulator, payloads
from tests.support.sse_frames import KEEPALIVE, checked, read_frames, text_of

pytestmark = pytest.mark.slow

WORDS = " ".join(f"w{i}" for i in range(5))
STREAM = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hello"}], "stream": True}


def _events() -> list[dict[str, Any]]:
    return payloads.to_stream_events(payloads.text_response(WORDS))


def _stream(url: str) -> requests.Response:
    response = requests.post(url + "/v1/chat/completions", json=STREAM, headers={"Authorization": f"Bearer {API_KEY}"}, stream=True, timeout=10)
    assert response.status_code == 200
    return response


def test_keepalives_fill_each_gap_and_every_event_arrives(start_gunicorn: StartGunicorn, emulator: VertexEmulator) -> None:
    served = start_gunicorn("gaps", STREAM_KEEPALIVE_INTERVAL="0.1")
    emulator.enqueue(Reply.stream(_events()).between(0.35))
    frames = read_frames(_stream(served.url))
    chunks, error = checked(frames)
    assert error is None and text_of(chunks) == WORDS
    texts = [f.text for f in frames]
    data = [i for i, text in enumerate(texts) if text.startswith("data: {")]
    gaps = [texts[a + 1:b] for a, b in zip(data, data[1:]) if b > a + 1]  # 0.35 s apart: about 3 each
    assert len(gaps) == len(_events()) - 1
    assert all(gap.count(KEEPALIVE) == len(gap) and 1 <= len(gap) <= 4 for gap in gaps), gaps


def test_silence_past_the_read_timeout_ends_the_stream_with_an_error_event(start_gunicorn: StartGunicorn, emulator: VertexEmulator) -> None:
    served = start_gunicorn("silent", UPSTREAM_READ_TIMEOUT="0.5", STREAM_KEEPALIVE_INTERVAL="0.1")
    emulator.enqueue(Reply.stream(_events()).between(5))
    started = time.monotonic()
    frames = read_frames(_stream(served.url))
    assert 0.5 <= time.monotonic() - started < 2
    chunks, error = checked(frames)
    assert chunks and error is not None and error["error"]["code"] == "upstream_timeout"
    assert 2 <= [f.text for f in frames].count(KEEPALIVE) <= 7
    assert emulator.wait_until(lambda: emulator.streams()[-1].outcome == "client_disconnected", 2)
