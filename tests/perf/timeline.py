"""Per-request timeline of the worker under load: who waited, and why (issue 16's tail latency).

``python3 -m tests.perf.timeline [--connections 16,64] [--requests 3000] [--stream]`` starts the
fake Vertex and the gateway with :mod:`tests.perf.gunicorn_timeline`, sends closed-loop load
over keep-alive connections (each marked with ``X-Perf-Connection``), then matches every
request the client timed with the worker's record of it. It prints, per connection count:

- the client's p50/p99 latency, split into before the app started the request, inside the app
  (the upstream call included) and after it finished;
- how many requests **finished while one request was in flight**: fair is about one turn of
  the other connections (15 at 16 connections); a p99 far above that means some greenlets
  served several requests in a row while others waited (figures that a busy machine does not
  blur, unlike latencies);
- the garbage collector's pauses by generation (a full collection stops every request at once);
- how long the worker waited for a core (``/proc/<pid>/schedstat``): when that is large, the
  latencies say more about the machine than about the gateway.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import dataclasses
import json
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

from . import loadgen, processes, scenarios
from .gunicorn_timeline import DUMP_PATH

CONFIG = Path(__file__).with_name("gunicorn_timeline.py")
Sample = tuple[float, float, int]  # client send, client receive, connection


def _marked(target: loadgen.Target, connection: int) -> loadgen.Target:
    head = f"\r\nX-Perf-Connection: {connection}\r\n\r\n".encode()
    return dataclasses.replace(target, request=target.request.replace(b"\r\n\r\n", head, 1))


async def _connection(target: loadgen.Target, number: int, remaining: list[int], samples: list[Sample]) -> None:
    connection = loadgen._Connection(_marked(target, number))
    try:
        while remaining[0] > 0:
            remaining[0] -= 1
            sent = time.perf_counter()
            await connection.exchange()
            samples.append((sent, time.perf_counter(), number))
    finally:
        connection.close()


async def _load(target: loadgen.Target, total: int, connections: int) -> list[Sample]:
    samples: list[Sample] = []
    remaining = [total]
    await asyncio.gather(*(_connection(target, number, remaining, samples) for number in range(connections)))
    return samples


def _schedstat(pid: int) -> tuple[float, float]:
    """Seconds ``pid`` ran and waited for a core so far."""
    ran, waited, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
    return int(ran) / 1e9, int(waited) / 1e9


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def analyse(samples: list[Sample], record: dict[str, Any]) -> list[str]:
    """The report's lines for one run: client samples matched with the worker's record."""
    served: dict[int, list[list[float]]] = defaultdict(list)
    for started, finished, connection in sorted(record["requests"]):
        served[connection].append([started, finished])
    sent_by: dict[int, list[Sample]] = defaultdict(list)
    for sample in sorted(samples):
        sent_by[sample[2]].append(sample)
    finishes = sorted(finished for started, finished, _ in record["requests"])
    parts: dict[str, list[float]] = defaultdict(list)
    for connection, sent in sent_by.items():
        for (send, receive, _), (started, finished) in zip(sent, served[connection][-len(sent) :]):
            parts["total"].append(receive - send)
            parts["before the app"].append(started - send)
            parts["in the app"].append(finished - started)
            parts["after the app"].append(receive - finished)
            parts["finished meanwhile"].append(bisect.bisect_left(finishes, receive) - bisect.bisect_left(finishes, send) - 1)
    lines = [f"  {name}: p50 {_pct(v, 0.5) * 1e3:.1f} ms, p99 {_pct(v, 0.99) * 1e3:.1f} ms, max {max(v) * 1e3:.1f} ms" for name, v in parts.items() if name != "finished meanwhile"]
    meanwhile = parts["finished meanwhile"]
    lines.append(f"  requests finished while one was in flight: p50 {_pct(meanwhile, 0.5):.0f}, p99 {_pct(meanwhile, 0.99):.0f}, max {max(meanwhile):.0f}")
    by_generation: dict[int, list[float]] = defaultdict(list)
    for generation, seconds in record["collections"]:
        by_generation[generation].append(seconds)
    for generation, pauses in sorted(by_generation.items()):
        lines.append(f"  gc generation {generation}: {len(pauses)} collections, longest {max(pauses) * 1e3:.1f} ms, {sum(pauses) * 1e3:.0f} ms in all")
    return lines


def run(connections: list[int], requests: int, stream: bool) -> str:
    work = Path(tempfile.mkdtemp(prefix="perf-timeline-"))
    fake, _ = processes.start_fake(delay=5.0, chunk_interval=0.002)
    port = processes.free_port()
    gateway = processes.spawn_gateway(processes.gateway_env(fake.port, port, service_account=None), work / "gateway.log", config=str(CONFIG))
    lines: list[str] = []
    try:
        target = scenarios.gateway_target(port, scenarios.chat_body(stream=stream))
        scenarios.first_answer(target, time.perf_counter())
        worker = processes.worker_pid(gateway)
        asyncio.run(_load(target, 300, 16))
        for count in connections:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{DUMP_PATH}").read()
            ran, waited = _schedstat(worker)
            samples = asyncio.run(_load(target, requests, count))
            ran_after, waited_after = _schedstat(worker)
            record = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}{DUMP_PATH}").read())
            lines.append(f"{count} connections, {len(samples)} {'streams' if stream else 'requests'}; the worker ran {ran_after - ran:.2f} s and waited {waited_after - waited:.2f} s for a core")
            lines.extend(analyse(samples, record))
    finally:
        gateway.stop()
        fake.stop()
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Per-request timeline of the gateway's worker under closed-loop load.")
    parser.add_argument("--connections", default="16,64", help="comma-separated connection counts")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--stream", action="store_true", help="50-chunk streams instead of chat requests")
    args = parser.parse_args(argv)
    sys.stdout.write(run([int(n) for n in args.connections.split(",")], args.requests, args.stream))
    return 0


if __name__ == "__main__":
    sys.exit(main())
