"""The benchmark's variant gateways: what the shared state costs per request, and two workers.

- **State**: the same chat load on three gateways: random choice (the state is read at most
  every 0.5 s, nothing per request: the baseline), round-robin on SQLite (one counter step per
  request in ``DATA_DIR``) and round-robin on Redis (one ``INCR``, on a ``redis-server`` started
  here on loopback; skipped with a warning when it is not installed). The figures are the
  CPU-ms per request each adds to the baseline.
- **Two workers**: requests/s at 64 connections with ``WEB_CONCURRENCY=2`` divided by the same
  with one worker. On a 2-core machine the load generator and the fake take CPU from the same
  cores, so the client's and the fake's CPU are reported with it. The same again with nginx as
  the upstream and wrk as the load (:mod:`tests.perf.native_load`), which take about half the
  CPU the Python pair takes: the ratio the target is read on.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from . import native_load, procfs, processes, scenarios
from .processes import Process

Figures = dict[str, float]
Warn = Callable[[str], None]


@contextmanager
def _serving(upstream_port: int, log_dir: Path, name: str, extra: dict[str, str], workers: int = 1) -> Iterator[tuple[scenarios.Target, list[int]]]:
    """A gateway (``extra`` in its environment) in front of ``upstream_port``, answering chat:
    its chat target and its workers' pids. Stopped afterwards."""
    port = processes.free_port()
    env = processes.gateway_env(upstream_port, port, service_account=None, extra=extra)
    gateway = processes.spawn_gateway(env, log_dir / f"{name}.log")
    try:
        chat = scenarios.gateway_target(port, scenarios.chat_body())
        scenarios.first_answer(chat, time.perf_counter())
        yield chat, processes.worker_pids(gateway, workers)
    finally:
        gateway.stop()


def _chat_cpu(fake: Process, log_dir: Path, name: str, extra: dict[str, str], requests: int, connections: int) -> float:
    with _serving(fake.port, log_dir, name, extra) as (chat, (worker,)):
        scenarios.measure(chat, worker, 200, connections)
        return scenarios.measure(chat, worker, requests, connections).cpu_ms_each


def state_cost(fake: Process, log_dir: Path, requests: int, connections: int, warn: Warn) -> Figures:
    """CPU-ms per chat request that round-robin on SQLite and on Redis add to random choice."""
    baseline = _chat_cpu(fake, log_dir, "state-none", {"ROUNDROBIN": "false"}, requests, connections)
    figures = {"state_sqlite": _chat_cpu(fake, log_dir, "state-sqlite", {"ROUNDROBIN": "true"}, requests, connections) - baseline}
    if shutil.which("redis-server") is None:
        warn("redis-server is not installed: no Redis state figure (apt-get install redis-server)")
        return figures
    from tests.support.redis_server import RedisServer

    server = RedisServer(Path(tempfile.mkdtemp(prefix="perf-redis-"))).start()
    try:
        extra = {"ROUNDROBIN": "true", "REDIS_URL": server.url}
        figures["state_redis"] = _chat_cpu(fake, log_dir, "state-redis", extra, requests, connections) - baseline
    finally:
        server.stop()
    return figures


def _rate(fake: Process, log_dir: Path, workers: int, requests: int, connections: int) -> scenarios.Measured:
    with _serving(fake.port, log_dir, f"workers-{workers}", {"WEB_CONCURRENCY": str(workers)}, workers) as (chat, pids):
        scenarios.measure(chat, pids[0], 500, connections)
        return scenarios.measure(chat, pids[0], requests, connections)


def two_workers(fake: Process, log_dir: Path, requests: int, connections: int) -> Figures:
    """Requests/s of two workers ÷ one, and the cores the load generator and the fake used."""
    one = _rate(fake, log_dir, 1, requests, connections)
    fake_before = procfs.cpu_seconds(fake.pid)
    two = _rate(fake, log_dir, 2, requests, connections)
    fake_cores = (procfs.cpu_seconds(fake.pid) - fake_before) / two.result.wall if two.result.wall else 0.0
    return {
        "rps_one_worker": one.rate,
        "rps_two_workers": two.rate,
        "two_worker_scaling": two.rate / one.rate if one.rate else 0.0,
        "two_worker_client_cores": two.client_load,
        "two_worker_fake_cores": fake_cores,
    }


def _native_rate(upstream: Process, log_dir: Path, workers: int, connections: int, seconds: float) -> tuple[native_load.WrkRun, list[float], float]:
    """wrk's run against ``workers`` workers, each worker's CPU seconds in it, and nginx's."""
    with _serving(upstream.port, log_dir, f"native-workers-{workers}", {"WEB_CONCURRENCY": str(workers)}, workers) as (chat, pids):
        url, headers = f"http://{chat.host}:{chat.port}/v1/chat/completions", {"Authorization": f"Bearer {processes.API_KEY}"}
        native_load.warm(url, scenarios.chat_body(), headers, connections)
        before, upstream_before = [procfs.cpu_seconds(pid) for pid in pids], procfs.cpu_seconds(upstream.pid)
        run = native_load.wrk(url, scenarios.chat_body(), headers, connections, seconds)
        spent = [procfs.cpu_seconds(pid) - start for pid, start in zip(pids, before)]
        return run, spent, procfs.cpu_seconds(upstream.pid) - upstream_before


def two_workers_native(log_dir: Path, connections: int, seconds: float, warn: Warn) -> Figures:
    """Two workers ÷ one with nginx upstream and wrk load; each worker's share of the CPU."""
    if absent := native_load.missing():
        warn(f"{' and '.join(absent)} not installed: no two-worker figure with nginx and wrk (apt-get install nginx-light wrk)")
        return {}
    upstream = native_load.start_nginx()
    try:
        one, _, _ = _native_rate(upstream, log_dir, 1, connections, seconds)
        two, spent, upstream_cpu = _native_rate(upstream, log_dir, 2, connections, seconds)
    finally:
        upstream.stop()
    for run, workers in ((one, 1), (two, 2)):
        if run.failed:
            warn(f"two workers with nginx and wrk: {run.failed} of {run.requests} requests to {workers} worker(s) failed")
    return {
        "native_rps_one_worker": one.rate,
        "native_rps_two_workers": two.rate,
        "native_two_worker_scaling": two.rate / one.rate if one.rate else 0.0,
        "native_two_worker_balance": min(spent) / max(spent) if max(spent) else 0.0,
        "native_two_worker_client_cores": two.cores,
        "native_two_worker_upstream_cores": upstream_cpu / two.seconds if two.seconds else 0.0,
    }
