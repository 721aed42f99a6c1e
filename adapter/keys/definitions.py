"""Client keys as the operator defines them, parsed from a document (pure: no I/O, no clock).

A keys document (the ``CLIENT_KEYS_FILE`` as YAML or JSON, or the ``CLIENT_KEYS`` variable as
JSON) is either a list of keys or a mapping with a ``keys`` list. Each key is a mapping:

``name`` (required)
    Letters, digits and ``._@-``, at most 64 characters, unique. It names the key in logs,
    metrics, usage and stored responses; ``admin`` is reserved for ``API_KEY``.
``key`` or ``sha256`` (exactly one)
    The key itself (at least 16 characters), or the hex SHA-256 of it so the file holds no secret.
``models`` (optional, default every model)
    Model names the key may call: exact names or ``fnmatch`` globs (``gemini-2.5-flash*``).
``rpm``, ``tpm``, ``tpd`` (optional, default unlimited)
    Requests per minute, tokens per minute, tokens per UTC day: positive whole numbers.
``expires`` (optional)
    An ISO 8601 date or date-time (UTC unless it says otherwise); the key is refused from then on.

Messages of :class:`KeysError` name the key (by name or position) and the field, never a key.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any, Iterable

ADMIN_NAME = "admin"
MIN_KEY_LENGTH = 16
ALLOWED_FIELDS = frozenset({"name", "key", "sha256", "models", "rpm", "tpm", "tpd", "expires"})
LIMIT_FIELDS = ("rpm", "tpm", "tpd")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


class KeysError(ValueError):
    """A keys document that cannot be used (the message names the key and field)."""


@dataclass(frozen=True)
class ClientKey:
    """One client key: who it is, what it may call and how much.

    ``digest`` is the SHA-256 of the key (the key itself is never kept); limits are None when
    unlimited; ``expires`` is epoch seconds.
    """

    name: str
    digest: bytes = field(repr=False)
    models: tuple[str, ...] = ("*",)
    rpm: int | None = None
    tpm: int | None = None
    tpd: int | None = None
    expires: float | None = None
    admin: bool = False

    def allows(self, names: Iterable[str]) -> bool:
        """Whether any of ``names`` (the requested model, its alias target) is allowed."""
        return any(fnmatch.fnmatchcase(name, pattern) for name in names for pattern in self.models)

    def expired(self, now: float) -> bool:
        return self.expires is not None and now >= self.expires

    @property
    def limited(self) -> bool:
        return any(getattr(self, limit) is not None for limit in LIMIT_FIELDS)


def digest_of(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def admin_key(api_key: str) -> ClientKey:
    """``API_KEY``: every model, no limits, and the admin endpoints."""
    return ClientKey(name=ADMIN_NAME, digest=digest_of(api_key), admin=True)


def parse_keys(document: Any, source: str) -> tuple[ClientKey, ...]:
    """The keys of a parsed document; ``source`` (``CLIENT_KEYS_FILE``…) starts every message."""
    entries = document.get("keys") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise KeysError(f"{source}: expected a list of keys, or a mapping with a 'keys' list")
    keys = tuple(_parse_entry(entry, f"{source}: key #{position}") for position, entry in enumerate(entries, 1))
    check_unique(keys, source)
    return keys


def check_unique(keys: Iterable[ClientKey], source: str) -> None:
    names: set[str] = set()
    digests: set[bytes] = set()
    for key in keys:
        if key.name in names:
            raise KeysError(f"{source}: the name {key.name!r} is used twice")
        if key.digest in digests:
            raise KeysError(f"{source}: key {key.name!r} has the same key as another one")
        names.add(key.name)
        digests.add(key.digest)


def secrets_of(document: Any) -> list[str]:
    """The plain keys a document holds (for log redaction), whatever else is wrong with it."""
    entries = document.get("keys") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        return []
    return [entry["key"] for entry in entries if isinstance(entry, dict) and isinstance(entry.get("key"), str)]


def _parse_entry(entry: Any, where: str) -> ClientKey:
    if not isinstance(entry, dict):
        raise KeysError(f"{where}: expected a mapping with name, key or sha256, models, rpm, tpm, tpd, expires")
    name = _name(entry.get("name"), where)
    where = f"{where} ({name})"
    unknown = sorted(str(field_name) for field_name in entry if field_name not in ALLOWED_FIELDS)
    if unknown:
        raise KeysError(f"{where}: unknown field {unknown[0]!r} (known: {', '.join(sorted(ALLOWED_FIELDS))})")
    limits = {limit: _limit(entry.get(limit), f"{where}: {limit}") for limit in LIMIT_FIELDS}
    return ClientKey(
        name=name,
        digest=_digest(entry, where),
        models=_models(entry.get("models", ["*"]), f"{where}: models"),
        expires=_expires(entry.get("expires"), f"{where}: expires"),
        **limits,
    )


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise KeysError(f"{where}: name must be 1-64 letters, digits or ._@- (starting with a letter or digit)")
    if value == ADMIN_NAME:
        raise KeysError(f"{where}: the name {ADMIN_NAME!r} is reserved for API_KEY")
    return value


def _digest(entry: dict, where: str) -> bytes:
    key, sha256 = entry.get("key"), entry.get("sha256")
    if (key is None) == (sha256 is None):
        raise KeysError(f"{where}: give exactly one of key or sha256")
    if key is not None:
        if not isinstance(key, str) or len(key.strip()) < MIN_KEY_LENGTH or key != key.strip():
            raise KeysError(f"{where}: key must be a string of at least {MIN_KEY_LENGTH} characters without surrounding spaces")
        return digest_of(key)
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise KeysError(f"{where}: sha256 must be 64 hexadecimal characters (the SHA-256 of the key)")
    return bytes.fromhex(sha256)


def _models(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item.strip() for item in value):
        raise KeysError(f"{where}: expected a non-empty list of model names or globs")
    return tuple(item.strip() for item in value)


def _limit(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise KeysError(f"{where}: expected a positive whole number (leave it out for no limit)")
    return value


def _expires(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise KeysError(f"{where}: expected an ISO 8601 date or date-time such as 2027-01-31 or 2027-01-31T18:00:00Z") from None
    else:
        raise KeysError(f"{where}: expected an ISO 8601 date or date-time such as 2027-01-31 or 2027-01-31T18:00:00Z")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()
