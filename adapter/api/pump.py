"""The upstream side of one streaming request, run in its own thread (a greenlet under gevent).

The pump opens the upstream call (with failover) and hands what it gets to the response
generator through a queue, so that the generator can wait with a timeout: to keep the HTTP
status while the upstream has not answered yet, and to send keep-alives while it is silent.
:meth:`UpstreamPump.cancel` closes the upstream connection at once (the client went away),
also while the request still waits for Vertex's answer (:mod:`adapter.upstream.inflight`).
"""

from __future__ import annotations

import contextvars
import logging
import queue
import threading
from typing import Any, Callable, Iterator, Literal

from ..errors import AdapterError
from ..upstream.inflight import RequestTracker
from ..upstream.vertex import UpstreamStream

logger = logging.getLogger(__name__)

ItemKind = Literal["started", "event", "end", "error"]
Item = tuple[ItemKind, Any]


class Opened:
    """What an opener hands back (as the ``value`` of its outcome): the events to relay."""

    __slots__ = ("events",)

    def __init__(self, events: Iterator[Any]) -> None:
        self.events = events


class UpstreamPump:
    def __init__(self, opener: Callable[["UpstreamPump"], Any], *, name: str = "upstream-pump") -> None:
        """``opener(pump)`` runs in the pump thread, registers its streams with :meth:`track`,
        and returns an outcome whose ``value`` is an :class:`Opened`."""
        self._opener = opener
        self._queue: queue.SimpleQueue[Item] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._stream: UpstreamStream | None = None
        self._tracker = RequestTracker()
        self.cancelled = False
        context = contextvars.copy_context()  # the request id follows into the pump's logs
        self._thread = threading.Thread(target=context.run, args=(self._run,), name=name, daemon=True)
        self._thread.start()

    def track(self, stream: UpstreamStream) -> None:
        """Remember the upstream stream being read, so that cancel() can cut it."""
        with self._lock:
            self._stream = stream
            cancelled = self.cancelled
        if cancelled:
            stream.abort()

    def get(self, timeout: float) -> Item | None:
        """The next item, or None when ``timeout`` seconds pass without one."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def cancel(self) -> None:
        """Stop the pump (from the response side): its upstream connection is cut at once, and
        the pump thread closes it as its blocked read returns."""
        with self._lock:
            self.cancelled = True
            stream = self._stream
        self._tracker.abort()
        if stream is not None:
            stream.abort()

    def _put(self, kind: ItemKind, payload: Any) -> None:
        if not self.cancelled:
            self._queue.put((kind, payload))

    def _run(self) -> None:
        self._tracker.install()
        try:
            outcome = self._opener(self)
            self._put("started", outcome)
            for event in outcome.value.events:
                if self.cancelled:
                    return
                self._put("event", event)
            self._put("end", None)
        except AdapterError as exc:
            self._put("error", exc)
        except Exception:
            if not self.cancelled:
                logger.exception("upstream stream failed")
                self._put("error", AdapterError("The gateway failed while reading the upstream stream."))
        finally:
            with self._lock:
                stream = self._stream
            if stream is not None:
                stream.close()
