"""Random upstream behaviour for the soak: the emulator's reply queue is kept topped up with a
mix of answers and faults, and its records are drained into counters (so that a long run does
not grow the soak's own memory)."""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field

from tests.emulator import Reply, VertexEmulator, payloads

ANSWER = " ".join(f"word{i}" for i in range(12))


def _events() -> list[dict]:
    return payloads.to_stream_events(payloads.text_response(ANSWER))


# (weight, what, reply factory): every upstream call takes the next reply, whatever its kind.
MIX: list[tuple[int, str, object]] = [
    (55, "answer", lambda rng: Reply.stream(_events()).between(rng.uniform(0.02, 0.12))),
    (10, "slow start", lambda rng: Reply.stream(_events()).delay(rng.uniform(0.5, 2.0))),
    (8, "slow bytes", lambda rng: Reply.stream(_events()).slow(16, 0.01)),
    (3, "429", lambda rng: Reply.error(429, retry_after=1)),
    (5, "500", lambda rng: Reply.error(500)),
    (3, "503", lambda rng: Reply.error(503)),
    (5, "cut mid-stream", lambda rng: Reply.stream(_events()).between(0.05).cut_after(rng.randint(1, 4))),
    (4, "error event mid-stream", lambda rng: Reply.stream(_events()).between(0.05).error_after(rng.randint(0, 3), status=503)),
    (3, "dropped connection", lambda rng: Reply.error(500).hang(0)),
]


@dataclass
class FaultInjector:
    emulator: VertexEmulator
    seed: int = 7
    depth: int = 200
    injected: Counter[str] = field(default_factory=Counter)
    calls_by_credential: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-faults", daemon=True)
        weights = [weight for weight, _, _ in MIX]
        self._choices = lambda: self._rng.choices(MIX, weights)[0]

    def start(self) -> "FaultInjector":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.drain()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            missing = self.depth - len(self.emulator.state.queue)
            for _ in range(max(0, missing)):
                _, what, make = self._choices()
                self.emulator.enqueue(make(self._rng))  # type: ignore[operator]
                self.injected[what] += 1
            self.drain()

    def drain(self) -> None:
        state = self.emulator.state
        with state.lock:
            calls, state.calls = state.calls, []
            state.streams = [stream for stream in state.streams if stream.is_open]
        for call in calls:
            if call.rpc in ("generateContent", "streamGenerateContent"):
                self.calls_by_credential[call.credential_label or "refused"] += 1
                self.outcomes[call.outcome] += 1
