"""The embedded backend: one SQLite file in ``DATA_DIR``, shared by every worker of an instance.

WAL mode lets readers run beside the one writer; every operation is one short statement (or one
short transaction), so no lock is held across a request. Each process opens its own connection
lazily, on first use after gunicorn's fork (connections are keyed by pid). Expired rows are
filtered out on read and swept in small batches at most once a minute, piggy-backed on a write.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

import orjson

from . import Cooldown, CooldownReason, StateUnavailable, Usage, check_reason, window_id

T = TypeVar("T")

BUSY_TIMEOUT_SECONDS = 1.0
SWEEP_INTERVAL = 60.0
SWEEP_BATCH = 500

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (id TEXT PRIMARY KEY, document TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS cooldowns (label TEXT PRIMARY KEY, until REAL NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (pool TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS windows (key TEXT PRIMARY KEY, total INTEGER NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS usage (key_name TEXT NOT NULL, day TEXT NOT NULL, requests INTEGER NOT NULL,
    tokens INTEGER NOT NULL, PRIMARY KEY (key_name, day));
"""


class SqliteStore:
    backend = "sqlite"

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._next_sweep = 0.0

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(SCHEMA)
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        try:
            with self._lock:
                return work(self._connection())
        except sqlite3.Error as exc:
            raise StateUnavailable(f"SQLite state in {self.path.parent} failed: {exc.__class__.__name__}") from exc

    def put_response(self, response_id: str, document: dict, ttl_seconds: int) -> None:
        text, expires = orjson.dumps(document).decode(), self._clock() + ttl_seconds
        self._run(lambda c: c.execute("INSERT OR REPLACE INTO responses VALUES (?, ?, ?)", (response_id, text, expires)))
        self._sweep_now_and_then()

    def get_response(self, response_id: str) -> dict | None:
        query = "SELECT document FROM responses WHERE id = ? AND expires > ?"
        row = self._run(lambda c: c.execute(query, (response_id, self._clock())).fetchone())
        return orjson.loads(row[0]) if row else None

    def delete_response(self, response_id: str) -> bool:
        query = "DELETE FROM responses WHERE id = ? AND expires > ?"
        return self._run(lambda c: c.execute(query, (response_id, self._clock())).rowcount) > 0

    def mark_cooldown(self, label: str, until: float, reason: CooldownReason) -> None:
        check_reason(reason)
        self._run(lambda c: c.execute("INSERT OR REPLACE INTO cooldowns VALUES (?, ?, ?)", (label, until, reason)))

    def cooldowns(self, labels: Iterable[str] | None = None) -> dict[str, Cooldown]:
        rows = self._run(lambda c: c.execute("SELECT label, until, reason FROM cooldowns WHERE until > ?", (self._clock(),)).fetchall())
        wanted = None if labels is None else set(labels)
        return {label: Cooldown(until, reason) for label, until, reason in rows if wanted is None or label in wanted}

    def next_index(self, pool: str) -> int:
        query = "INSERT INTO cursors VALUES (?, 1) ON CONFLICT (pool) DO UPDATE SET value = value + 1 RETURNING value"
        return int(self._run(lambda c: c.execute(query, (pool,)).fetchone()[0]))

    def add_to_window(self, key: str, amount: int, window_seconds: int) -> int:
        now = self._clock()
        stored = f"{key}:{window_id(now, window_seconds)}"
        expires = (window_id(now, window_seconds) + 1) * window_seconds
        query = "INSERT INTO windows VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET total = total + excluded.total RETURNING total"
        total = int(self._run(lambda c: c.execute(query, (stored, amount, expires)).fetchone()[0]))
        self._sweep_now_and_then()
        return total

    def read_window(self, key: str, window_seconds: int) -> int:
        stored = f"{key}:{window_id(self._clock(), window_seconds)}"
        row = self._run(lambda c: c.execute("SELECT total FROM windows WHERE key = ?", (stored,)).fetchone())
        return int(row[0]) if row else 0

    def add_usage(self, key_name: str, day: str, requests: int, tokens: int) -> None:
        query = (
            "INSERT INTO usage VALUES (?, ?, ?, ?) ON CONFLICT (key_name, day) "
            "DO UPDATE SET requests = requests + excluded.requests, tokens = tokens + excluded.tokens"
        )
        self._run(lambda c: c.execute(query, (key_name, day, requests, tokens)))

    def usage(self, key_name: str, days: Iterable[str]) -> dict[str, Usage]:
        wanted = list(days)
        marks = ",".join("?" * len(wanted))
        query = f"SELECT day, requests, tokens FROM usage WHERE key_name = ? AND day IN ({marks})"
        rows = self._run(lambda c: c.execute(query, (key_name, *wanted)).fetchall()) if wanted else []
        return {day: Usage(requests, tokens) for day, requests, tokens in rows}

    def health(self) -> dict[str, object]:
        try:
            self._run(lambda c: c.execute("SELECT 1").fetchone())
        except StateUnavailable:
            return {"backend": self.backend, "reachable": False}
        return {"backend": self.backend, "reachable": True}

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def _sweep_now_and_then(self) -> None:
        now = self._clock()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_INTERVAL
        self._run(lambda c: _sweep(c, now))


def _sweep(conn: sqlite3.Connection, now: float) -> Any:
    for table in ("responses", "windows"):
        conn.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE expires <= ? LIMIT ?)", (now, SWEEP_BATCH))
    conn.execute("DELETE FROM cooldowns WHERE until <= ?", (now,))
