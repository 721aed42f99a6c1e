"""The benchmark's workloads: what is sent, to whom, and the figures read from ``/proc`` around it."""

from __future__ import annotations

import asyncio
import resource
import statistics
import time
from dataclasses import dataclass
from typing import Any

from . import loadgen, procfs
from .fake_vertex import AT_ONCE_MARKER, CHUNKS, DELAY_MARKER
from .loadgen import Target
from .processes import API_KEY, EXPRESS_KEY

HOST = "127.0.0.1"
MODEL = "gemini-2.5-flash"
DIRECT_PATH = f"/v1/publishers/google/models/{MODEL}"
PROMPT = "Say hello"


def chat_body(*, stream: bool = False, delayed: bool = False, large: bool = False, at_once: bool = False) -> dict[str, Any]:
    """A chat request; ``delayed`` and ``at_once`` put the fake's markers in the prompt."""
    text = f"{PROMPT} {DELAY_MARKER.decode()}" if delayed else f"{PROMPT} {AT_ONCE_MARKER.decode()}" if at_once else PROMPT
    messages: list[dict[str, Any]] = large_conversation() if large else []
    body: dict[str, Any] = {"model": MODEL, "messages": [*messages, {"role": "user", "content": text}]}
    if large:
        body.update(tools=TOOLS, temperature=0.3, max_tokens=512)
    if stream:
        body["stream"] = True
    return body


def large_conversation(turns: int = 20) -> list[dict[str, Any]]:
    """A system prompt and ``turns`` user/assistant exchanges (about 10 KB of JSON)."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": "You are a concise assistant. " * 8}]
    for turn in range(turns):
        messages.append({"role": "user", "content": f"Question {turn}: what is the capital of country number {turn}? " * 3})
        messages.append({"role": "assistant", "content": f"The capital of country number {turn} is City {turn}. " * 3})
    return messages


def _tool(name: str, properties: dict[str, Any]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}
    return {"type": "function", "function": {"name": name, "description": f"The {name} tool.", "parameters": schema}}


TOOLS = [
    _tool("get_weather", {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}}),
    _tool("search_web", {"query": {"type": "string"}, "limit": {"type": "integer", "minimum": 1, "maximum": 10}}),
    _tool("send_email", {"to": {"type": "array", "items": {"type": "string"}}, "subject": {"type": "string"}, "body": {"type": "string"}}),
]


def gateway_target(port: int, body: dict[str, Any]) -> Target:
    request = loadgen.http_request(HOST, port, "/v1/chat/completions", body, {"Authorization": f"Bearer {API_KEY}"})
    check = loadgen.expect_sse(CHUNKS, done=True) if body.get("stream") else loadgen.expect_json(b'"chat.completion"')
    return Target(HOST, port, request, check)


def messages_target(port: int) -> Target:
    """A streamed ``POST /v1/messages`` (Anthropic's Messages API) with the chat prompt."""
    body = {"model": MODEL, "max_tokens": 256, "stream": True, "messages": [{"role": "user", "content": PROMPT}]}
    headers = {"x-api-key": API_KEY, "anthropic-version": "2023-06-01"}
    request = loadgen.http_request(HOST, port, "/v1/messages", body, headers)
    return Target(HOST, port, request, loadgen.expect_sse(CHUNKS, done=False, last_event=b"message_stop"))


def responses_target(port: int) -> Target:
    """A streamed ``POST /v1/responses`` (OpenAI's Responses API, stored as by default)."""
    body = {"model": MODEL, "input": PROMPT, "stream": True}
    request = loadgen.http_request(HOST, port, "/v1/responses", body, {"Authorization": f"Bearer {API_KEY}"})
    return Target(HOST, port, request, loadgen.expect_sse(CHUNKS, done=False, last_event=b"response.completed"))


def direct_target(port: int, *, stream: bool = False, delayed: bool = False) -> Target:
    text = f"{PROMPT} {DELAY_MARKER.decode()}" if delayed else PROMPT
    body = {"contents": [{"role": "user", "parts": [{"text": text}]}]}
    path = f"{DIRECT_PATH}:streamGenerateContent?alt=sse" if stream else f"{DIRECT_PATH}:generateContent"
    request = loadgen.http_request(HOST, port, path, body, {"x-goog-api-key": EXPRESS_KEY})
    check = loadgen.expect_sse(CHUNKS, done=False) if stream else loadgen.expect_json(b'"candidates"')
    return Target(HOST, port, request, check)


@dataclass
class Measured:
    """One run: the client's result and the CPU the measured process and the client spent."""

    result: loadgen.RunResult
    cpu: float
    client_cpu: float

    @property
    def cpu_ms_each(self) -> float:
        return self.cpu * 1000 / max(1, self.result.ok)

    @property
    def client_load(self) -> float:
        """Share of one core the load generator used (near 1.0: the client limited the figure)."""
        return self.client_cpu / self.result.wall if self.result.wall else 0.0

    @property
    def rate(self) -> float:
        return self.result.ok / self.result.wall if self.result.wall else 0.0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.result.latencies) * 1000 if self.result.latencies else float("nan")

    def percentile_ms(self, share: float) -> float:
        """The latency that ``share`` of the requests stayed under (0.99: the p99), in ms."""
        ordered = sorted(self.result.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000

    def tail(self, kind: str, connections: int) -> dict[str, float]:
        """The p50 and p99 latencies (ms) and p99 ÷ p50, keyed ``{kind}_p50_{connections}``..."""
        p50, p99 = self.percentile_ms(0.50), self.percentile_ms(0.99)
        return {f"{kind}_p50_{connections}": p50, f"{kind}_p99_{connections}": p99, f"{kind}_tail_{connections}": p99 / p50}


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(target: Target, pid: int, total: int, concurrency: int) -> Measured:
    """Run the load and read ``pid``'s CPU time before and after."""
    cpu_before, client_before = procfs.cpu_seconds(pid), _own_cpu()
    result = asyncio.run(loadgen.run(target, total, concurrency))
    return Measured(result, procfs.cpu_seconds(pid) - cpu_before, _own_cpu() - client_before)


async def _sample_rss(pids: tuple[int, ...], peak: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], sum(procfs.rss_mb(pid) for pid in pids))
        try:
            await asyncio.wait_for(stop.wait(), 0.02)
        except asyncio.TimeoutError:
            pass


async def _burst(target: Target, pids: tuple[int, ...], count: int) -> tuple[loadgen.RunResult, float]:
    peak = [0.0]
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_rss(pids, peak, stop))
    result = await loadgen.run(target, count, count)
    stop.set()
    await sampler
    return result, max(peak[0], sum(procfs.peak_rss_mb(pid) for pid in pids))


def burst(target: Target, pid: int, count: int, master: int | None = None) -> tuple[Measured, float]:
    """``count`` concurrent requests at once; returns the run and the peak RSS (MB) of ``pid``
    (plus ``master``'s, sampled together, when given: the master's RSS barely moves)."""
    cpu_before, client_before = procfs.cpu_seconds(pid), _own_cpu()
    pids = (pid,) if master is None else (pid, master)
    result, peak = asyncio.run(_burst(target, pids, count))
    return Measured(result, procfs.cpu_seconds(pid) - cpu_before, _own_cpu() - client_before), peak


def first_answer(target: Target, since: float, timeout: float = 30.0) -> float:
    """Seconds from ``since`` (a perf_counter reading) until ``target`` first answers well."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        result = asyncio.run(loadgen.run(target, 1, 1))
        if result.ok:
            return time.perf_counter() - since
        time.sleep(0.01)
    raise RuntimeError("no answer before the start-up timeout")
