"""CPU per call of the HTTP clients the gateway could use to reach Vertex (against the fake).

``python3 -m tests.perf.http_clients`` posts the same small ``generateContent`` body over one
keep-alive connection with each client and prints the client process's CPU time per call
(``time.process_time``; the fake runs in its own process). This was the evidence for replacing
``requests.Session`` on the hot path; the gateway's own client (``VertexClient.post_json``,
through the session's pool) is measured alongside.
"""

from __future__ import annotations

import argparse
import http.client
import sys
import time
from typing import Callable

import orjson
import requests
import urllib3

from adapter.upstream.credentials import express_credentials
from adapter.upstream.inflight import mount_tracked_pool
from adapter.upstream.vertex import VertexClient

from . import processes
from .scenarios import DIRECT_PATH, MODEL

BODY = orjson.dumps({"contents": [{"role": "user", "parts": [{"text": "Say hello"}]}]})
HEADERS = {"Content-Type": "application/json", "x-goog-api-key": processes.EXPRESS_KEY}
PATH = f"{DIRECT_PATH}:generateContent"


def clients(port: int) -> dict[str, Callable[[], bytes]]:
    url = f"http://127.0.0.1:{port}{PATH}"
    session = requests.Session()
    plain = requests.Session()
    plain.trust_env = False
    pool = urllib3.HTTPConnectionPool("127.0.0.1", port, maxsize=4, retries=False, timeout=urllib3.Timeout(connect=10, read=300))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def with_requests(chosen: requests.Session) -> Callable[[], bytes]:
        def call() -> bytes:
            response = chosen.post(url, data=BODY, headers=HEADERS, timeout=(10, 300))
            content = response.content
            response.close()
            return content

        return call

    def with_urllib3() -> bytes:
        return pool.urlopen("POST", PATH, body=BODY, headers=HEADERS).data

    def with_http_client() -> bytes:
        connection.request("POST", PATH, body=BODY, headers=HEADERS)
        return connection.getresponse().read()

    gateway_session = requests.Session()
    mount_tracked_pool(gateway_session, 4)
    cred = express_credentials((processes.EXPRESS_KEY,), gateway_session)[0]
    client = VertexClient(base_url=f"http://127.0.0.1:{port}", location="global", connect_timeout=10, read_timeout=300)
    gateway_url = client.model_url(cred, MODEL, "generateContent")
    body = orjson.loads(BODY)

    def with_gateway_client() -> bytes:
        return orjson.dumps(client.post_json(cred, gateway_url, body))

    return {
        "VertexClient.post_json (what vertex.py does)": with_gateway_client,
        "requests.Session.post (what vertex.py did)": with_requests(session),
        "requests.Session.post, trust_env=False": with_requests(plain),
        "urllib3.HTTPConnectionPool.urlopen": with_urllib3,
        "http.client.HTTPConnection": with_http_client,
    }


def cpu_per_call(call: Callable[[], bytes], count: int) -> float:
    for _ in range(count // 10):
        call()
    started = time.process_time()
    for _ in range(count):
        call()
    return (time.process_time() - started) / count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    fake, _ = processes.start_fake(delay=5.0, chunk_interval=0.002)
    try:
        table = clients(fake.port)
        results: dict[str, list[float]] = {name: [] for name in table}
        for _ in range(args.repeats):
            for name, call in table.items():
                results[name].append(cpu_per_call(call, args.calls) * 1e6)
    finally:
        fake.stop()
    for name, values in results.items():
        values.sort()
        sys.stdout.write(f"{values[len(values) // 2]:7.0f} µs CPU per call [{values[0]:.0f}–{values[-1]:.0f}]  {name}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
