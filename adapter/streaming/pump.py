"""The opening of one streaming request, run in its own greenlet (a thread without gevent).

Opening can take long (failover and backoff, a model thinking before its first event), while
the response side keeps its own clock: it answers with the upstream's status if that comes
before the first-byte deadline, sends keep-alives after it, and notices a client that hangs up.
So the pump runs the opener apart, and the response side waits for it with a timeout: one wait,
ended by the opener finishing, by the timeout, or by the worker's hang-up watcher
(:meth:`UpstreamPump.client_left`), so a stream waiting for Vertex is not woken every second.
Once open, the stream is handed over: the response side reads the rest itself (with a timeout
per read, :meth:`EventSource.read`), so events never cross threads. :meth:`UpstreamPump.close`
cuts the upstream at once while the opener runs, also while the request still waits for
Vertex's answer (:mod:`adapter.upstream.inflight`), and closes the stream once handed over.

Under gevent (gunicorn's workers) the opener runs in a raw greenlet (``gevent.spawn_raw``): no
``Thread`` or ``Greenlet`` object, links or exception bookkeeping, as the pump catches its
opener's errors itself: a waiting pump holds 4.8 KB of Python objects instead of 7.8 KB
(tracemalloc, 1000 pumps waiting), and starting one and waiting for its opener takes 31 µs
instead of 33. Without gevent (Flask's development server, the tests' clients) it is a daemon
thread.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from typing import Any, Callable, Protocol

import gevent
from gevent.event import Event as GreenletEvent
from gevent.monkey import is_module_patched

from ..errors import AdapterError, internal_error
from ..upstream.inflight import RequestTracker
from ..upstream.stream import UpstreamStream

logger = logging.getLogger(__name__)


class EventSource(Protocol):
    def read(self, wait: float | None = None) -> list[Any] | None:
        """Events that arrived within ``wait`` seconds ([] if none), None once it has ended."""

    def close(self) -> None: ...


class NoMoreEvents:
    """The source of a stream whose events all came at once (fake streaming)."""

    def read(self, wait: float | None = None) -> list[Any] | None:
        return None

    def close(self) -> None:
        return None


class Opened:
    """What an opener hands back (as the ``value`` of its outcome): the first events read, and
    the source of the rest."""

    __slots__ = ("first", "source")

    def __init__(self, first: list[Any], source: EventSource) -> None:
        self.first = first
        self.source = source


class UpstreamPump:
    def __init__(self, opener: Callable[["UpstreamPump"], Any]) -> None:
        """``opener(pump)`` runs in the pump thread, registers its streams with :meth:`track`,
        and returns an outcome whose ``value`` is an :class:`Opened`."""
        self._opener = opener
        self._lock = threading.Lock()
        self._stream: UpstreamStream | None = None
        self._tracker = RequestTracker()
        self._outcome: Any = None
        self._error: AdapterError | None = None
        self.cancelled = False
        self.done = False
        self.client_gone = False
        """Set by :meth:`client_left`: the hang-up watcher saw the client go."""
        context = contextvars.copy_context()  # the request id follows into the pump's logs
        if is_module_patched("threading"):
            self._wake: Any = GreenletEvent()
            gevent.spawn_raw(context.run, self._run)
        else:
            self._wake = threading.Event()
            threading.Thread(target=context.run, args=(self._run,), name="upstream-pump", daemon=True).start()

    def track(self, stream: UpstreamStream) -> None:
        """Remember the upstream stream being opened, so that close() can cut it."""
        with self._lock:
            self._stream = stream
            cancelled = self.cancelled
        if cancelled:
            stream.abort()

    def wait(self, timeout: float) -> bool:
        """True once the opener is done (see :meth:`outcome`); False if ``timeout`` s pass first
        or :meth:`client_left` is called meanwhile (see :attr:`client_gone`)."""
        if not self.done and not self.client_gone:
            self._wake.wait(timeout)
        return self.done

    def client_left(self) -> None:
        """Wake the response side's :meth:`wait`: its client hung up (the hang-up watcher)."""
        self.client_gone = True
        self._wake.set()

    def outcome(self) -> Any:
        """The opener's outcome, whose opened source the caller now reads; raises its error."""
        if self._error is not None:
            raise self._error
        return self._outcome

    def close(self) -> None:
        """Stop (from the response side): cut the upstream if it is still being opened, or close
        the opened stream, which belongs to the response side once handed over."""
        with self._lock:
            self.cancelled = True
            stream, outcome = self._stream, self._outcome
        if outcome is not None:
            outcome.value.source.close()
            return
        self._tracker.abort()
        if stream is not None:
            stream.abort()

    def _run(self) -> None:
        self._tracker.install()
        try:
            outcome = self._opener(self)
        except AdapterError as exc:
            self._error = exc
        except Exception:
            if not self.cancelled:
                logger.exception("opening the upstream stream failed")
            self._error = internal_error()
        else:
            self._hand_over(outcome)
        finally:
            self.done = True
            self._wake.set()

    def _hand_over(self, outcome: Any) -> None:
        with self._lock:
            keep = not self.cancelled
            if keep:
                self._outcome = outcome
        if not keep:  # nobody will read it
            outcome.value.source.close()
