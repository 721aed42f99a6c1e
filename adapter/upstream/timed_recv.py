"""Socket reads that wait a bounded time, with one timer per stream rather than one per wait.

A gevent socket with a timeout makes a fresh ``gevent.Timeout`` (an exception object and an
event-loop timer) for every read that has to wait, and closes it afterwards: 3-5 µs a wait
(``tests/perf/README.md``), paid 50 times by a stream whose 50 events come apart.
:class:`GeventTimedRecv` takes the socket's timeout off and keeps one repeating event-loop timer
of its own, re-armed for the whole wait around each read with ``again`` (0.3 µs). A stopped
timer cannot simply be started again: the event loop keeps what was left of its period, which
is also why a ``gevent.Timeout`` is not reused here. Anything but a gevent socket (threads,
Flask's development server) keeps the socket's own timeout (:class:`SocketTimedRecv`), which
costs nothing there.
"""

from __future__ import annotations

import socket
from typing import Any, Protocol

from gevent import get_hub, getcurrent
from gevent.socket import socket as GeventSocket


class TimedRecv(Protocol):
    def recv(self, size: int, wait: float) -> bytes | None:
        """Up to ``size`` bytes once some arrive within ``wait`` seconds; None if none did."""

    def close(self) -> None:
        """Release the timer (the socket is not closed)."""


class SocketTimedRecv:
    """The socket's own timeout, set again only when the wait changes."""

    __slots__ = ("_sock", "_wait")

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._wait: float | None = None

    def recv(self, size: int, wait: float) -> bytes | None:
        if self._wait != wait:
            self._sock.settimeout(wait)
            self._wait = wait
        try:
            return self._sock.recv(size)
        except TimeoutError:
            return None

    def close(self) -> None:
        return None


class WaitOver(BaseException):
    """Thrown into a read by its timer (a BaseException, like ``gevent.Timeout``, so that no
    ``except Exception`` on the way swallows it)."""


def _expire(reader: Any) -> None:
    reader.throw(WaitOver)


class GeventTimedRecv:
    """A gevent socket without a timeout, and one repeating timer re-armed around each read."""

    __slots__ = ("_sock", "_timer", "_wait")

    def __init__(self, sock: Any) -> None:
        sock.settimeout(None)
        self._sock = sock
        self._timer: Any = None
        self._wait: float | None = None

    def recv(self, size: int, wait: float) -> bytes | None:
        timer = self._timer
        if timer is None or self._wait != wait:
            if timer is not None:
                timer.close()
            timer = self._timer = get_hub().loop.timer(wait, wait)
            self._wait = wait
        timer.again(_expire, getcurrent())
        try:
            data: bytes = self._sock.recv(size)
            return data
        except WaitOver:
            return None
        finally:
            timer.stop()

    def close(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.close()


def timed_recv(sock: Any) -> TimedRecv:
    """The cheapest bounded read for ``sock``."""
    return GeventTimedRecv(sock) if isinstance(sock, GeventSocket) else SocketTimedRecv(sock)
