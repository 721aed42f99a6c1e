"""Aborting an upstream request, from another thread, while it waits for Vertex's answer.

A streaming request's pump thread blocks until Vertex sends its status line, which can take as
long as the model thinks. When the client hangs up meanwhile, the gateway should not keep that
request (and its quota) alive. The exchange with Vertex (:mod:`.exchange`) and the connections
of the upstream sessions (:func:`mount_tracked_pool`, for what else goes through them) register
their socket with the :class:`RequestTracker` of the current context (:func:`current_tracker`)
while they wait for the answer, and only then: :meth:`RequestTracker.abort`
shuts that socket down, the blocked read returns at once, and the request fails without
touching a connection that went back to the pool. A non-streaming request installs one in its
own context while it waits (:class:`~adapter.api.disconnect.HangupWatcher`). Without a tracker
in the context nothing changes.

The same connections check whether a pooled socket is still usable with one non-blocking
``poll`` system call (:func:`poll_now`) instead of urllib3's ``wait_for_read``, which under
gevent goes through gevent's ``select.poll`` emulation (~11 µs a request) to learn the same
(with the per-host pool of ``vertex.SessionPools``: 0.94 → 0.87 CPU-ms per request, commit
6ee81af). The connection classes reach urllib3 through ``PoolManager.pool_classes_by_scheme``
and its pools' ``ConnectionCls``, and urllib3 asks ``is_connected`` of a pooled connection;
``tests/unit/test_library_internals.py`` fails, naming the pinned urllib3, when that moves.
They also wait for the answer through gevent's hub (:mod:`.fair_wait`), so that a busy worker
stays fair (that wait replaces the yield ``wait_for_read`` used to make by accident).
"""

from __future__ import annotations

import select
import socket
import threading
from contextvars import ContextVar, Token
from typing import Any, Callable

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .fair_wait import wait_for_answer

try:
    from gevent.monkey import get_original

    _instant_poller: Callable[[], Any] = get_original("select", "poll")
except ImportError:  # pragma: no cover - gevent is a runtime requirement
    _instant_poller = select.poll

_current: ContextVar["RequestTracker | None"] = ContextVar("upstream_request_tracker", default=None)


def _shutdown(sock: Any) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError):
        pass


def poll_now(fd: int, events: int) -> int:
    """The ``poll`` events of ``fd`` at this instant (0: none). Never blocks: it is the
    original ``poll`` even under gevent (a zero timeout needs no cooperation), one system call,
    and it works for any descriptor number, unlike ``select``."""
    poller = _instant_poller()
    poller.register(fd, events)
    ready = poller.poll(0)
    return ready[0][1] if ready else 0


class RequestTracker:
    """The socket of the request waiting for its answer in this context, if any."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sock: Any = None
        self.aborted = False

    def install(self) -> "Token[RequestTracker | None]":
        """Make this tracker the current one (in the calling thread's context); the token
        restores the previous one (:meth:`uninstall`)."""
        return _current.set(self)

    @staticmethod
    def uninstall(token: "Token[RequestTracker | None]") -> None:
        _current.reset(token)

    def attach(self, sock: Any) -> None:
        with self._lock:
            self._sock = sock
            aborted = self.aborted
        if aborted:
            _shutdown(sock)

    def detach(self) -> None:
        with self._lock:
            self._sock = None

    def abort(self) -> None:
        with self._lock:
            self.aborted = True
            sock, self._sock = self._sock, None
        if sock is not None:
            _shutdown(sock)


def current_tracker() -> "RequestTracker | None":
    """The tracker of this context (a request that a hang-up may abort), if any."""
    return _current.get()


class _Tracked:
    """Mixin for urllib3 connections: register the socket while waiting for the response, and
    wait for it through the hub; check a pooled socket with :func:`poll_now`."""

    sock: Any

    @property
    def is_connected(self) -> bool:
        """False once the server closed the idle connection (its socket polls readable)."""
        if self.sock is None:
            return False
        return not poll_now(self.sock.fileno(), select.POLLIN)

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        sock = self.sock
        tracker = _current.get() if sock is not None else None
        if tracker is not None:
            tracker.attach(sock)
        try:
            if sock is not None:
                wait_for_answer(sock, self.timeout)  # type: ignore[attr-defined]
            return super().getresponse(*args, **kwargs)  # type: ignore[misc]
        finally:
            if tracker is not None:
                tracker.detach()


class TrackedHTTPConnection(_Tracked, HTTPConnection):
    pass


class TrackedHTTPSConnection(_Tracked, HTTPSConnection):
    pass


class _TrackedHTTPPool(HTTPConnectionPool):
    ConnectionCls = TrackedHTTPConnection


class _TrackedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = TrackedHTTPSConnection


class TrackedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _TrackedHTTPPool, "https": _TrackedHTTPSPool}


def mount_tracked_pool(session: requests.Session, pool_size: int) -> None:
    """Size the session's connection pool to the worker's concurrency (no discarded sockets),
    with connections that a :class:`RequestTracker` can abort."""
    adapter = TrackedAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
