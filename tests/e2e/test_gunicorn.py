"""The real deployment command, ``gunicorn -c gunicorn.conf.py wsgi:app``, with gevent workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import openai
import pytest
import requests

from tests.conftest import API_KEY, Credentials, base_env
from tests.emulator import Reply, VertexEmulator, payloads

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except (requests.ConnectionError, requests.Timeout):  # a worker still booting on a busy machine
            time.sleep(0.05)
    raise AssertionError("gunicorn did not start in time")


def refuses_connections(url: str, within: float) -> bool:
    """gevent workers stop accepting within a second of SIGTERM (their heartbeat period)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/", timeout=1)
        except requests.RequestException:
            return True
        time.sleep(0.1)
    return False


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture
def served(emulator: VertexEmulator, credentials: Credentials, tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    env = {**os.environ, **base_env(emulator, credentials, express=True, service_accounts=True), "PORT": str(port), "WEB_CONCURRENCY": "1", "GRACEFUL_TIMEOUT": "10"}
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/", process)
        yield Served(url, process, log)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def test_serves_chat_and_streams_under_gevent(served: Served) -> None:
    url = served.url
    client = openai.OpenAI(base_url=url + "/v1", api_key=API_KEY, max_retries=0)
    answer = client.chat.completions.create(model="[PAY]gemini-2.5-flash", messages=[{"role": "user", "content": "Hi"}])
    assert "Hi" in (answer.choices[0].message.content or "")
    chunks = list(client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "Hi"}], stream=True))
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_one_log_line_per_request_without_query_string_or_credentials(served: Served) -> None:
    requests.get(served.url + "/v1/models?secret-query=abc", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10)
    served.process.send_signal(signal.SIGTERM)
    served.process.wait(20)
    output = served.log.read_text()
    lines = [line for line in output.splitlines() if "/v1/models" in line]
    assert len(lines) == 1 and "path=/v1/models status=200" in lines[0]
    assert "secret-query" not in output
    assert API_KEY not in output


def test_sigterm_lets_a_running_stream_finish_and_refuses_new_connections(served: Served, emulator: VertexEmulator) -> None:
    url, process = served.url, served.process
    events = payloads.to_stream_events(payloads.text_response(" ".join(f"w{i}" for i in range(12)), "gemini-2.5-flash"))
    emulator.enqueue(Reply.stream(events).between(0.15))
    client = openai.OpenAI(base_url=url + "/v1", api_key=API_KEY, max_retries=0)
    collected: list[str] = []

    def consume() -> None:
        for chunk in client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "Hi"}], stream=True):
            if chunk.choices and chunk.choices[0].delta.content:
                collected.append(chunk.choices[0].delta.content)

    reader = threading.Thread(target=consume)
    reader.start()
    assert emulator.wait_until(lambda: bool(emulator.streams()) and emulator.streams()[-1].events_sent >= 2, 5)
    process.send_signal(signal.SIGTERM)
    assert refuses_connections(url, within=3.0)
    reader.join(15)
    assert "".join(collected).strip() == " ".join(f"w{i}" for i in range(12))
    assert process.wait(15) == 0



@pytest.mark.parametrize("phase", ["before the first byte", "after the first chunk", "waiting for a whole answer"])
def test_a_client_hanging_up_on_a_silent_upstream_closes_it_under_gevent(served: Served, emulator: VertexEmulator, phase: str) -> None:
    answer = payloads.text_response("a b c d", "gemini-2.5-flash")
    events = payloads.to_stream_events(answer)
    streams = phase != "waiting for a whole answer"
    if not streams:
        emulator.enqueue(Reply.unary(answer).delay(20))
    else:
        emulator.enqueue(Reply.stream(events).delay(20) if phase == "before the first byte" else Reply.stream(events).between(20))
    body = b'{"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hi"}], "stream": %s}' % (b"true" if streams else b"false")
    sock = socket.create_connection(("127.0.0.1", int(served.url.rsplit(":", 1)[1])))
    sock.sendall(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {API_KEY}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    )
    try:
        assert emulator.wait_until(lambda: bool(emulator.calls), 3)
        received = b""
        while phase == "after the first chunk" and b"data: " not in received:
            received += sock.recv(65536)
    finally:
        hung_up = time.monotonic()
        sock.close()

    def upstream_closed() -> bool:
        call = emulator.calls[-1]
        return call.outcome == "client_gone" or (call.stream is not None and call.stream.outcome == "client_disconnected")

    assert emulator.wait_until(upstream_closed, 3)
    assert time.monotonic() - hung_up < 2.0
