"""Failover across credentials: which pools serve a route, and retries on the next credential.

On a retryable upstream failure (429, 5xx, no answer, or a failure of the credential itself:
refused by Google, or its token endpoint failing; see :mod:`.credential_failures`) the call is
repeated on another credential: each credential at most once per request, at most
``max_retries`` extra attempts, with exponential backoff and jitter between attempts. Express
keys and service accounts back each other up for plain model names. 400 and 404 are final.

``Retry-After`` is honoured twice: a 429 cools its credential down for that long (the next
attempt goes to another credential at once, after the usual backoff), and any other retryable
answer that carries one (a 503 "overloaded") makes the next attempt wait that long, up to
``RETRY_AFTER_CAP`` seconds, since the whole service asked for the pause.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from typing import Callable, Generic, Mapping, TypeVar

from ..errors import NotConfigured, UpstreamError
from ..routing.model_name import CredentialChoice
from ..telemetry.hooks import ActiveRequest, active_request
from .credential_failures import all_resting
from .credentials import Credential, CredentialKind
from .pool import AllCoolingDown, CredentialPool

logger = logging.getLogger(__name__)

T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({0, 401, 403, 429, 500, 502, 503, 504})
MAX_DEFAULT_RETRIES = 3
BACKOFF_BASE = 0.1
BACKOFF_CAP = 2.0
RETRY_AFTER_CAP = 10.0

_NEEDS = {
    "express": "Vertex AI Express keys (set VERTEX_EXPRESS_API_KEY)",
    "service_account": "service accounts (set GOOGLE_CREDENTIALS_JSON or put key files in CREDENTIALS_DIR)",
}


@dataclass(frozen=True)
class Attempt:
    credential: str
    status: int


@dataclass
class _Run:
    """One run of the dispatcher: the request's attempts list, and this run's share of it."""

    attempts: list[Attempt]
    budget: int
    start: int = field(init=False)
    last_error: UpstreamError | None = None
    cooling: float | None = None
    resting: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.start = len(self.attempts)

    @property
    def made(self) -> int:
        """Attempts made by this run."""
        return len(self.attempts) - self.start


@dataclass
class Outcome(Generic[T]):
    value: T
    credential: Credential
    attempts: list[Attempt] = field(default_factory=list)


class Dispatcher:
    def __init__(
        self,
        pools: Mapping[CredentialKind, CredentialPool],
        *,
        max_retries: int | None,
        rejected: Mapping[CredentialKind, tuple[str, ...]] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.pools = pools
        self.max_retries = max_retries
        self.rejected = dict(rejected or {})
        self._sleep = sleep
        self._rng = rng or random.Random()

    def plan(self, choice: CredentialChoice, *, prefer_express: bool, allowed: tuple[CredentialKind, ...] = ("express", "service_account")) -> tuple[CredentialKind, ...]:
        """The credential kinds to try, in order. Raises NotConfigured when none is configured."""
        if choice == "auto":
            wanted: tuple[CredentialKind, ...] = ("express", "service_account") if prefer_express else ("service_account", "express")
        else:
            wanted = (choice,)
        kinds = tuple(kind for kind in wanted if kind in allowed and self.pools[kind])
        if not kinds:
            rejected = [reason for kind in wanted if kind in allowed for reason in self.rejected.get(kind, ())]
            if rejected:
                raise NotConfigured(
                    "The credentials configured for this model route were rejected at start-up: " + "; ".join(rejected) + ".",
                    code="credentials_rejected",
                )
            needed = " or ".join(_NEEDS[kind] for kind in wanted if kind in allowed)
            raise NotConfigured(f"No credentials are configured for this model route: it needs {needed}.")
        return kinds

    def retry_budget(self, kinds: tuple[CredentialKind, ...]) -> int:
        if self.max_retries is not None:
            return self.max_retries
        return min(sum(len(self.pools[kind]) for kind in kinds), MAX_DEFAULT_RETRIES)

    def run(self, kinds: tuple[CredentialKind, ...], call: Callable[[Credential], T], *, attempts: list[Attempt] | None = None) -> Outcome[T]:
        """Call ``call(credential)`` until it succeeds or the failover budget is spent.

        ``attempts`` (if given) is filled as attempts happen, so a caller can report them even
        when this raises; attempts it already holds (an earlier run for the same request) count
        neither against this run's budget nor towards its backoff. Raises the last
        UpstreamError, RateLimited when every credential is cooling down, or NotConfigured.
        """
        run = _Run(attempts=[] if attempts is None else attempts, budget=self.retry_budget(kinds))
        for kind in kinds:
            outcome = self._run_kind(self.pools[kind], call, run)
            if outcome is not None:
                return outcome
        if run.last_error is not None:
            raise run.last_error
        if run.cooling is not None:
            raise all_resting(run.cooling, run.resting)
        raise NotConfigured("No credentials are configured for this model route.")

    def _run_kind(self, pool: CredentialPool, call: Callable[[Credential], T], run: _Run) -> Outcome[T] | None:
        """Try the credentials of one pool, each at most once, while the budget lasts."""
        used: set[int] = set()
        while run.made <= run.budget:
            try:
                cred = pool.acquire(exclude=used)
            except AllCoolingDown as exc:
                run.cooling = exc.retry_after if run.cooling is None else min(run.cooling, exc.retry_after)
                run.resting.update(exc.resting)
                return None
            if cred is None:
                return None
            used.add(cred.index)
            if run.made:
                self._sleep(self._backoff(run.made, run.last_error))
            try:
                value = _attempt(call, cred, active_request())
            except UpstreamError as exc:
                failure = exc.credential_failure
                pool.report(cred, exc.upstream_status, exc.retry_after, failure=failure, detail=exc.failure_detail)
                run.attempts.append(Attempt(cred.label, exc.upstream_status))
                if exc.upstream_status not in RETRYABLE_STATUSES and failure is None:
                    raise
                logger.warning(
                    "attempt on %s failed with %s (retryable: another credential is tried if one is left)",
                    cred.label, f"{failure}: {exc.failure_detail}" if failure else exc.upstream_status or "no answer",
                )
                run.last_error = exc
                continue
            pool.report(cred, 200)
            run.attempts.append(Attempt(cred.label, 200))
            return Outcome(value=value, credential=cred, attempts=run.attempts)
        return None

    def _backoff(self, attempt_number: int, last_error: UpstreamError | None) -> float:
        """Seconds to wait before attempt ``attempt_number + 1``: jittered exponential backoff,
        or the pause the upstream asked for (``Retry-After`` on a non-429 answer), if longer."""
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt_number - 1)))
        delay = self._rng.uniform(ceiling / 2, ceiling)
        if last_error is not None and last_error.retry_after and last_error.upstream_status != 429:
            delay = max(delay, min(last_error.retry_after, RETRY_AFTER_CAP))
        return delay


def _attempt(call: Callable[[Credential], T], cred: Credential, traced: ActiveRequest | None) -> T:
    """``call(cred)``, in a client span when the request is traced (see ``adapter.telemetry``)."""
    if traced is None:
        return call(cred)
    span = traced.attempt_started(cred.kind, cred.label)
    try:
        value = call(cred)
    except UpstreamError as exc:
        traced.attempt_finished(span, exc.upstream_status)
        raise
    except BaseException:
        traced.attempt_finished(span, 0)
        raise
    traced.attempt_finished(span, 200, value)
    return value
