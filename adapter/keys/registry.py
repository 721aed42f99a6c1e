"""The keys in force: ``API_KEY`` (admin), ``CLIENT_KEYS`` and ``CLIENT_KEYS_FILE``, re-read on change.

:meth:`KeyRegistry.identify` is on every request's path. It looks at the file's modification
time, size and inode at most once a second (one ``stat``), re-reads it when they change or
after a ``SIGHUP``, and keeps the last good keys when the new file cannot be used, logging why
once per change. It hashes the presented key once and compares the digest with every key's
digest with :func:`hmac.compare_digest`, without stopping at a match, so the time taken does
not tell which key matched.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import signal
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from ..log import register_secrets
from .definitions import ClientKey, KeysError, check_unique, digest_of, parse_keys, secrets_of

logger = logging.getLogger(__name__)

CHECK_INTERVAL = 1.0
FILE_SOURCE = "CLIENT_KEYS_FILE"
ENV_SOURCE = "CLIENT_KEYS"

_registries: weakref.WeakSet[KeyRegistry] = weakref.WeakSet()


def parse_env_keys(raw: str) -> tuple[ClientKey, ...]:
    """``CLIENT_KEYS``: a JSON document of keys."""
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise KeysError(f"{ENV_SOURCE} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    register_secrets(secrets_of(document))
    return parse_keys(document, ENV_SOURCE)


def read_keys_file(path: Path) -> tuple[ClientKey, ...]:
    """The keys of ``path``: JSON when it ends in ``.json``, else YAML (JSON is YAML too)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeysError(f"{FILE_SOURCE} ({path}) cannot be read: {exc.__class__.__name__}") from None
    document = _json_document(text, path) if path.suffix.lower() == ".json" else _yaml_document(text, path)
    register_secrets(secrets_of(document))
    return parse_keys(document, f"{FILE_SOURCE} ({path})")


def _json_document(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise KeysError(f"{FILE_SOURCE} ({path}) is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None


def _yaml_document(text: str, path: Path) -> Any:
    import yaml  # only for a YAML keys file: ~1.5 MB of every process that never reads one

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise KeysError(f"{FILE_SOURCE} ({path}) is not valid YAML{where}") from None


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


class KeyRegistry:
    def __init__(
        self, *, admin: ClientKey | None, env_keys: tuple[ClientKey, ...] = (), path: Path | None = None, check_interval: float = CHECK_INTERVAL
    ) -> None:
        self.admin = admin
        self.path = path
        self.check_interval = check_interval
        self._env_keys = env_keys
        self._file_keys: tuple[ClientKey, ...] = ()
        self._all: tuple[ClientKey, ...] = ()
        self._lock = threading.Lock()
        self._next_check = 0.0
        self._seen: tuple[int, int, int] | None = None
        self._reload_requested = False
        if path is not None:
            self._seen = _signature(path)
            self._file_keys = read_keys_file(path)
        check_unique((*self._env_keys, *self._file_keys), f"{ENV_SOURCE} and {FILE_SOURCE}")
        self._publish()
        _registries.add(self)

    def identify(self, token: str) -> ClientKey | None:
        """The key ``token`` is (admin or client), or None; compared with every key in constant time."""
        self.refresh()
        digest = digest_of(token)
        found: ClientKey | None = None
        for key in self._all:
            if hmac.compare_digest(digest, key.digest) and found is None:
                found = key
        return found

    def client_keys(self) -> tuple[ClientKey, ...]:
        """Every client key in force (``CLIENT_KEYS`` then the file), admin left out."""
        return (*self._env_keys, *self._file_keys)

    def request_reload(self) -> None:
        """Re-read the file at the next request, changed or not (``SIGHUP``)."""
        self._reload_requested = True

    def refresh(self) -> None:
        if self.path is None:
            return
        moment = time.monotonic()
        if moment < self._next_check and not self._reload_requested:
            return
        with self._lock:
            self._next_check = moment + self.check_interval
            signature = _signature(self.path)
            if signature == self._seen and not self._reload_requested:
                return
            self._reload_requested, self._seen = False, signature
            self._reload()

    def _reload(self) -> None:
        try:
            keys = read_keys_file(self.path)  # type: ignore[arg-type]
            check_unique((*self._env_keys, *keys), f"{ENV_SOURCE} and {FILE_SOURCE}")
        except KeysError as exc:
            logger.error("client keys not reloaded, the last good ones stay in force: %s", exc)
            return
        self._file_keys = keys
        self._publish()
        logger.info("client keys reloaded from %s: %d keys", FILE_SOURCE, len(keys))

    def _publish(self) -> None:
        self._all = (*((self.admin,) if self.admin else ()), *self._env_keys, *self._file_keys)


def _reload_all(signum: int, frame: Any) -> None:
    for registry in list(_registries):
        registry.request_reload()


def install_sighup_handler() -> None:
    """``SIGHUP`` re-reads ``CLIENT_KEYS_FILE`` in this process (main thread only; else a no-op).

    Under gunicorn, a ``SIGHUP`` to the master replaces the workers gracefully, and they read
    the file as they start.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGHUP"):
        return
    if signal.getsignal(signal.SIGHUP) is _reload_all:
        return
    signal.signal(signal.SIGHUP, _reload_all)
    logger.debug("SIGHUP re-reads %s in process %d", FILE_SOURCE, os.getpid())
