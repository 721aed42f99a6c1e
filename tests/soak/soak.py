"""Soak test: the gateway under real gunicorn (gevent, one worker) against a faulty upstream.

    python3 -m tests.soak.soak                       # 60 s, 200 clients
    python3 -m tests.soak.soak --duration 300 --clients 300 --json soak.json

The Vertex emulator runs in this process and answers with a random mix of streams, slow
starts, slow bytes, 429s, 500s, 503s, cuts and error events mid-stream, and dropped
connections (:mod:`.faults`). Hundreds of client threads send streaming and non-streaming
chats, and some hang up early (:mod:`.clients`). The gateway's worker reports its file
descriptors, resident memory and greenlets through ``/debug/runtime`` (``DEBUG_RUNTIME_STATS``).

The run fails (exit status 1) when a request was lost, an upstream stream stayed open, the
worker logged a traceback, or the worker's greenlets, descriptors or memory did not come back
to the baseline measured after a warm-up at full load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import requests

from tests.emulator import VertexEmulator
from tests.soak.clients import Tally, run_client
from tests.soak.faults import FaultInjector

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "sk-soak-" + os.urandom(8).hex()
RSS_SLACK = 0.15  # allowed RSS growth over the warm baseline (allocator arenas, caches)
FD_SLACK = 8  # allowed descriptor growth (pooled upstream connections kept alive)
GREENLET_SLACK = 5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gateway(emulator: VertexEmulator, workdir: Path, express: int, accounts: int) -> Iterator[tuple[str, Path]]:
    keys = [emulator.new_express_key() for _ in range(express)]
    service_accounts = [emulator.new_service_account(f"soak-{i}") for i in range(accounts)]
    port = _free_port()
    env = {
        **os.environ,
        "API_KEY": API_KEY,
        "VERTEX_BASE_URL": emulator.url,
        "VERTEX_EXPRESS_API_KEY": ",".join(keys),
        "GOOGLE_CREDENTIALS_JSON": ",".join(json.dumps(k.info) for k in service_accounts),
        "CREDENTIALS_DIR": str(workdir / "none"),
        "ROUNDROBIN": "true",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "DEBUG_RUNTIME_STATS": "true",
        "LOG_LEVEL": "WARNING",
        "CREDENTIAL_COOLDOWN": "2",
        "STREAM_KEEPALIVE_INTERVAL": "1",
        "FIRST_BYTE_DEADLINE": "3",
        "UPSTREAM_READ_TIMEOUT": "15",
        "GRACEFUL_TIMEOUT": "10",
        "MAX_CONNECTIONS_PER_IP": "0",  # every load client connects from 127.0.0.1
    }
    log = workdir / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url, log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            requests.get(url + "/", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def runtime(url: str) -> dict[str, Any]:
    stats: dict[str, Any] = requests.get(url + "/debug/runtime", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30).json()
    return stats


def _load(url: str, clients: int, seconds: float, tally: Tally, seed: int, samples: list[dict[str, Any]]) -> None:
    until = time.monotonic() + seconds
    stop = threading.Event()
    threads = [
        threading.Thread(target=run_client, args=(url, API_KEY, until, tally, seed + i, stop.is_set), daemon=True)
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    while time.monotonic() < until:
        time.sleep(min(5.0, max(0.1, until - time.monotonic())))
        samples.append({"t": round(seconds - (until - time.monotonic()), 1), **runtime(url)})
    stop.set()
    for thread in threads:
        thread.join(90)


def _settle(url: str, emulator: VertexEmulator, baseline: dict[str, Any], seconds: float = 30.0) -> dict[str, Any]:
    """Wait (up to ``seconds``) for the worker to come back to the baseline; the last figures."""
    deadline = time.monotonic() + seconds
    while True:
        now = runtime(url)
        back = _greenlets(now) <= _greenlets(baseline) + GREENLET_SLACK and now["fds"] <= baseline["fds"] + FD_SLACK
        if (back and emulator.open_streams() == 0) or time.monotonic() > deadline:
            return now
        time.sleep(1.0)


def _greenlets(stats: dict[str, Any]) -> int:
    """Greenlets serving requests: gevent's resolver thread pool keeps two idle ones per worker
    thread (it grows under load and stays), which is not a leak."""
    return int(stats["greenlets"]) - 2 * int(stats.get("gevent_threadpool") or 0)


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def soak(duration: float, clients: int, warmup: float, seed: int) -> dict[str, Any]:
    with VertexEmulator() as emulator, tempfile.TemporaryDirectory() as tmp:
        faults = FaultInjector(emulator, seed=seed).start()
        with gateway(emulator, Path(tmp), express=3, accounts=2) as (url, log):
            cold = runtime(url)
            warm_tally, samples = Tally(), []
            _load(url, clients, warmup, warm_tally, seed, [])
            baseline = _settle(url, emulator, cold, 10.0)
            tally = Tally()
            started = time.monotonic()
            _load(url, clients, duration, tally, seed + 10_000, samples)
            elapsed = time.monotonic() - started
            after = _settle(url, emulator, baseline)
            open_streams = emulator.open_streams()
            faults.stop()
            log_text = log.read_text(errors="replace")
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": _machine(),
        "duration_s": round(elapsed, 1),
        "clients": clients,
        "requests": sum(tally.outcomes.values()),
        "outcomes": dict(tally.outcomes),
        "by_kind": dict(sorted(tally.by_kind.items())),
        "statuses": dict(sorted(tally.statuses.items())),
        "lost_examples": tally.lost_examples,
        "upstream_calls_by_credential": dict(sorted(faults.calls_by_credential.items())),
        "upstream_outcomes": dict(faults.outcomes),
        "injected": dict(faults.injected),
        "runtime": {"cold": cold, "baseline": baseline, "peak": _peak(samples), "after": after},
        "open_upstream_streams_after": open_streams,
        "worker_tracebacks": log_text.count("Traceback"),
        "first_traceback": log_text[log_text.find("Traceback"):][:3000] if "Traceback" in log_text else None,
    }


def _peak(samples: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("fds", "rss_bytes", "greenlets", "threads")
    return {key: max((s[key] for s in samples if s.get(key) is not None), default=None) for key in keys}


def verdict(report: dict[str, Any]) -> list[str]:
    """What went wrong (an empty list: the soak passed)."""
    problems = []
    base, after = report["runtime"]["baseline"], report["runtime"]["after"]
    if report["outcomes"].get("lost"):
        problems.append(f"{report['outcomes']['lost']} requests lost")
    if report["open_upstream_streams_after"]:
        problems.append(f"{report['open_upstream_streams_after']} upstream streams still open")
    if report["worker_tracebacks"]:
        problems.append(f"{report['worker_tracebacks']} tracebacks in the worker log")
    if _greenlets(after) > _greenlets(base) + GREENLET_SLACK:
        problems.append(f"greenlets {_greenlets(base)} -> {_greenlets(after)} (besides the resolver pool)")
    if after["fds"] > base["fds"] + FD_SLACK:
        problems.append(f"file descriptors {base['fds']} -> {after['fds']}")
    if after["rss_bytes"] > base["rss_bytes"] * (1 + RSS_SLACK):
        problems.append(f"RSS {base['rss_bytes'] >> 20} MiB -> {after['rss_bytes'] >> 20} MiB")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients (default 200)")
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds of load before the baseline (default 15)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    report = soak(args.duration, args.clients, args.warmup, args.seed)
    problems = verdict(report)
    report["verdict"] = problems or "pass"
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
