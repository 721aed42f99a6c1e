"""Waiting for Vertex's answer through gevent's event loop, so that a busy worker stays fair.

Under gevent a greenlet lets the others run only when a socket operation would block. On a busy
worker with a fast upstream, the answer is often in the socket already when the greenlet reads
it, and the client's next keep-alive request is waiting too: that greenlet then serves request
after request, while greenlets whose answers have come in wait for it to block. A per-request
timeline of the benchmark at 64 connections (``tests/perf``) showed it: while one request
waited for its answer, a median of 58 others finished (a fair turn is 63) but the slowest 1 %
saw 230 finish. The gateway used to yield once per request by accident (urllib3 checked pooled
sockets through gevent's ``select.poll``), and lost that when the check became one plain
``poll`` call.

:func:`wait_for_answer` makes the yield deliberate and puts it where it costs nothing: between
sending the request and reading the answer, while Vertex works. The greenlet always waits for
the socket to turn readable through the hub, so each request leaves the CPU once and comes
back in the hub's turn for ready sockets; when the answer was not there yet, this is the wait
the read would have made anyway. Only gevent's own sockets wait this way (a TLS socket holding
decrypted bytes reads them at once); anything else reads as before. Afterwards the slowest 1 %
saw 111 finish at 64 connections (28 at 16, from 42-75), for 1-3 µs per request (20,000 round
trips on a gevent socket pair: 21.8-26.9 µs plain, 24.5-29.5 µs with this wait).
"""

from __future__ import annotations

from typing import Any

from gevent.socket import socket as GeventSocket
from gevent.socket import wait_read


def wait_for_answer(sock: Any, timeout: Any) -> None:
    """Wait until ``sock`` is readable, yielding to other greenlets even if it already is.

    ``timeout`` is the read timeout urllib3 set on the connection (seconds, or None to wait
    as long as the socket would); on expiry ``socket.timeout`` is raised, as the read would.
    """
    if not isinstance(sock, GeventSocket):
        return
    pending = getattr(sock, "pending", None)
    if pending is not None and pending():
        return
    if not isinstance(timeout, (int, float)):
        timeout = sock.gettimeout()
    wait_read(sock.fileno(), timeout=timeout)
