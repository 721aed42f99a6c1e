"""What kind of failure kept a connection from being made: DNS, refused, TLS, timeout, proxy,
reset. The class goes into the client's message and the log line, so that an operator reading
"could not connect" knows where to look. Nothing from the exception's text is shown to the
client (it can name internal hosts); the log gets the operating system's reason too.
"""

from __future__ import annotations

import socket
import ssl
from typing import Iterator

from urllib3 import exceptions as urllib3_exceptions

FAILURE_DESCRIPTIONS = {
    "dns": "DNS lookup of the host failed",
    "refused": "connection refused",
    "tls": "TLS handshake failed",
    "timeout": "connection timed out",
    "proxy": "the proxy failed",
    "reset": "connection reset",
    "network": "network error",
}

_CLASSES: tuple[tuple[type[BaseException], str], ...] = (
    (urllib3_exceptions.ProxyError, "proxy"),
    (urllib3_exceptions.NameResolutionError, "dns"),
    (socket.gaierror, "dns"),
    (urllib3_exceptions.SSLError, "tls"),
    (ssl.SSLError, "tls"),
    (ConnectionRefusedError, "refused"),
    (ConnectionResetError, "reset"),
    (ConnectionAbortedError, "reset"),
    (BrokenPipeError, "reset"),
    (urllib3_exceptions.ConnectTimeoutError, "timeout"),
    (TimeoutError, "timeout"),
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps: MaxRetryError's reason, ProtocolError's cause, __cause__."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [getattr(current, "reason", None), *current.args, current.__cause__, current.__context__]
        todo.extend(link for link in wrapped if isinstance(link, BaseException))


def failure_class(exc: BaseException) -> str:
    """The key of :data:`FAILURE_DESCRIPTIONS` that describes ``exc`` best."""
    chain = list(_chain(exc))
    for kind, name in _CLASSES:
        if any(isinstance(link, kind) for link in chain):
            return name
    return "network"


def os_reason(exc: BaseException) -> str:
    """The operating system's words for the innermost socket error (for logs), or ''."""
    reasons = [link.strerror for link in _chain(exc) if isinstance(link, OSError) and link.strerror]
    return str(reasons[-1]) if reasons else ""
