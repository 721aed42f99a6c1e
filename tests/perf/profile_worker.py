"""Where the gunicorn worker's CPU goes: py-spy samples under load, turned into µs per request.

``python3 -m tests.perf.profile_worker [--mode chat|stream|stream-at-once|large|responses|messages ...]`` starts the fake Vertex and
the gateway (as the benchmark does), loads it at 16 connections while ``py-spy record --gil``
samples the worker, and prints, for each mode:

- the cost by layer (each sample charged to its innermost frame in gunicorn, gevent, Flask and
  werkzeug, the adapter, requests, urllib3 and http.client, marshmallow or logging; standard
  library helpers such as ``os.environ`` or ``typing`` are charged to the layer that called them);
- the cost centres named in :data:`CENTRES` (inclusive time of a function, or a difference);
- the top functions by inclusive time.

Shares of samples are turned into µs per request with the worker's CPU time per request,
read from ``/proc`` over the same run. ``--gil`` keeps only samples where the worker holds the
GIL, which leaves out time spent waiting in the gevent hub. Needs ``py-spy`` (``pip install
py-spy==0.4.3``) and permission to ptrace the worker (root, or ``ptrace_scope`` 0).
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import processes, scenarios
from .loadgen import Target

Frame = tuple[str, str]  # (function, file)
_FRAME = re.compile(r"(.*) \((.*?):-?\d+\)$")

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("adapter (the gateway's own code)", ("adapter/",)),
    ("requests", ("requests/",)),
    ("urllib3 + http.client (+ email header parser)", ("urllib3/", "http/", "email/")),
    ("gunicorn (parse request, write response, access log)", ("gunicorn/",)),
    ("gevent (sockets, timeouts, hub, queues)", ("gevent/",)),
    ("Flask + werkzeug", ("flask/", "werkzeug/")),
    ("marshmallow", ("marshmallow/",)),
    ("logging", ("logging/",)),
    ("google-auth", ("google/",)),
)
OTHER = "standard library, not under a layer above"

# (label, function names counted in, function names subtracted); a name matches a frame's
# "function (file)" text by substring.
CENTRES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("gunicorn: read and parse the request", ("Parser.__next__ (gunicorn/",), ()),
    ("gunicorn: write the response", ("Response.write (gunicorn/",), ()),
    ("Flask: contexts, routing, hooks (outside the view)", ("Flask.wsgi_app (flask/",), ("Flask.dispatch_request (flask/",)),
    ("adapter: before/after-request hooks (request id, summary log)", ("_begin (adapter/", "_finish (adapter/"), ()),
    ("adapter: summary log line (RequestRecord.log)", ("RequestRecord.log (adapter/",), ()),
    ("adapter: JSON body + validation (load_request_body)", ("load_request_body (adapter/",), ()),
    ("adapter: request translation (to_gemini_request)", ("to_gemini_request (adapter/",), ()),
    ("adapter: response translation (to_chat_completion)", ("to_chat_completion (adapter/",), ()),
    ("adapter: finding the session's pool (SessionPools.target)", ("SessionPools.target (adapter/",), ()),
    ("exchange: send, read the answer's head (exchange.post)", ("post (adapter/upstream/exchange.py",), ()),
    ("stream: pump thread (open, first events)", ("UpstreamPump._run (adapter/",), ()),
    ("stream: reading upstream events (UpstreamStream.read)", ("UpstreamStream.read (adapter/",), ()),
    ("stream: HTTP framing, SSE and JSON decoding (UpstreamStream._decode)", ("UpstreamStream._decode (adapter/",), ()),
    ("stream: chunk translation (ChunkTranslator.feed)", ("ChunkTranslator.feed (adapter/",), ()),
    ("stream: event translation (EventTranslator.feed: Responses, Messages)", ("EventTranslator.feed (adapter/",), ()),
    ("stream: SSE framing of each event (typed_frame, data_frame)", ("typed_frame (adapter/", "data_frame (adapter/"), ()),
    ("Responses: storing the turn (on_finish, put_response)", ("put_response (adapter/",), ()),
    ("stream: relay loop (SSERelay._relay)", ("SSERelay._relay (adapter/",), ()),
    ("stream: gunicorn chunked writes (write_chunk)", ("write_chunk (gunicorn/",), ()),
    ("gevent: Timeout objects per blocking socket wait", ("Timeout._start_new_or_dummy (gevent/",), ()),
    ("uuid4 (request and completion ids)", ("uuid4 (uuid.py",), ()),
)
_CENTRE_NAMES = frozenset(names for _, added, subtracted in CENTRES for names in (added, subtracted) if names)


@dataclass
class Profile:
    total: int
    inclusive: Counter[Frame]
    layers: Counter[str]
    matching: dict[tuple[str, ...], int]

    def share(self, names: tuple[str, ...]) -> float:
        """Share of samples whose stack holds a frame matching one of ``names``."""
        return self.matching.get(names, 0) / self.total if self.total else 0.0


def _frames(stack: str) -> list[Frame]:
    frames = []
    for text in stack.split(";"):
        match = _FRAME.match(text)
        frames.append((match.group(1), match.group(2)) if match else (text, ""))
    return frames


def _layer(frames: list[Frame]) -> str:
    for _, path in reversed(frames):
        for name, prefixes in LAYERS:
            if path.startswith(prefixes):
                return name
    return OTHER


def parse(raw: str) -> Profile:
    """Aggregate py-spy's ``--format raw`` output (``frame;frame;... count`` lines)."""
    inclusive: Counter[Frame] = Counter()
    layers: Counter[str] = Counter()
    matching: Counter[tuple[str, ...]] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = _frames(stack)
        total += count
        layers[_layer(frames)] += count
        for frame in set(frames):
            inclusive[frame] += count
        texts = [f"{function} ({path}" for function, path in frames]
        for names in _CENTRE_NAMES:
            if any(name in text for text in texts for name in names):
                matching[names] += count
    return Profile(total=total, inclusive=inclusive, layers=layers, matching=dict(matching))


