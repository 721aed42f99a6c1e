"""A pool of credentials of one kind: round-robin or random choice, with cooldowns.

``ROUNDROBIN=true`` takes turns in order under a lock (greenlet-safe: gevent patches
``threading``); otherwise the choice is random. A credential that got 429 cools down for
``Retry-After`` (or the configured cooldown); one that got 401/403 cools down longer and is
reported once in the log. Cooling credentials are skipped while others are available.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from .credentials import Credential

logger = logging.getLogger(__name__)

AUTH_FAILURES = (401, 403)


@dataclass
class CredentialState:
    """What the health endpoint shows about one credential (never its secret)."""

    cooling_until: float = 0.0
    last_status: int | None = None
    auth_failure_reported: bool = False


class AllCoolingDown(Exception):
    """Every credential of the pool is cooling down; ``retry_after`` says for how long."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"all credentials cooling down for {retry_after:.0f}s")
        self.retry_after = retry_after


class CredentialPool:
    def __init__(
        self,
        credentials: Iterable[Credential],
        *,
        round_robin: bool,
        cooldown: float = 60.0,
        auth_cooldown: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.credentials: tuple[Credential, ...] = tuple(credentials)
        self.round_robin = round_robin
        self.cooldown = cooldown
        self.auth_cooldown = auth_cooldown
        self._clock = clock
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._cycle = itertools.cycle(self.credentials)
        self._peeked: Credential | None = None  # taken from the cycle by peek(), not yet used
        self._state = {cred.index: CredentialState() for cred in self.credentials}

    def __len__(self) -> int:
        return len(self.credentials)

    def __bool__(self) -> bool:
        return bool(self.credentials)

    def acquire(self, exclude: frozenset[int] | set[int] = frozenset()) -> Credential | None:
        """The next usable credential not in ``exclude`` (indexes), or None if none is left.

        Raises :class:`AllCoolingDown` when the only candidates left are cooling down.
        """
        return self._choose(exclude, advance=True)

    def peek(self) -> Credential | None:
        """What :meth:`acquire` would give now, without taking a round-robin turn (dry runs).

        A random pool answers with a random pick. Raises :class:`AllCoolingDown` like acquire.
        """
        return self._choose(frozenset(), advance=False)

    def _choose(self, exclude: frozenset[int] | set[int], *, advance: bool) -> Credential | None:
        now = self._clock()
        with self._lock:
            candidates = [c for c in self.credentials if c.index not in exclude]
            if not candidates:
                return None
            ready = [c for c in candidates if self._state[c.index].cooling_until <= now]
            if not ready:
                raise AllCoolingDown(min(self._state[c.index].cooling_until for c in candidates) - now)
            if not self.round_robin:
                return self._rng.choice(ready)
            ready_ids = {c.index for c in ready}
            for _ in self.credentials:
                cred = self._next_in_turn()
                if cred.index in ready_ids:
                    if not advance:
                        self._peeked = cred
                    return cred
        return None

    def _next_in_turn(self) -> Credential:
        """The next credential of the cycle, the one peek() looked at first (lock held)."""
        if self._peeked is not None:
            cred, self._peeked = self._peeked, None
            return cred
        return next(self._cycle)

    def report(self, cred: Credential, status: int, retry_after: float | None = None) -> None:
        """Record an upstream outcome for ``cred`` (status 0: no answer) and start cooldowns."""
        with self._lock:
            state = self._state[cred.index]
            state.last_status = status
            if status == 429:
                state.cooling_until = self._clock() + (retry_after if retry_after else self.cooldown)
            elif status in AUTH_FAILURES:
                state.cooling_until = self._clock() + self.auth_cooldown
                if not state.auth_failure_reported:
                    state.auth_failure_reported = True
                    logger.error("credential %s (%s) was refused by Vertex AI with %s; skipping it for %.0fs", cred.label, cred.source, status, self.auth_cooldown)
            elif 200 <= status < 300:
                state.auth_failure_reported = False

    def states(self) -> list[dict[str, object]]:
        """Per-credential state for the health endpoint: label, kind, index, where it was
        configured, how long it still cools down (and until when, UTC), last upstream status."""
        now, wall = self._clock(), time.time()
        with self._lock:
            return [_state_entry(cred, self._state[cred.index], now, wall) for cred in self.credentials]

    def cooling_count(self) -> int:
        now = self._clock()
        with self._lock:
            return sum(1 for state in self._state.values() if state.cooling_until > now)


def _state_entry(cred: Credential, state: CredentialState, now: float, wall: float) -> dict[str, object]:
    remaining = max(0.0, state.cooling_until - now)
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(wall + remaining)) if remaining else None
    return {
        "credential": cred.label,
        "kind": cred.kind,
        "index": cred.index,
        "source": cred.source,
        "cooling_down_for": round(remaining, 1),
        "cooling_down_until": until,
        "last_status": state.last_status,
    }
