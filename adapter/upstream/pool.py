"""A pool of credentials of one kind: round-robin or random choice, with cooldowns.

``ROUNDROBIN=true`` takes turns in order on a cursor shared by every worker and instance;
otherwise the choice is random. A credential that got 429 cools down for ``Retry-After`` (or the
configured cooldown); one that Google refused (``auth_failure``: 401/403, an invalid key, a
refused token grant) cools down longer and is reported once in the log; one whose token endpoint
failed (``token_error``: a 5xx, a timeout) rests a few seconds, twice as long after each failure
in a row (up to a minute). Each cooldown keeps its reason, and this worker remembers Google's
words for the last failure, for error messages and ``GET /``.
Cooling credentials are skipped while others are available. Cooldowns and the cursor live in
:class:`~adapter.upstream.pool_state.PoolState` (the shared state, or this worker's memory).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from ..state import Cooldown, CooldownReason
from .credential_failures import AUTH_FAILURE, TOKEN_ERROR
from .credentials import Credential
from .pool_state import PoolState

logger = logging.getLogger(__name__)

AUTH_FAILURES = (401, 403)
TOKEN_ERROR_COOLDOWN = 5.0
TOKEN_ERROR_COOLDOWN_CAP = 60.0


@dataclass
class CredentialState:
    """What the health endpoint shows about one credential (never its secret)."""

    last_status: int | None = None
    auth_failure_reported: bool = False
    token_errors_in_a_row: int = 0
    last_failure: str | None = None


class AllCoolingDown(Exception):
    """Every credential of the pool is cooling down; ``retry_after`` says for how long and
    ``resting`` why each one rests (label -> (reason, Google's words when this worker knows them))."""

    def __init__(self, retry_after: float, resting: dict[str, tuple[str, str | None]]) -> None:
        super().__init__(f"all credentials cooling down for {retry_after:.0f}s")
        self.retry_after = retry_after
        self.resting = resting


class CredentialPool:
    def __init__(
        self,
        credentials: Iterable[Credential],
        *,
        round_robin: bool,
        cooldown: float = 60.0,
        auth_cooldown: float = 600.0,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        state: PoolState | None = None,
        name: str = "pool",
    ) -> None:
        self.credentials: tuple[Credential, ...] = tuple(credentials)
        self.round_robin = round_robin
        self.cooldown = cooldown
        self.auth_cooldown = auth_cooldown
        self._clock = clock
        self._rng = rng or random.Random()
        self.name = name
        self._shared = state or PoolState()
        self._lock = threading.Lock()
        self._last_turn = 0
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

        The turn is the one after this worker's last (other workers may take it first). A random pool answers with a random pick. Raises :class:`AllCoolingDown` like acquire.
        """
        return self._choose(frozenset(), advance=False)

    def _choose(self, exclude: frozenset[int] | set[int], *, advance: bool) -> Credential | None:
        now = self._clock()
        candidates = [c for c in self.credentials if c.index not in exclude]
        if not candidates:
            return None
        cooling = self._cooling(now)
        ready = [c for c in candidates if c.label not in cooling]
        if not ready:
            resting = {c.label: (cooling[c.label].reason, self._state[c.index].last_failure) for c in candidates}
            raise AllCoolingDown(min(cooling[c.label].until for c in candidates) - now, resting)
        if not self.round_robin:
            return self._rng.choice(ready)
        turn = self._shared.next_index(self.name) if advance else self._last_turn + 1
        if advance:
            self._last_turn = turn
        ready_ids = {c.index for c in ready}
        count = len(self.credentials)
        for step in range(count):
            cred = self.credentials[(turn - 1 + step) % count]
            if cred.index in ready_ids:
                return cred
        return None

    def _cooling(self, now: float) -> dict[str, Cooldown]:
        labels = {c.label for c in self.credentials}
        return {label: c for label, c in self._shared.cooldowns(now).items() if label in labels and c.until > now}

    def _cool(self, cred: Credential, seconds: float, reason: CooldownReason) -> None:
        self._shared.mark(cred.label, self._clock() + seconds, reason)

    def report(self, cred: Credential, status: int, retry_after: float | None = None, *, failure: str | None = None, detail: str | None = None) -> None:
        """Record an upstream outcome for ``cred`` (status 0: no answer) and start cooldowns.

        ``failure`` marks a failure of the credential itself (``auth_failure``, ``token_error``)
        and ``detail`` gives Google's words for it (never a secret).
        """
        state = self._state[cred.index]
        state.last_status = status
        if failure == TOKEN_ERROR:
            self._token_error(cred, state, detail)
        elif failure == AUTH_FAILURE or status in AUTH_FAILURES:
            self._auth_failure(cred, state, status, detail)
        elif status == 429:
            self._cool(cred, retry_after if retry_after else self.cooldown, "rate_limit")
        elif 200 <= status < 300:
            state.auth_failure_reported = False
            state.token_errors_in_a_row = 0
            state.last_failure = None

    def _auth_failure(self, cred: Credential, state: CredentialState, status: int, detail: str | None) -> None:
        self._cool(cred, self.auth_cooldown, AUTH_FAILURE)
        state.last_failure = detail or f"HTTP {status}"
        with self._lock:
            first_report, state.auth_failure_reported = not state.auth_failure_reported, True
        if first_report:
            logger.error("credential %s (%s) was refused by Google: %s; skipping it for %.0fs", cred.label, cred.source, state.last_failure, self.auth_cooldown)

    def _token_error(self, cred: Credential, state: CredentialState, detail: str | None) -> None:
        with self._lock:
            state.token_errors_in_a_row += 1
            seconds = min(TOKEN_ERROR_COOLDOWN_CAP, TOKEN_ERROR_COOLDOWN * 2 ** (state.token_errors_in_a_row - 1))
        self._cool(cred, seconds, TOKEN_ERROR)
        state.last_failure = detail or "token endpoint error"
        logger.warning("token endpoint failed for credential %s (%s): %s; skipping it for %.0fs", cred.label, cred.source, state.last_failure, seconds)

    def states(self) -> list[dict[str, object]]:
        """Per-credential state for the health endpoint: label, kind, index, where it was
        configured, how long it still cools down (and until when, UTC), last upstream status."""
        now, wall = self._clock(), time.time()
        cooling = self._cooling(now)
        return [_state_entry(cred, self._state[cred.index], cooling.get(cred.label), now, wall) for cred in self.credentials]

    def cooling_count(self) -> int:
        return len(self._cooling(self._clock()))


def _state_entry(cred: Credential, state: CredentialState, cooldown: Cooldown | None, now: float, wall: float) -> dict[str, object]:
    remaining = max(0.0, cooldown.until - now) if cooldown else 0.0
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(wall + remaining)) if remaining else None
    return {
        "credential": cred.label,
        "kind": cred.kind,
        "index": cred.index,
        "source": cred.source,
        "cooling_down_for": round(remaining, 1),
        "cooling_down_until": until,
        "cooling_reason": cooldown.reason if remaining and cooldown else None,
        "last_status": state.last_status,
        "last_failure": state.last_failure,
    }
