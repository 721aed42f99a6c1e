"""Traces from the real deployment command, ``gunicorn -c gunicorn.conf.py wsgi:app``, with two
gevent workers, received by a real OTLP/HTTP receiver on loopback: each worker exports its own
spans (its exporter started in the worker, after the fork), and a worker stopped by SIGTERM
sends what it still holds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
import requests

from tests.conftest import API_KEY, Credentials, base_env
from tests.e2e.test_gunicorn import ROOT, free_port, wait_for
from tests.emulator import VertexEmulator
from tests.support.otlp_receiver import OtlpReceiver

pytestmark = pytest.mark.slow

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CHAT = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hi"}]}


def children(pid: int) -> set[int]:
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    started = OtlpReceiver().start()
    yield started
    started.stop()


def serve(emulator: VertexEmulator, credentials: Credentials, receiver: OtlpReceiver, tmp_path: Path, delay_ms: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    env = {
        **os.environ,
        **base_env(emulator, credentials, express=True, service_accounts=False),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "GRACEFUL_TIMEOUT": "10",
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": delay_ms,
        "OTEL_SERVICE_NAME": "gateway-gunicorn",
    }
    with (tmp_path / "gunicorn.log").open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                                   cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/", process)
    return url, process


def chat(url: str, number: int) -> int:
    headers = {"Authorization": f"Bearer {API_KEY}", "traceparent": f"00-{TRACE_ID}-{number + 1:016x}-01"}
    return requests.post(url + "/v1/chat/completions", json={**CHAT, "stream": number % 2 == 1}, headers=headers, timeout=30).status_code


def test_each_worker_exports_its_spans(emulator: VertexEmulator, credentials: Credentials, receiver: OtlpReceiver, tmp_path: Path) -> None:
    url, process = serve(emulator, credentials, receiver, tmp_path, "50")
    try:
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(lambda number: chat(url, number), range(24))) == {200}
        spans = receiver.wait_for(lambda got: sum(span.kind == "server" for span in got) == 24)
        workers = children(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    servers = [span for span in spans if span.kind == "server"]
    pids = {span.resource["process.pid"] for span in spans}
    assert pids <= workers and process.pid not in pids
    assert {span.trace_id for span in servers} == {TRACE_ID}
    assert sorted(int(span.parent_span_id, 16) for span in servers) == list(range(1, 25))
    streamed = [span for span in servers if span.event("gen_ai.first_token") is not None]
    assert len(streamed) == 12
    assert sum(span.kind == "client" for span in spans) == 24


def test_a_stopping_worker_sends_the_spans_it_still_holds(emulator: VertexEmulator, credentials: Credentials, receiver: OtlpReceiver, tmp_path: Path) -> None:
    url, process = serve(emulator, credentials, receiver, tmp_path, "600000")
    try:
        assert chat(url, 0) == 200
        assert receiver.spans == []
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    spans = receiver.wait_for(lambda got: len(got) == 2, timeout=5)
    assert {span.kind for span in spans} == {"server", "client"}
