"""Noticing that a client hung up while nothing is being written to it.

A WSGI app learns that its client went away only when a write fails: with a silent upstream
(long thinking, a retry backing off) that is the next keep-alive, up to
``STREAM_KEEPALIVE_INTERVAL`` seconds later, while the upstream connection stays open.
:class:`ClientWatch` looks at the client socket that gunicorn (``gunicorn.socket``) or werkzeug
(``werkzeug.socket``) puts in the environ: a socket that polls readable and peeks zero bytes has
received the client's FIN. The poll never blocks (:func:`~adapter.upstream.inflight.poll_now`)
and costs one system call per check. Anything unexpected (a TLS socket, which refuses
``MSG_PEEK``; no socket in the environ) turns the watch off rather than guessing.

A streaming response checks its own client between reads once it relays (:mod:`.relay`). A
request waiting for a whole answer, or a stream waiting for its upstream to open, writes
nothing until Vertex answers, which can take minutes: the :data:`HANGUPS` watcher checks the
clients of all such requests and cuts the upstream request of one that left (:func:`cancellable`
then stops its failover), or wakes the stream's wait (:meth:`HangupWatcher.waking`).
"""

from __future__ import annotations

import os
import select
import socket
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Mapping, TypeVar

from ..errors import AdapterError, UpstreamError
from ..upstream.inflight import RequestTracker, poll_now

T = TypeVar("T")

DISCONNECT_CHECK_INTERVAL = 1.0
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

    @property
    def watchable(self) -> bool:
        return self._sock is not None

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


class HangupWatcher:
    """Acts for clients that hung up while their request waits for Vertex.

    One thread per worker process (a greenlet under gevent, started by the first request)
    checks the clients of the registered requests every ``interval`` seconds and calls the
    ``on_gone`` of those that left, once. Registering is a dictionary insert: no thread, lock
    or wake-up per request.
    """

    def __init__(self, interval: float = DISCONNECT_CHECK_INTERVAL) -> None:
        self._interval = interval
        self._waiting: dict[object, tuple[ClientWatch, Callable[[], None]]] = {}
        self._start_lock = threading.Lock()
        self._pid = 0

    @contextmanager
    def watching(self, watch: ClientWatch) -> Iterator[RequestTracker]:
        """A tracker installed in the current context for the block's upstream requests,
        aborted if the client hangs up meanwhile."""
        tracker = RequestTracker()
        token = tracker.install()
        try:
            with self.waking(watch, tracker.abort):
                yield tracker
        finally:
            RequestTracker.uninstall(token)

    @contextmanager
    def waking(self, watch: ClientWatch, on_gone: Callable[[], None]) -> Iterator[None]:
        """``on_gone()`` is called (from the watcher) if the client hangs up during the block."""
        if not watch.watchable:
            yield
            return
        key = object()
        self._waiting[key] = (watch, on_gone)
        if self._pid != os.getpid():
            self._start_in_this_process()
        try:
            yield
        finally:
            self._waiting.pop(key, None)

    def _start_in_this_process(self) -> None:
        """Start the thread on first use, and again in a forked worker (threads do not survive
        a fork)."""
        with self._start_lock:
            pid = os.getpid()
            if self._pid != pid:
                self._pid = pid
                threading.Thread(target=self._run, name="hangup-watcher", daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(self._interval)
            for key, (watch, on_gone) in list(self._waiting.items()):
                if watch.gone() and self._waiting.pop(key, None) is not None:
                    on_gone()


HANGUPS = HangupWatcher()


def cancellable(cancelled: Callable[[], bool], attempt: Callable[[Any], T]) -> Callable[[Any], T]:
    """``attempt``, except that once ``cancelled()`` (the client left) no attempt starts, and
    the failure of the one that was cut is no upstream failure to fail over from."""

    def guarded(cred: Any) -> T:
        if cancelled():
            raise ClientGone()
        try:
            return attempt(cred)
        except UpstreamError:
            if cancelled():
                raise ClientGone() from None
            raise

    return guarded
