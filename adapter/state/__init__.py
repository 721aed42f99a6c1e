"""Shared state: what every worker and instance of the gateway must agree on.

Two backends implement :class:`StateStore`, chosen at start-up by :func:`open_state`:

- :mod:`.sqlite_store` (default): a SQLite file in ``DATA_DIR`` (WAL mode), shared by every worker
  of one instance with no server to run. Each worker process opens its own connection lazily,
  after gunicorn's fork.
- :mod:`.redis_store` (``REDIS_URL`` set): the same state in Redis, shared by every instance, key
  names under ``STATE_KEY_PREFIX`` (default ``gateway:``).

The interface (other parts of the gateway code against these names):

Response store (Responses API):
    ``put_response(response_id, document, ttl_seconds) -> None``: one JSON-serialisable document,
    written atomically and visible at once to every worker and instance.
    ``get_response(response_id) -> dict | None`` (None when absent or expired),
    ``delete_response(response_id) -> bool`` (whether it existed). ``document["owner"]`` may hold
    a client key's *name*; the store does not interpret it. Never store a secret.
Credential cooldowns:
    ``mark_cooldown(label, until, reason)``: ``label`` is ``express#N`` / ``sa#N``, ``until`` epoch
    seconds, ``reason`` a :data:`CooldownReason`. ``cooldowns(labels=None) -> dict[label, Cooldown]``:
    those still in force (``labels`` narrows the read; Redis then needs one round trip).
Round-robin:
    ``next_index(pool) -> int``: an atomic counter per pool, increasing across workers and instances.
Rate-limit counters:
    ``add_to_window(key, amount, window_seconds) -> int``: adds to the fixed window that holds now
    (the window id is part of the stored key, which expires by itself) and returns the new total;
    ``read_window(key, window_seconds) -> int``.
Usage tally (``/v1/usage``):
    ``add_usage(key_name, day, requests, tokens)`` with ``day`` as ``YYYY-MM-DD``;
    ``usage(key_name, days) -> dict[day, Usage]`` for the given days (absent days are left out).
Health:
    ``health() -> {"backend": "sqlite" | "redis", "reachable": bool}`` (never a URL or password).

Every method raises :class:`StateUnavailable` when the backend cannot be reached in time; the
front doors answer it with 503 ``state_unavailable``. Cooldowns and the cursor fall back to the
worker's memory instead (:mod:`adapter.upstream.pool_state`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Literal, NamedTuple, Protocol, get_args

from ..errors import AdapterError

if TYPE_CHECKING:
    from ..settings import Settings

CooldownReason = Literal["rate_limit", "auth_failure", "token_error", "upstream_error"]
COOLDOWN_REASONS: tuple[str, ...] = get_args(CooldownReason)


class Cooldown(NamedTuple):
    until: float
    reason: CooldownReason


class Usage(NamedTuple):
    requests: int
    tokens: int


class StateUnavailable(AdapterError):
    """The state backend cannot be reached (or did not answer in time): 503 ``state_unavailable``.

    Its message names the backend and the kind of failure, never a URL or a password.
    """

    status = 503
    default_code = "state_unavailable"


class StateStore(Protocol):
    backend: str

    def put_response(self, response_id: str, document: dict, ttl_seconds: int) -> None: ...

    def get_response(self, response_id: str) -> dict | None: ...

    def delete_response(self, response_id: str) -> bool: ...

    def mark_cooldown(self, label: str, until: float, reason: CooldownReason) -> None: ...

    def cooldowns(self, labels: Iterable[str] | None = None) -> dict[str, Cooldown]: ...

    def next_index(self, pool: str) -> int: ...

    def add_to_window(self, key: str, amount: int, window_seconds: int) -> int: ...

    def read_window(self, key: str, window_seconds: int) -> int: ...

    def add_usage(self, key_name: str, day: str, requests: int, tokens: int) -> None: ...

    def usage(self, key_name: str, days: Iterable[str]) -> dict[str, Usage]: ...

    def health(self) -> dict[str, object]: ...

    def close(self) -> None: ...


def open_state(settings: Settings) -> StateStore:
    """The backend the settings choose: Redis when ``REDIS_URL`` is set, else SQLite in ``DATA_DIR``."""
    if settings.redis_url:
        from .redis_store import RedisStore

        return RedisStore(settings.redis_url, prefix=settings.state_key_prefix)
    from .sqlite_store import SqliteStore

    return SqliteStore(settings.data_dir / "state.sqlite3")


def check_reason(reason: str) -> CooldownReason:
    if reason not in COOLDOWN_REASONS:
        raise ValueError(f"unknown cooldown reason {reason!r}")
    return reason  # type: ignore[return-value]


def window_id(now: float, window_seconds: int) -> int:
    """The fixed window that holds ``now``."""
    return int(now // window_seconds)
