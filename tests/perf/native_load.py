"""A native upstream and load generator for the two-worker figure: nginx answers, wrk loads.

The Python fake and load generator cost ~0.15 CPU-ms per request together (asyncio's wake-up per
request at a few thousand requests/s), and on 2 cores they run beside the workers they measure:
two workers can then serve at most ``2 / (1 + 0.15 / 0.8)`` ≈ 1.7 times what one serves, whatever
the gateway does (tests/perf/README.md, "Two workers against one"). Issue 16 measured its first
figures against a zero-cost nginx upstream. nginx (``return 200`` with the fake's
``generateContent`` answer) and wrk (C, epoll, one thread) take ~15-20 µs a request each while a
core is free for them and ~40 µs on a saturated machine, where each wake-up of theirs preempts a
worker: ~0.18 cores at 2200 requests/s against the Python pair's ~0.33, so the ratio measures
the workers more than the load.

Both are Debian packages: ``apt-get install nginx-light wrk``. :func:`missing` names what is not
installed; the benchmark then leaves these figures out with a warning.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import processes, scenarios
from .fake_vertex import FIXTURES

ANSWER = (FIXTURES / "generate" / "text.small.response.json").read_text()
TOOLS = ("nginx", "wrk")

_NGINX_CONF = """daemon off;
master_process off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {work};
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    server {{
        listen 127.0.0.1:{port};
        default_type "application/json; charset=UTF-8";
        location ~ ":generateContent$" {{ return 200 '{answer}'; }}
        location / {{ return 404; }}
    }}
}}
"""


def missing() -> list[str]:
    """The tools of this module that are not installed."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def start_nginx() -> processes.Process:
    """nginx on a free loopback port, answering every ``...:generateContent`` POST with the fake's
    answer (Content-Length, keep-alive), anything else with 404; ``stop()`` ends it."""
    if "'" in ANSWER or "$" in ANSWER:
        raise ValueError("the answer cannot be written inside an nginx 'return' string")
    work = Path(tempfile.mkdtemp(prefix="perf-nginx-"))
    port = processes.free_port()
    conf = work / "nginx.conf"
    conf.write_text(_NGINX_CONF.format(work=work, port=port, answer=ANSWER))
    command = ["nginx", "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)]
    nginx = processes.Process("nginx", subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), port)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if nginx.popen.poll() is not None:
            raise RuntimeError(f"nginx exited: {(work / 'error.log').read_text()[-300:]}")
        try:
            socket.create_connection((scenarios.HOST, port), 0.2).close()
            return nginx
        except OSError:
            time.sleep(0.02)
    nginx.stop()
    raise RuntimeError("nginx did not listen within 5 s")


@dataclass(frozen=True)
class WrkRun:
    requests: int
    failed: int
    """Answers other than 2xx/3xx, and socket errors."""
    seconds: float
    cpu: float
    """wrk's own user + system CPU seconds."""

    @property
    def rate(self) -> float:
        return (self.requests - self.failed) / self.seconds if self.seconds else 0.0

    @property
    def cores(self) -> float:
        return self.cpu / self.seconds if self.seconds else 0.0


def _script(body: dict[str, Any], headers: dict[str, str]) -> Path:
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(json.dumps(body))}"]
    lines += [f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}" for name, value in headers.items()]
    handle, path = tempfile.mkstemp(prefix="perf-wrk-", suffix=".lua")
    os.write(handle, ("\n".join(lines) + "\n").encode())
    os.close(handle)
    return Path(path)


def wrk(url: str, body: dict[str, Any], headers: dict[str, str], connections: int, seconds: float) -> WrkRun:
    """``connections`` keep-alive connections POSTing ``body`` to ``url`` for ``seconds`` (closed
    loop, one wrk thread)."""
    script = _script(body, {"Content-Type": "application/json", **headers})
    try:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "-s", str(script), url]
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as popen:
            assert popen.stdout is not None
            output = popen.stdout.read()
            _, status, usage = os.wait4(popen.pid, 0)  # wait4: wrk's own CPU time
            popen.returncode = os.waitstatus_to_exitcode(status)
    finally:
        script.unlink()
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)\b", output)
    if popen.returncode != 0 or done is None:
        raise RuntimeError(f"wrk failed: {output.strip()[-300:]}")
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0}[done.group(3)]
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    failed = int(refused.group(1)) if refused else 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if errors:
        failed += sum(int(value) for value in errors.groups())
    return WrkRun(int(done.group(1)), failed, float(done.group(2)) * scale, usage.ru_utime + usage.ru_stime)


def warm(url: str, body: dict[str, Any], headers: dict[str, str], connections: int) -> None:
    """A short run first: the worker's pools and caches filled, its code paths warm."""
    wrk(url, body, headers, connections, 2)
    time.sleep(0.2)
