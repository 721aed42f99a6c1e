"""The benchmark's table: each figure's median and range, next to its target and the direct figure."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Literal, Sequence

Better = Literal["lower", "higher"]
NOISE_SPREAD = 0.20  # (max - min) / median above this marks a figure as noisy


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    target: float | None
    better: Better = "lower"

    def meets(self, value: float) -> bool | None:
        if self.target is None:
            return None
        return value <= self.target if self.better == "lower" else value >= self.target

    def target_text(self) -> str:
        if self.target is None:
            return ""
        sign = "≤" if self.better == "lower" else "≥"
        return f"{sign} {self.target:g}"


FIGURES = (
    Figure("cpu_request", "CPU-ms per non-streaming request", 0.8),
    Figure("cpu_stream_at_once", "CPU-ms per 50-chunk stream, upstream answering at once (the issue's setup)", 1.2),
    Figure("cpu_stream", "CPU-ms per 50-chunk stream, events 2 ms apart", None),
    Figure("cpu_messages_stream", "CPU-ms per 50-chunk Messages (Anthropic) stream", None),
    Figure("messages_vs_chat", "Messages stream ÷ chat stream, CPU", 1.15),
    Figure("cpu_responses_stream", "CPU-ms per 50-chunk Responses stream (stored)", None),
    Figure("responses_vs_chat", "Responses stream ÷ chat stream, CPU", 1.15),
    Figure("latency", "median latency at concurrency 1 (ms)", None),
    Figure("added_latency", "added latency at concurrency 1, median (ms)", 2.0),
    Figure("rps", "requests/s at 16 connections", 600, "higher"),
    Figure("chat_p50_16", "chat at 16 connections: p50 latency (ms)", None),
    Figure("chat_p99_16", "chat at 16 connections: p99 latency (ms)", None),
    Figure("chat_tail_16", "chat at 16 connections: p99 ÷ p50", 3.0),
    Figure("chat_p50_64", "chat at 64 connections: p50 latency (ms)", None),
    Figure("chat_p99_64", "chat at 64 connections: p99 latency (ms)", None),
    Figure("chat_tail_64", "chat at 64 connections: p99 ÷ p50", 3.0),
    Figure("stream_p50_16", "streams at 16 connections: p50 latency (ms)", None),
    Figure("stream_p99_16", "streams at 16 connections: p99 latency (ms)", None),
    Figure("stream_tail_16", "streams at 16 connections: p99 ÷ p50", 3.0),
    Figure("stream_p50_64", "streams at 64 connections: p50 latency (ms)", None),
    Figure("stream_p99_64", "streams at 64 connections: p99 latency (ms)", None),
    Figure("stream_tail_64", "streams at 64 connections: p99 ÷ p50", 3.0),
    Figure("burst_complete", "1000 delayed streams: completed", 1000, "higher"),
    Figure("burst_wall", "1000 delayed streams: wall time (s)", 6.5),
    Figure("burst_rss", "1000 delayed streams: peak RSS, master + worker (MB)", 130),
    Figure("startup", "start-up to first answered request (s)", 0.5),
    Figure("idle_rss", "idle RSS, master + worker (MB)", 60),
    Figure("idle_once", "idle memory, master + worker, pages they share counted once (MB)", None),
    Figure("worker_idle_rss", "idle RSS of the worker alone (MB)", None),
    Figure("cpu_large", "CPU-ms per request, 41 messages + 3 tools", None),
    Figure("burst_cpu", "CPU-ms per delayed stream (1000-stream run)", None),
    Figure("sa_cpu_request", "service account: CPU-ms per non-streaming request", None),
    Figure("sa_added_latency", "service account: added latency, median (ms)", None),
    Figure("master_rss", "gunicorn master process RSS (MB)", None),
    Figure("state_sqlite", "state: CPU-ms per request added by round-robin on SQLite", 0.1),
    Figure("state_redis", "state: CPU-ms per request added by round-robin on Redis", 0.2),
    Figure("rps_one_worker", "one worker: requests/s at 64 connections", None),
    Figure("rps_two_workers", "two workers: requests/s at 64 connections", None),
    Figure("two_worker_scaling", "two workers ÷ one worker, requests/s (Python load and fake on the same cores)", None),
    Figure("two_worker_client_cores", "two workers: cores used by the load generator", None),
    Figure("two_worker_fake_cores", "two workers: cores used by the fake upstream", None),
    Figure("native_rps_one_worker", "nginx upstream, wrk load: one worker, requests/s at 64 connections", None),
    Figure("native_rps_two_workers", "nginx upstream, wrk load: two workers, requests/s at 64 connections", None),
    Figure("native_two_worker_scaling", "nginx upstream, wrk load: two workers ÷ one worker, requests/s", 1.8, "higher"),
    Figure("native_two_worker_balance", "nginx upstream, wrk load: CPU of the less busy worker ÷ the busier", None),
    Figure("native_two_worker_client_cores", "nginx upstream, wrk load: cores used by wrk (two workers)", None),
    Figure("native_two_worker_upstream_cores", "nginx upstream, wrk load: cores used by nginx (two workers)", None),
)
def spread(values: list[float]) -> float:
    middle = statistics.median(values)
    return (max(values) - min(values)) / abs(middle) if middle else 0.0


def number(value: float) -> str:
    """About three significant digits, never in exponent form."""
    size = abs(value)
    if size >= 100:
        return f"{value:.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1:
        return f"{value:.2f}"
    return f"{value:.2g}"


def summary(values: list[float]) -> str:
    """``median [min–max]`` (just the value when there is one run)."""
    if not values:
        return "–"
    text = number(statistics.median(values))
    if len(values) > 1:
        text += f" [{number(min(values))}–{number(max(values))}]"
    if len(values) > 1 and spread(values) > NOISE_SPREAD:
        text += " ~"
    return text


def verdict(figure: Figure, values: list[float]) -> str:
    if not values:
        return ""
    met = figure.meets(statistics.median(values))
    return {None: "", True: "yes", False: "NO"}[met]


def rows(gateway: dict[str, list[float]], direct: dict[str, list[float]]) -> list[tuple[str, str, str, str, str]]:
    """(figure, target, gateway, met?, direct upstream) for every figure measured."""
    return [
        (f.label, f.target_text(), summary(gateway.get(f.key, [])), verdict(f, gateway.get(f.key, [])), summary(direct.get(f.key, [])))
        for f in FIGURES
        if gateway.get(f.key) or direct.get(f.key)
    ]


HEADER = ("figure", "target", "gateway: median [range]", "met", "fake upstream direct")


def text_table(table: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in [HEADER, *table]) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [HEADER, *table]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(table: Sequence[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    lines.extend("| " + " | ".join(row) + " |" for row in table)
    return "\n".join(lines)


def noisy_figures(gateway: dict[str, list[float]]) -> list[str]:
    """Labels of the gateway figures whose repeats disagree by more than :data:`NOISE_SPREAD`.

    The direct column is the floor, often a few microseconds, where a relative spread says little.
    """
    return [
        f"{figure.label} (spread {spread(values):.0%})"
        for figure in FIGURES
        if figure.key != "burst_complete" and len(values := gateway.get(figure.key, [])) > 1 and spread(values) > NOISE_SPREAD
    ]
