"""Where the worker's memory goes while 1000 delayed streams are open (tracemalloc, by line).

``python3 -m tests.perf.memory_probe [--streams 1000]`` starts the fake Vertex and the gateway
with :mod:`tests.perf.gunicorn_tracemalloc` (the repo's ``gunicorn.conf.py`` plus tracemalloc in
the worker), takes a snapshot before the burst and one while every stream waits on the upstream,
and prints the allocation sites that grew most, per open stream. tracemalloc sees the Python
allocators only (objects, buffers, greenlet stack copies), not memory that C libraries take
with ``malloc`` directly, and it slows the worker: read the shares, not the timings.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from . import loadgen, procfs, processes, scenarios

CONFIG = Path(__file__).with_name("gunicorn_tracemalloc.py")


def _snapshot(trigger: Path, output: Path, timeout: float = 30.0) -> str:
    trigger.write_text(str(output))
    deadline = time.monotonic() + timeout
    while trigger.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return output.read_text()


async def _burst_with_snapshot(target: loadgen.Target, count: int, after: float, trigger: Path, output: Path) -> str:
    load = asyncio.create_task(loadgen.run(target, count, count))
    await asyncio.sleep(after)
    text = await asyncio.to_thread(_snapshot, trigger, output)
    await load
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="tracemalloc view of the worker during 1000 delayed streams.")
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--delay", type=float, default=8.0, help="seconds the upstream waits before streaming")
    parser.add_argument("--at", type=float, default=5.0, help="seconds into the burst to take the snapshot")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="perf-memory-"))
    fake, _ = processes.start_fake(delay=args.delay, chunk_interval=0.002)
    port = processes.free_port()
    env = processes.gateway_env(fake.port, port, service_account=None)
    env.update(PERF_TRACE_TRIGGER=str(work / "trigger"), PERF_TRACE_TOP=str(args.top), PERF_TRACE_STREAMS=str(args.streams))
    gateway = processes.spawn_gateway(env, work / "gateway.log", config=str(CONFIG))
    try:
        chat = scenarios.gateway_target(port, scenarios.chat_body())
        scenarios.first_answer(chat, time.perf_counter())
        worker = processes.worker_pid(gateway)
        scenarios.measure(chat, worker, 200, 16)
        scenarios.measure(scenarios.gateway_target(port, scenarios.chat_body(stream=True)), worker, 30, 16)
        _snapshot(work / "trigger", work / "baseline.txt")
        rss_before = procfs.rss_mb(worker)
        delayed = scenarios.gateway_target(port, scenarios.chat_body(stream=True, delayed=True))
        text = asyncio.run(_burst_with_snapshot(delayed, args.streams, args.at, work / "trigger", work / "burst.txt"))
        sys.stdout.write(f"worker RSS before the burst (with tracemalloc): {rss_before:.0f} MB; peak {procfs.peak_rss_mb(worker):.0f} MB\n")
        sys.stdout.write(text)
    finally:
        gateway.stop()
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
