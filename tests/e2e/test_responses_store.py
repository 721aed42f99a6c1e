"""The response store shared by real gunicorn processes: a turn written by one worker or
instance is continued at once by another (no asynchronous write), through SQLite for the
workers of one instance and through Redis across instances."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.conftest import API_KEY
from tests.e2e.conftest import StartGunicorn
from tests.e2e.test_gunicorn import Served
from tests.emulator import VertexEmulator, payloads
from tests.support.openai_schema import assert_valid
from tests.support.responses_sse import read_events

pytestmark = pytest.mark.slow

MODEL = "gemini-2.5-flash"


def call(served: Served, method: str, path: str, body: dict[str, Any] | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {API_KEY}", "Connection": "close"}
    return requests.request(method, served.url + path, json=body, headers=headers, timeout=30)


def turn(served: Served, text: str, previous: str | None, *, stream: bool = False) -> str:
    """One turn (streamed or not) continuing ``previous``; returns the new response id."""
    body: dict[str, Any] = {"model": MODEL, "input": text, "stream": stream}
    if previous:
        body["previous_response_id"] = previous
    headers = {"Authorization": f"Bearer {API_KEY}", "Connection": "close"}
    answer = requests.post(served.url + "/v1/responses", json=body, headers=headers, timeout=30, stream=stream)
    assert answer.status_code == 200, answer.text
    if stream:
        return str(read_events(answer)[-1]["response"]["id"])
    assert_valid(answer.json(), "Response")
    return str(answer.json()["id"])


def sent_texts(emulator: VertexEmulator, method: str = "generateContent") -> list[str]:
    return [content["parts"][0]["text"] for content in emulator.last_call(method).body["contents"]]


def test_two_workers_of_one_instance_continue_each_others_turns_through_sqlite(start_gunicorn: StartGunicorn, emulator: VertexEmulator) -> None:
    served = start_gunicorn("workers", WEB_CONCURRENCY="2")
    previous = None
    for step in range(8):
        emulator.enqueue(payloads.text_response(f"answer {step}", MODEL))
        previous = turn(served, f"question {step}", previous, stream=step % 2 == 1)
        method = "streamGenerateContent" if step % 2 else "generateContent"
        assert sent_texts(emulator, method)[-1] == f"question {step}"
        assert len(sent_texts(emulator, method)) == 2 * step + 1
    assert call(served, "GET", f"/v1/responses/{previous}").json()["output"][0]["content"][0]["text"] == "answer 7"


def test_two_instances_share_the_store_through_redis(start_gunicorn: StartGunicorn, emulator: VertexEmulator, redis_url: str) -> None:
    first, second = start_gunicorn("first", REDIS_URL=redis_url), start_gunicorn("second", REDIS_URL=redis_url)
    emulator.enqueue(payloads.text_response("Hello Ana.", MODEL), payloads.text_response("You are Ana.", MODEL))
    opening = turn(first, "I am Ana.", None)
    follow_up = turn(second, "Who am I?", opening)
    assert sent_texts(emulator) == ["I am Ana.", "Hello Ana.", "Who am I?"]
    assert call(first, "GET", f"/v1/responses/{follow_up}").status_code == 200
    assert call(second, "DELETE", f"/v1/responses/{opening}").json()["deleted"] is True
    missing = call(first, "POST", "/v1/responses", {"model": MODEL, "input": "Again", "previous_response_id": opening})
    assert missing.status_code == 404 and missing.json()["error"]["param"] == "previous_response_id"
    password = redis_url.split("@")[0].rsplit(":", 1)[1]
    assert all(password not in served.log.read_text() for served in (first, second))
