"""The performance benchmark of issue 7, in one command: ``python3 -m tests.perf.bench``.

Each repeat starts a fresh fake Vertex (:mod:`tests.perf.fake_vertex`) and measures it called
directly, then starts the gateway under gunicorn (``gunicorn.conf.py``, one gevent worker,
Express key) and measures the same workloads through it, then a second gateway with a service
account for two extra figures, and the variants of :mod:`tests.perf.variants` (the shared state's
cost per request; with ``--two-workers``, two workers against one). CPU time and memory come
from ``/proc`` (the gunicorn worker for the gateway, master + worker for memory, the fake's
process for the direct column); tail latency is the client's p50 and p99 at 16 and 64
connections. The table shows the median and range
over the repeats, and warnings when the machine was busy or the repeats disagree.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import orjson

from . import procfs, processes, report, scenarios, variants
from .processes import Process

logger = logging.getLogger("perf.bench")
Figures = dict[str, float]


@dataclass(frozen=True)
class Plan:
    latency_requests: int = 400
    rate_requests: int = 4000
    streams: int = 800
    large_requests: int = 1000
    burst: int = 1000
    sa_requests: int = 2000
    concurrency: int = 16
    wide: int = 64
    stream_delay: float = 5.0
    chunk_interval: float = 0.002
    native_seconds: float = 10.0


# The fake is ~100 times cheaper than the gateway: more requests keep its CPU figures above the
# 10 ms resolution of /proc/<pid>/stat.
DIRECT_SCALE = 5
OTHERS_LIMIT = 0.10  # share of the machine other processes may use before a repeat is called noisy
QUICK = Plan(latency_requests=150, rate_requests=1500, streams=300, large_requests=300, sa_requests=600, native_seconds=5.0)


class Bench:
    def __init__(self, plan: Plan, log_dir: Path, scaling: bool = False) -> None:
        self.plan = plan
        self.log_dir = log_dir
        self.scaling = scaling
        self.warnings: list[str] = []

    def _client_bound(self, what: str, measured: scenarios.Measured) -> None:
        if measured.client_load > 0.85:
            self.warnings.append(f"{what}: the load generator used {measured.client_load:.0%} of a core; the figure may be client-bound")

    def _failed(self, what: str, measured: scenarios.Measured) -> None:
        if measured.result.failed:
            self.warnings.append(f"{what}: {measured.result.failed} failed requests {dict(measured.result.failures)}")

    def direct(self, fake: Process, since: float) -> Figures:
        """The fake upstream called directly: the floor of every figure."""
        plan, port, pid = self.plan, fake.port, fake.pid
        figures = {"startup": scenarios.first_answer(scenarios.direct_target(port), since), "idle_rss": procfs.rss_mb(pid)}
        scenarios.measure(scenarios.direct_target(port), pid, 200, plan.concurrency)
        latency = scenarios.measure(scenarios.direct_target(port), pid, plan.latency_requests * DIRECT_SCALE, 1)
        rate = scenarios.measure(scenarios.direct_target(port), pid, plan.rate_requests * DIRECT_SCALE * 4, plan.concurrency)
        streams = scenarios.measure(scenarios.direct_target(port, stream=True), pid, plan.streams * DIRECT_SCALE, plan.concurrency)
        burst, peak = scenarios.burst(scenarios.direct_target(port, stream=True, delayed=True), pid, plan.burst)
        self._client_bound("direct requests/s", rate)
        self._client_bound("direct 1000 streams", burst)
        for what, measured in (("direct latency", latency), ("direct rate", rate), ("direct streams", streams), ("direct burst", burst)):
            self._failed(what, measured)
        return {
            **figures,
            "latency": latency.median_ms,
            "rps": rate.rate,
            "cpu_request": rate.cpu_ms_each,
            "cpu_stream": streams.cpu_ms_each,
            "burst_complete": burst.result.ok,
            "burst_wall": burst.result.wall,
            "burst_rss": peak,
            "burst_cpu": burst.cpu_ms_each,
        }

    def start_gateway(self, fake: Process, name: str, service_account: str | None) -> tuple[Process, int, float]:
        port = processes.free_port()
        env = processes.gateway_env(fake.port, port, service_account=service_account)
        since = time.perf_counter()
        gateway = processes.spawn_gateway(env, self.log_dir / f"{name}.log")
        startup = scenarios.first_answer(scenarios.gateway_target(port, scenarios.chat_body()), since)
        return gateway, processes.worker_pid(gateway), startup

    def gateway(self, fake: Process, direct_latency: float) -> Figures:
        plan = self.plan
        gateway, worker, startup = self.start_gateway(fake, "gateway-express", None)
        try:
            time.sleep(0.3)
            worker_rss, master_rss = procfs.rss_mb(worker), procfs.rss_mb(gateway.pid)
            figures = {"startup": startup, "idle_rss": worker_rss + master_rss, "worker_idle_rss": worker_rss, "master_rss": master_rss}
            figures["idle_once"] = worker_rss + procfs.private_mb(gateway.pid)
            chat = scenarios.gateway_target(gateway.port, scenarios.chat_body())
            stream = scenarios.gateway_target(gateway.port, scenarios.chat_body(stream=True))
            scenarios.measure(chat, worker, 200, plan.concurrency)
            scenarios.measure(stream, worker, 30, plan.concurrency)
            scenarios.measure(chat, worker, 4 * plan.wide, plan.wide)  # the upstream pool grows to 64 first
            latency = scenarios.measure(chat, worker, plan.latency_requests, 1)
            rate = scenarios.measure(chat, worker, plan.rate_requests, plan.concurrency)
            wide = scenarios.measure(chat, worker, plan.rate_requests, plan.wide)
            streams = scenarios.measure(stream, worker, plan.streams, plan.concurrency)
            at_once = scenarios.measure(scenarios.gateway_target(gateway.port, scenarios.chat_body(stream=True, at_once=True)), worker, plan.streams, plan.concurrency)
            wide_streams = scenarios.measure(stream, worker, plan.streams, plan.wide)
            messages = scenarios.measure(scenarios.messages_target(gateway.port), worker, plan.streams, plan.concurrency)
            responses = scenarios.measure(scenarios.responses_target(gateway.port), worker, plan.streams, plan.concurrency)
            figures.update({**rate.tail("chat", plan.concurrency), **wide.tail("chat", plan.wide)})
            figures.update({**streams.tail("stream", plan.concurrency), **wide_streams.tail("stream", plan.wide)})
            large = scenarios.measure(scenarios.gateway_target(gateway.port, scenarios.chat_body(large=True)), worker, plan.large_requests, plan.concurrency)
            delayed = scenarios.gateway_target(gateway.port, scenarios.chat_body(stream=True, delayed=True))
            burst, peak = scenarios.burst(delayed, worker, plan.burst, master=gateway.pid)
        finally:
            gateway.stop()
        self._client_bound("gateway requests/s", rate)
        self._client_bound("gateway 1000 streams", burst)
        for what, measured in (("latency", latency), ("rate", rate), ("wide", wide), ("streams", streams), ("streams at once", at_once), ("wide streams", wide_streams), ("messages streams", messages), ("responses streams", responses), ("large", large), ("burst", burst)):
            self._failed(f"gateway {what}", measured)
        return {
            **figures,
            "latency": latency.median_ms,
            "added_latency": latency.median_ms - direct_latency,
            "rps": rate.rate,
            "cpu_request": rate.cpu_ms_each,
            "cpu_stream": streams.cpu_ms_each,
            "cpu_stream_at_once": at_once.cpu_ms_each,
            "cpu_messages_stream": messages.cpu_ms_each,
            "messages_vs_chat": messages.cpu_ms_each / streams.cpu_ms_each if streams.cpu_ms_each else 0.0,
            "cpu_responses_stream": responses.cpu_ms_each,
            "responses_vs_chat": responses.cpu_ms_each / streams.cpu_ms_each if streams.cpu_ms_each else 0.0,
            "cpu_large": large.cpu_ms_each,
            "burst_complete": burst.result.ok,
            "burst_wall": burst.result.wall,
            "burst_rss": peak,
            "burst_cpu": burst.cpu_ms_each,
        }

    def service_account(self, fake: Process, direct_latency: float) -> Figures:
        key = processes.service_account_json(f"http://127.0.0.1:{fake.port}/token")
        gateway, worker, _ = self.start_gateway(fake, "gateway-service-account", key)
        try:
            chat = scenarios.gateway_target(gateway.port, scenarios.chat_body())
            scenarios.measure(chat, worker, 200, self.plan.concurrency)
            latency = scenarios.measure(chat, worker, self.plan.latency_requests, 1)
            rate = scenarios.measure(chat, worker, self.plan.sa_requests, self.plan.concurrency)
        finally:
            gateway.stop()
        self._failed("service account", rate)
        return {"sa_cpu_request": rate.cpu_ms_each, "sa_added_latency": latency.median_ms - direct_latency}

    def repeat(self, number: int) -> tuple[Figures, Figures]:
        usage = procfs.Usage.now()
        since = time.perf_counter()
        fake, _ = processes.start_fake(delay=self.plan.stream_delay, chunk_interval=self.plan.chunk_interval)
        try:
            direct = self.direct(fake, since)
            gateway = self.gateway(fake, direct["latency"])
            gateway.update(self.service_account(fake, direct["latency"]))
            gateway.update(variants.state_cost(fake, self.log_dir, self.plan.sa_requests, self.plan.concurrency, self.warnings.append))
            if self.scaling:
                gateway.update(variants.two_workers(fake, self.log_dir, self.plan.rate_requests, self.plan.wide))
                gateway.update(variants.two_workers_native(self.log_dir, self.plan.wide, self.plan.native_seconds, self.warnings.append))
        finally:
            fake.stop()
        others = procfs.Usage.now().others_since(usage)
        if others > OTHERS_LIMIT:
            self.warnings.append(f"repeat {number}: other processes used {others:.0%} of the machine's CPU; its figures are noisy")
        return gateway, direct


def machine_line() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    cores = len(os.sched_getaffinity(0))
    return f"{date.today().isoformat()}, {cores} cores ({model}), Python {platform.python_version()}, Linux {platform.release()}"


def check_machine(warnings: list[str]) -> None:
    sample = procfs.machine_sample(1.0)
    if sample.busy > OTHERS_LIMIT:
        warnings.append(f"the machine was {sample.busy:.0%} busy before the run (load {sample.load1}); figures will be noisy")
    if sample.steal > 0.05:
        warnings.append(f"the hypervisor stole {sample.steal:.0%} of CPU time before the run; figures will be noisy")


def collect(results: list[tuple[Figures, Figures]]) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    gateway: dict[str, list[float]] = {}
    direct: dict[str, list[float]] = {}
    for gateway_run, direct_run in results:
        for key, value in gateway_run.items():
            gateway.setdefault(key, []).append(value)
        for key, value in direct_run.items():
            direct.setdefault(key, []).append(value)
    return gateway, direct


def render(gateway: dict[str, list[float]], direct: dict[str, list[float]], plan: Plan, repeats: int, markdown: bool) -> str:
    table = report.rows(gateway, direct)
    body = report.markdown_table(table) if markdown else report.text_table(table)
    setup = (
        f"{repeats} repeats; {plan.concurrency} connections; streams of 50 chunks {plan.chunk_interval * 1000:g} ms apart; "
        f"delayed streams wait {plan.stream_delay:g} s; '~' marks a spread over {report.NOISE_SPREAD:.0%}"
    )
    return f"Machine: {machine_line()}\n{setup}\n\n{body}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the gateway against a fake Vertex (issue 7).")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="fewer requests per figure (about a minute in all)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    parser.add_argument("--json", type=Path, help="also write every repeat's raw figures to this file")
    parser.add_argument("--logs", type=Path, help="keep the gateway logs in this folder")
    parser.add_argument("--two-workers", action="store_true", help="also compare two workers with one (needs a quiet machine)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    plan = QUICK if args.quick else Plan()
    log_dir = args.logs or Path(tempfile.mkdtemp(prefix="perf-bench-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    bench = Bench(plan, log_dir, scaling=args.two_workers)
    check_machine(bench.warnings)
    processes.compile_bytecode()
    results = []
    for number in range(1, args.repeats + 1):
        logger.info("repeat %d of %d", number, args.repeats)
        results.append(bench.repeat(number))
    gateway, direct = collect(results)
    if args.json:
        args.json.write_bytes(orjson.dumps({"machine": machine_line(), "plan": plan.__dict__, "runs": results}, option=orjson.OPT_INDENT_2))
    bench.warnings.extend(f"noisy: {label}" for label in report.noisy_figures(gateway))
    sys.stdout.write(render(gateway, direct, plan, args.repeats, args.markdown))
    for warning in bench.warnings:
        sys.stdout.write(f"WARNING: {warning}\n")
    failed = any(value < plan.burst for value in gateway.get("burst_complete", []))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
