"""The shared backend: Redis (``REDIS_URL``), shared by every instance of the gateway.

One key per thing, under ``STATE_KEY_PREFIX``: ``response:<id>`` (JSON, with its TTL),
``cooldown:<label>`` (``SET … PX`` until the cooldown ends, plus the set ``cooldown-labels``
to list them), ``cursor:<pool>`` (``INCR``), ``window:<key>:<window id>`` (``INCRBY`` + expiry)
and ``usage:<key name>:<day>`` (a hash). Socket timeouts are short and nothing is retried here:
a slow or absent Redis raises :class:`StateUnavailable` at once. redis-py's connection pool
notices gunicorn's fork by itself (it is keyed by pid), and its sockets are gevent's once patched.
"""

from __future__ import annotations

import time
from typing import Callable, Iterable, TypeVar

import orjson
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from . import Cooldown, CooldownReason, StateUnavailable, Usage, check_reason, window_id

T = TypeVar("T")

SOCKET_TIMEOUT = 0.25
USAGE_TTL_SECONDS = 400 * 86400


class RedisStore:
    backend = "redis"

    def __init__(self, url: str, *, prefix: str = "gateway:", clock: Callable[[], float] = time.time) -> None:
        self.prefix = prefix
        self._clock = clock
        self._redis = redis.Redis.from_url(
            url,
            socket_timeout=SOCKET_TIMEOUT,
            socket_connect_timeout=SOCKET_TIMEOUT,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=30,
        )

    def _run(self, work: Callable[[redis.Redis], T]) -> T:
        try:
            return work(self._redis)
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            raise StateUnavailable(f"Redis state unreachable: {exc.__class__.__name__}") from None
        except redis.RedisError as exc:
            raise StateUnavailable(f"Redis state refused: {exc.__class__.__name__}") from None

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def put_response(self, response_id: str, document: dict, ttl_seconds: int) -> None:
        text = orjson.dumps(document)
        self._run(lambda r: r.set(self._key("response", response_id), text, ex=ttl_seconds))

    def get_response(self, response_id: str) -> dict | None:
        raw = self._run(lambda r: r.get(self._key("response", response_id)))
        return orjson.loads(raw) if raw is not None else None

    def delete_response(self, response_id: str) -> bool:
        return bool(self._run(lambda r: r.delete(self._key("response", response_id))))

    def mark_cooldown(self, label: str, until: float, reason: CooldownReason) -> None:
        check_reason(reason)
        remaining_ms = int((until - self._clock()) * 1000)
        if remaining_ms <= 0:
            return

        def write(r: redis.Redis) -> None:
            pipe = r.pipeline(transaction=False)
            pipe.set(self._key("cooldown", label), f"{until}|{reason}", px=remaining_ms)
            pipe.sadd(self._key("cooldown-labels"), label)
            pipe.execute()

        self._run(write)

    def cooldowns(self, labels: Iterable[str] | None = None) -> dict[str, Cooldown]:
        def read(r: redis.Redis) -> dict[str, Cooldown]:
            names = sorted(labels if labels is not None else (m.decode() for m in r.smembers(self._key("cooldown-labels"))))
            values = r.mget([self._key("cooldown", label) for label in names]) if names else []
            return _cooldowns_in_force(names, values, self._clock())

        return self._run(read)

    def next_index(self, pool: str) -> int:
        return int(self._run(lambda r: r.incr(self._key("cursor", pool))))

    def add_to_window(self, key: str, amount: int, window_seconds: int) -> int:
        stored = self._key("window", key, str(window_id(self._clock(), window_seconds)))

        def add(r: redis.Redis) -> int:
            pipe = r.pipeline(transaction=True)
            pipe.incrby(stored, amount)
            pipe.expire(stored, window_seconds + 1)
            return int(pipe.execute()[0])

        return self._run(add)

    def read_window(self, key: str, window_seconds: int) -> int:
        raw = self._run(lambda r: r.get(self._key("window", key, str(window_id(self._clock(), window_seconds)))))
        return int(raw) if raw is not None else 0

    def add_usage(self, key_name: str, day: str, requests: int, tokens: int) -> None:
        stored = self._key("usage", key_name, day)

        def add(r: redis.Redis) -> None:
            pipe = r.pipeline(transaction=True)
            pipe.hincrby(stored, "requests", requests)
            pipe.hincrby(stored, "tokens", tokens)
            pipe.expire(stored, USAGE_TTL_SECONDS)
            pipe.execute()

        self._run(add)

    def usage(self, key_name: str, days: Iterable[str]) -> dict[str, Usage]:
        wanted = list(days)

        def read(r: redis.Redis) -> list[dict]:
            pipe = r.pipeline(transaction=False)
            for day in wanted:
                pipe.hgetall(self._key("usage", key_name, day))
            return pipe.execute()

        rows = self._run(read) if wanted else []
        return {day: Usage(int(row[b"requests"]), int(row[b"tokens"])) for day, row in zip(wanted, rows) if row}

    def health(self) -> dict[str, object]:
        try:
            self._run(lambda r: r.ping())
        except StateUnavailable:
            return {"backend": self.backend, "reachable": False}
        return {"backend": self.backend, "reachable": True}

    def close(self) -> None:
        self._redis.close()


def _cooldowns_in_force(labels: list[str], values: list[bytes | None], now: float) -> dict[str, Cooldown]:
    found: dict[str, Cooldown] = {}
    for label, value in zip(labels, values):
        if value is None:
            continue
        until, reason = value.decode().split("|", 1)
        if float(until) > now:
            found[label] = Cooldown(float(until), check_reason(reason))
    return found
