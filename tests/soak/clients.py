"""Soak clients: streaming and non-streaming chat requests, and clients that hang up early.

Every answer is classified: ``full`` (a complete, schema-valid completion or stream ending in
``[DONE]``), ``error`` (an OpenAI-shaped error: a 4xx/5xx body, or an error event before
``[DONE]``), ``hung_up`` (the client left on purpose) or ``lost`` (anything else: a reset, a
stream that stops without ``[DONE]``, a body that is not OpenAI's shape, a client timeout).
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import requests

from tests.support.openai_schema import assert_chat_completion, assert_chunk, assert_error

CLIENT_TIMEOUT = (10, 60)


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    outcomes: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    lost_examples: list[str] = field(default_factory=list)

    def add(self, kind: str, outcome: str, status: str, detail: str = "") -> None:
        with self.lock:
            self.outcomes[outcome] += 1
            self.by_kind[f"{kind}/{outcome}"] += 1
            self.statuses[status] += 1
            if outcome == "lost" and len(self.lost_examples) < 20:
                self.lost_examples.append(f"{kind}: {detail}")


def _body(stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Count for me."}]}
    if stream:
        body.update(stream=True, stream_options={"include_usage": True})
    return body


def _error_or_lost(response: requests.Response) -> tuple[str, str]:
    try:
        assert_error(response.json())
    except (ValueError, AssertionError) as exc:
        return "lost", f"HTTP {response.status_code} not in OpenAI's error shape: {exc}"
    return "error", ""


def whole(session: requests.Session, url: str, headers: dict[str, str]) -> tuple[str, str, str]:
    response = session.post(url, json=_body(False), headers=headers, timeout=CLIENT_TIMEOUT)
    if response.status_code != 200:
        return (*_error_or_lost(response), str(response.status_code))
    try:
        completion = response.json()
        assert_chat_completion(completion)
    except (ValueError, AssertionError) as exc:
        return "lost", f"bad completion: {exc}", "200"
    return "full", "", "200"


def streamed(session: requests.Session, url: str, headers: dict[str, str]) -> tuple[str, str, str]:
    with session.post(url, json=_body(True), headers=headers, timeout=CLIENT_TIMEOUT, stream=True) as response:
        if response.status_code != 200:
            return (*_error_or_lost(response), str(response.status_code))
        frames = [line for line in response.iter_lines() if line]
    if not frames or frames[-1] != b"data: [DONE]":
        return "lost", f"stream ended without [DONE] after {len(frames)} frames", "200"
    payloads = [json.loads(frame[6:]) for frame in frames[:-1] if frame.startswith(b"data: ")]
    try:
        if payloads and "error" in payloads[-1]:
            assert_error(payloads[-1])
            return "error", "", "200+error"
        for chunk in payloads:
            assert_chunk(chunk)
        assert any(c["choices"] and c["choices"][0].get("finish_reason") for c in payloads), "no finish_reason"
    except AssertionError as exc:
        return "lost", f"bad stream: {exc}", "200"
    return "full", "", "200"


def hang_up(session: requests.Session, url: str, headers: dict[str, str], rng: random.Random) -> tuple[str, str, str]:
    """Send a streaming request and leave: at once, after the status line, or after a chunk."""
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    payload = json.dumps(_body(True)).encode()
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}\r\nAuthorization: {headers['Authorization']}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head + payload)
        moment = rng.choice(["at once", "after headers", "after a chunk"])
        if moment != "at once":
            received = b""
            wanted = b"\r\n\r\n" if moment == "after headers" else b"data: "
            while wanted not in received and not (b"\r\n\r\n" in received and not received.startswith(b"HTTP/1.1 200")):
                piece = sock.recv(4096)
                if not piece:
                    break
                received += piece
        else:
            time.sleep(rng.uniform(0.0, 0.3))
    return "hung_up", "", "hung up"


def run_client(url: str, api_key: str, until: float, tally: Tally, seed: int, stopping: Callable[[], bool]) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {api_key}"}
    chat_url = url + "/v1/chat/completions"
    with requests.Session() as session:
        while time.monotonic() < until and not stopping():
            roll = rng.random()
            kind = "stream" if roll < 0.45 else "whole" if roll < 0.9 else "hang-up"
            try:
                if kind == "stream":
                    outcome, detail, status = streamed(session, chat_url, headers)
                elif kind == "whole":
                    outcome, detail, status = whole(session, chat_url, headers)
                else:
                    outcome, detail, status = hang_up(session, chat_url, headers, rng)
            except (requests.RequestException, OSError, ValueError) as exc:
                outcome, detail, status = "lost", f"{type(exc).__name__}: {exc}"[:300], "exception"
            tally.add(kind, outcome, status, detail)
            time.sleep(rng.uniform(0.0, 0.2))
