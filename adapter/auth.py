"""Client authentication: ``Authorization: Bearer <API_KEY>``, compared in constant time."""

from __future__ import annotations

import hmac

from flask import request

from .errors import AuthenticationFailed


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def key_matches(given: str, expected: str) -> bool:
    """Whether ``given`` is ``expected``, compared in constant time."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def presented_key() -> str:
    """The key the request carries (``Authorization: Bearer`` or ``x-api-key``), or ''."""
    return bearer_token(request.headers.get("Authorization")) or request.headers.get("x-api-key") or ""


def has_api_key(expected: str) -> bool:
    """Whether the request carries the gateway's API key (for routes open to anyone that show
    more to the operator)."""
    return key_matches(presented_key(), expected)


def check_api_key(expected: str) -> None:
    """Raise AuthenticationFailed (401) unless the request carries the gateway's API key."""
    token = presented_key()
    if not key_matches(token, expected):
        message = "Missing API key: send it as 'Authorization: Bearer <API_KEY>'." if not token else "Incorrect API key provided."
        raise AuthenticationFailed(message)