def record(mode: str, rate: int, out: Path) -> tuple[float, int]:
    """Load the gateway in ``mode`` while py-spy samples its worker; (CPU-ms per request, requests)."""
    target_of, count = MODES[mode]
    fake, _ = processes.start_fake(delay=5.0, chunk_interval=0.002)
    port = processes.free_port()
    gateway = processes.spawn_gateway(processes.gateway_env(fake.port, port, service_account=None), out.with_suffix(".log"))
    try:
        target = target_of(port)
        scenarios.first_answer(target, time.perf_counter())
        worker = processes.worker_pid(gateway)
        scenarios.measure(target, worker, max(50, count // 10), 16)
        command = ["py-spy", "record", "--pid", str(worker), "--rate", str(rate), "--gil", "--format", "raw", "--output", str(out)]
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        measured = scenarios.measure(target, worker, count, 16)
        time.sleep(0.2)
        spy.send_signal(signal.SIGINT)
        spy.wait(30)
    finally:
        gateway.stop()
        fake.stop()
    return measured.cpu_ms_each, measured.result.ok


def _chat(**body: bool) -> Callable[[int], Target]:
    return lambda port: scenarios.gateway_target(port, scenarios.chat_body(**body))


MODES: dict[str, tuple[Callable[[int], Target], int]] = {
    "chat": (_chat(), 5000),
    "stream": (_chat(stream=True), 600),
    "stream-at-once": (_chat(stream=True, at_once=True), 2000),  # the upstream writes all 50 events at once
    "large": (_chat(large=True), 3000),
    "responses": (scenarios.responses_target, 600),  # a stored Responses stream
    "messages": (scenarios.messages_target, 600),  # an Anthropic Messages stream
}
"""Per mode: the load's target on the gateway's port, and how many requests are sampled."""


def report(mode: str, profile: Profile, cpu_ms: float, requests: int, top: int) -> str:
    us = cpu_ms * 1000

    def line(share: float, label: str) -> str:
        return f"  {share:6.1%} {share * us:8.0f} µs  {label}"

    out = [f"== {mode}: {requests} requests, {cpu_ms:.2f} CPU-ms each with py-spy attached, {profile.total} samples"]
    out.append("-- cost by layer (standard-library helpers charged to their caller)")
    out.extend(line(count / profile.total, name) for name, count in profile.layers.most_common())
    out.append("-- cost centres (inclusive)")
    for label, added, subtracted in CENTRES:
        share = profile.share(added) - (profile.share(subtracted) if subtracted else 0.0)
        if share > 0.001:
            out.append(line(share, label))
    out.append(f"-- top {top} functions (inclusive)")
    for (function, path), count in profile.inclusive.most_common(top):
        out.append(line(count / profile.total, f"{function} ({path})"))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Profile the gunicorn worker under load with py-spy.")
    parser.add_argument("--mode", choices=sorted(MODES), action="append", help="chat, stream, large, responses, messages (default: chat, stream, large)")
    parser.add_argument("--rate", type=int, default=1000, help="samples per second")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out", type=Path, help="keep py-spy's raw output in this folder")
    args = parser.parse_args(argv)
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="perf-profile-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    for mode in args.mode or ["chat", "stream", "large"]:
        raw_path = out_dir / f"{mode}.raw"
        cpu_ms, requests = record(mode, args.rate, raw_path)
        profile = parse(raw_path.read_text())
        sys.stdout.write(report(mode, profile, cpu_ms, requests, args.top) + "\n\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
