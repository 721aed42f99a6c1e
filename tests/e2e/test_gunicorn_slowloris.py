"""Slow-header floods against the real deployment command (``gunicorn -c gunicorn.conf.py``):
one address cannot hold more than MAX_CONNECTIONS_PER_IP connections, request headers must be
complete within HEADER_TIMEOUT, and a client from another address is served at once meanwhile."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import API_KEY, Credentials, base_env
from tests.e2e.test_gunicorn import ROOT, free_port, wait_for
from tests.emulator import VertexEmulator

pytestmark = pytest.mark.slow
PER_IP = 20
HEADER_TIMEOUT = 2.0


@pytest.fixture
def server(emulator: VertexEmulator, credentials: Credentials, tmp_path: Path) -> Iterator[int]:
    port = free_port()
    env = {
        **os.environ,
        **base_env(emulator, credentials, express=True, service_accounts=False),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "WORKER_CONNECTIONS": "30",
        "MAX_CONNECTIONS_PER_IP": str(PER_IP),
        "HEADER_TIMEOUT": str(HEADER_TIMEOUT),
    }
    with (tmp_path / "gunicorn.log").open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/", process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


def _connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket()
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def _answer(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        pass
    return received


def _get(port: int, source: str, path: str = "/v1/models") -> tuple[bytes, float]:
    started = time.monotonic()
    with _connect(port, source) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer {API_KEY}\r\nConnection: close\r\n\r\n".encode())
        answer = _answer(sock, 5)
    return answer, time.monotonic() - started


def test_slow_connections_beyond_the_cap_are_refused_and_others_are_served(server: int) -> None:
    slow = [_connect(server) for _ in range(PER_IP)]
    try:
        for sock in slow:
            sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: gat")
        more = [_connect(server) for _ in range(10)]
        slow.extend(more)
        answers = [_answer(sock, 2) for sock in more]
        assert all(answer.startswith(b"HTTP/1.1 429") and b'"code":"too_many_connections"' in answer for answer in answers)
        answer, elapsed = _get(server, "127.0.0.2")
        assert answer.startswith(b"HTTP/1.1 200")
        assert elapsed < 1.0
    finally:
        for sock in slow:
            sock.close()


def test_headers_trickled_past_the_header_timeout_get_a_408_and_the_connection_closes(server: int) -> None:
    with _connect(server) as sock:
        started = time.monotonic()
        sock.settimeout(0.3)
        received = b""
        try:
            for byte in b"GET /v1/models HTTP/1.1\r\nHost: gateway\r\nX-Slow: " + b"a" * 60:
                sock.sendall(bytes([byte]))
                try:
                    received += sock.recv(1024)
                    break
                except TimeoutError:
                    continue
        except (BrokenPipeError, ConnectionResetError):
            pass
        elapsed = time.monotonic() - started
    assert received.startswith(b"HTTP/1.1 408")
    assert HEADER_TIMEOUT - 0.5 < elapsed < HEADER_TIMEOUT + 2


def test_a_kept_alive_connection_may_idle_longer_than_the_header_timeout(server: int) -> None:
    request = f"GET /v1/models HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer {API_KEY}\r\n\r\n".encode()
    with _connect(server) as sock:
        sock.sendall(request)
        assert _answer(sock, 1).startswith(b"HTTP/1.1 200")
        time.sleep(HEADER_TIMEOUT + 1)
        sock.sendall(request)
        assert _answer(sock, 1).startswith(b"HTTP/1.1 200")
