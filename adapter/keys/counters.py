"""The counters the limiter reads and writes: the shared store, or this worker's memory during an outage.

:class:`MemoryCounters` keeps the same fixed windows and daily tallies as the state layer
(:mod:`adapter.state`), for one worker. :class:`Counters` sends every operation to the store
and, when the store raises :class:`~adapter.state.StateUnavailable`, to the memory instead: a
warning is logged once per outage, the store is tried again every second, and the usage tallied
in memory meanwhile is added to the store when it answers again. Limits then hold per worker
only, which serves more rather than less while the store is away.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Iterable, TypeVar

from ..state import StateStore, StateUnavailable, Usage, window_id

logger = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_SECONDS = 1.0


class MemoryCounters:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._windows: dict[tuple[str, int, int], int] = {}
        self._usage: dict[tuple[str, str], Usage] = {}

    def add_to_window(self, key: str, amount: int, window_seconds: int) -> int:
        slot = (key, window_seconds, window_id(self._clock(), window_seconds))
        self._forget_past_windows(slot)
        self._windows[slot] = self._windows.get(slot, 0) + amount
        return self._windows[slot]

    def read_window(self, key: str, window_seconds: int) -> int:
        return self._windows.get((key, window_seconds, window_id(self._clock(), window_seconds)), 0)

    def add_usage(self, key_name: str, day: str, requests: int, tokens: int) -> None:
        before = self._usage.get((key_name, day), Usage(0, 0))
        self._usage[(key_name, day)] = Usage(before.requests + requests, before.tokens + tokens)

    def usage(self, key_name: str, days: Iterable[str]) -> dict[str, Usage]:
        return {day: self._usage[(key_name, day)] for day in days if (key_name, day) in self._usage}

    def take_usage(self) -> dict[tuple[str, str], Usage]:
        """The usage tallied so far, forgotten here (to be added to the store)."""
        taken, self._usage = self._usage, {}
        return taken

    def _forget_past_windows(self, slot: tuple[str, int, int]) -> None:
        key, seconds, current = slot
        for stale in [s for s in self._windows if s[0] == key and s[1] == seconds and s[2] != current]:
            del self._windows[stale]


class Counters:
    """The store's counters, falling back to :class:`MemoryCounters` while it cannot be reached."""

    def __init__(self, store: StateStore, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.memory = MemoryCounters(clock)
        self.degraded = False
        self._retry_at = 0.0
        self._lock = threading.Lock()

    def add_to_window(self, key: str, amount: int, window_seconds: int) -> int:
        return self._either(lambda s: s.add_to_window(key, amount, window_seconds), lambda m: m.add_to_window(key, amount, window_seconds))

    def read_window(self, key: str, window_seconds: int) -> int:
        return self._either(lambda s: s.read_window(key, window_seconds), lambda m: m.read_window(key, window_seconds))

    def add_usage(self, key_name: str, day: str, requests: int, tokens: int) -> None:
        self._either(lambda s: s.add_usage(key_name, day, requests, tokens), lambda m: m.add_usage(key_name, day, requests, tokens))

    def day_tokens(self, key_name: str, day: str) -> int:
        """The tokens tallied for ``key_name`` on ``day`` (this worker's own during an outage)."""
        tally = self._either(lambda s: s.usage(key_name, [day]), lambda m: m.usage(key_name, [day])).get(day)
        return tally.tokens if tally else 0

    def usage(self, key_name: str, days: Iterable[str]) -> dict[str, Usage]:
        """The store's tally (raises StateUnavailable: a usage report is not guessed from memory)."""
        return self.store.usage(key_name, days)

    def _either(self, shared: Callable[[StateStore], T], local: Callable[[MemoryCounters], T]) -> T:
        if not self.degraded or time.monotonic() >= self._retry_at:
            try:
                result = shared(self.store)
            except StateUnavailable:
                self._outage()
            else:
                self._recovered()
                return result
        return local(self.memory)

    def _outage(self) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + RETRY_SECONDS
            if self.degraded:
                return
            self.degraded = True
        logger.warning("shared state (%s) unreachable: client key limits count in this worker's memory until it answers", self.store.backend)

    def _recovered(self) -> None:
        with self._lock:
            if not self.degraded:
                return
            self.degraded = False
        logger.warning("shared state (%s) reachable again: client key limits are shared again", self.store.backend)
        for (key_name, day), tally in self.memory.take_usage().items():
            self.add_usage(key_name, day, tally.requests, tally.tokens)
