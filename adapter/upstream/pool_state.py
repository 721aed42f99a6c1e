"""Cooldowns and round-robin turns of the credential pools, shared through the state store.

Every worker and instance reads the same cooling set and takes turns on the same cursor
(:mod:`adapter.state`). The cooling set is cached for half a second per worker, so a request
costs one cursor step at most (and only with ``ROUNDROBIN=true``). When the store cannot be
reached, the worker carries on with its own memory: a warning is logged once per outage, the
``degraded`` flag feeds the ``gateway_state_fallback`` gauge, and the store is tried again every
second until it answers.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from typing import Iterable, Iterator

from ..state import Cooldown, CooldownReason, StateStore, StateUnavailable

logger = logging.getLogger(__name__)

CACHE_SECONDS = 0.5
RETRY_SECONDS = 1.0


class PoolState:
    def __init__(self, store: StateStore | None = None, labels: Iterable[str] = ()) -> None:
        self.store = store
        self.labels = tuple(labels)
        self.degraded = False
        self._lock = threading.Lock()
        self._local: dict[str, Cooldown] = {}
        self._shared: dict[str, Cooldown] = {}
        self._fresh_until = 0.0
        self._retry_at = 0.0
        self._cursors: dict[str, Iterator[int]] = {}

    def cooldowns(self, now: float) -> dict[str, Cooldown]:
        """Every known cooldown (the caller compares ``until`` with ``now``): shared and this worker's."""
        self._refresh()
        merged = {label: c for label, c in self._local.items() if c.until > now}
        for label, shared in self._shared.items():
            if label not in merged or shared.until > merged[label].until:
                merged[label] = shared
        return merged

    def mark(self, label: str, until: float, reason: CooldownReason) -> None:
        self._local[label] = Cooldown(until, reason)
        if self._usable():
            try:
                self.store.mark_cooldown(label, until, reason)  # type: ignore[union-attr]
            except StateUnavailable:
                self._outage()
            else:
                self._recovered()

    def next_index(self, pool: str) -> int:
        """The next turn of ``pool``, 1 for the first; the worker's own count during an outage."""
        if self._usable():
            try:
                turn = self.store.next_index(pool)  # type: ignore[union-attr]
            except StateUnavailable:
                self._outage()
            else:
                self._recovered()
                return turn
        return next(self._cursors.setdefault(pool, itertools.count(1)))

    def health(self) -> dict[str, object]:
        if self.store is None:
            return {"backend": "memory", "reachable": True}
        return {**self.store.health(), "fallback_to_memory": self.degraded}

    def _refresh(self) -> None:
        moment = time.monotonic()
        if moment < self._fresh_until or not self._usable():
            return
        try:
            shared = self.store.cooldowns(self.labels or None)  # type: ignore[union-attr]
        except StateUnavailable:
            self._outage()
            return
        self._shared, self._fresh_until = shared, moment + CACHE_SECONDS
        self._recovered()

    def _usable(self) -> bool:
        return self.store is not None and (not self.degraded or time.monotonic() >= self._retry_at)

    def _outage(self) -> None:
        with self._lock:
            self._shared, self._retry_at = {}, time.monotonic() + RETRY_SECONDS
            if self.degraded:
                return
            self.degraded = True
        logger.warning("shared state (%s) unreachable: cooldowns and round-robin use this worker's memory until it answers", self.store.backend)  # type: ignore[union-attr]

    def _recovered(self) -> None:
        with self._lock:
            if not self.degraded:
                return
            self.degraded = False
        logger.warning("shared state (%s) reachable again: cooldowns and round-robin are shared again", self.store.backend)  # type: ignore[union-attr]
        self._share_local_cooldowns()

    def _share_local_cooldowns(self) -> None:
        now = time.time()
        for label, cooldown in list(self._local.items()):
            if cooldown.until > now:
                self.mark(label, cooldown.until, cooldown.reason)
