"""Noticing that a streaming client hung up while nothing is being written to it.

A WSGI app learns that its client went away only when a write fails: with a silent upstream
(long thinking, a retry backing off) that is the next keep-alive, up to
``STREAM_KEEPALIVE_INTERVAL`` seconds later, while the upstream connection stays open.
:class:`ClientWatch` looks at the client socket that gunicorn (``gunicorn.socket``) or werkzeug
(``werkzeug.socket``) puts in the environ: a socket that polls readable and peeks zero bytes has
received the client's FIN. The poll never blocks (:func:`~adapter.upstream.inflight.poll_now`)
and costs one system call per check. Anything unexpected (a TLS socket, which refuses
``MSG_PEEK``; no socket in the environ) turns the watch off rather than guessing.
"""

from __future__ import annotations

import select
import socket
from typing import Any, Mapping

from ..errors import AdapterError
from ..upstream.inflight import poll_now

SOCKET_KEYS = ("gunicorn.socket", "werkzeug.socket")
_READABLE = select.POLLIN | select.POLLPRI
_BROKEN = select.POLLERR | select.POLLNVAL


class ClientGone(AdapterError):
    """The client hung up before the answer started (logged as 499, like nginx; nobody reads it)."""

    status = 499
    error_type = "invalid_request_error"
    default_code = "client_closed_request"

    def __init__(self) -> None:
        super().__init__("The client closed the connection before the answer started.")


class ClientWatch:
    """``gone()`` is True once the client closed its side of the connection."""

    __slots__ = ("_sock",)

    def __init__(self, sock: socket.socket | None) -> None:
        self._sock = sock

    @classmethod
    def from_environ(cls, environ: Mapping[str, Any]) -> "ClientWatch":
        sock = next((environ[key] for key in SOCKET_KEYS if key in environ), None)
        return cls(sock if hasattr(sock, "fileno") and hasattr(sock, "recv") else None)

    def gone(self) -> bool:
        sock = self._sock
        if sock is None:
            return False
        try:
            fd = sock.fileno()
            if fd < 0:
                return True
            events = poll_now(fd, _READABLE)
            if not events:
                return False
            if events & _BROKEN:
                return True
            return sock.recv(1, socket.MSG_PEEK) == b""
        except ConnectionError:
            return True
        except (OSError, ValueError, TypeError):
            self._sock = None
            return False
