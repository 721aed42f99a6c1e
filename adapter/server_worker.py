"""gunicorn's gevent worker, guarded against slow-header floods (Slowloris).

gunicorn's gevent worker gives a connection ``keepalive`` seconds (75 here) to send each
request's line and headers, so a client that trickles a header byte every few seconds holds a
connection for that long, and ``worker_connections`` such clients lock everyone out.
:class:`GatewayWorker` adds two limits:

- ``HEADER_TIMEOUT`` (seconds, default 10): the request line and headers must be complete this
  long after the connection opens, or after the first byte of a later request on a kept-alive
  connection. Waiting idle for that first byte is still ``keepalive``; reading a body and
  writing an answer (long streams) are not limited. Late clients get ``408`` and are closed.
- ``MAX_CONNECTIONS_PER_IP`` (default 128, 0 for none): open connections per client address
  (an IPv6 client by its /64) in one worker. One more gets ``429`` in OpenAI's error shape and
  is closed. Behind a reverse proxy every client shares the proxy's address: raise it, or 0.

It also raises the process's open-file limit (soft, up to the hard limit) to what
``worker_connections`` needs. The worker is named in ``gunicorn.conf.py``; TLS terminated by
gunicorn itself (``--certfile``) keeps gunicorn's own handling, without the header deadline.
"""

from __future__ import annotations

import ipaddress
import logging
import resource
import ssl
import time
from typing import Any

import gevent
from gunicorn.workers.ggevent import GeventWorker

from .entry_points_once import entry_points_read_once
from .settings import load_settings

logger = logging.getLogger(__name__)

_TOO_MANY_BODY = (
    b'{"error":{"message":"Too many open connections from your address.","type":"rate_limit_error",'
    b'"param":null,"code":"too_many_connections"}}'
)
TOO_MANY = (
    b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nConnection: close\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(_TOO_MANY_BODY), _TOO_MANY_BODY)
)
REQUEST_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
SPARE_FILES = 64  # listening sockets, log files, the state store, the worker's own pipes


def files_needed(worker_connections: int) -> int:
    """Open files a worker needs when every connection is busy: a request or stream in flight
    holds its client's socket and one to Vertex (5000 streams: 10,000 sockets), and the idle
    upstream pool (``UPSTREAM_POOL_CONNECTIONS``) stays within the same count."""
    return 2 * worker_connections + SPARE_FILES


def client_key(addr: Any) -> str:
    """Whom a connection counts against: its IPv4 address, or the /64 of an IPv6 address."""
    host = addr[0] if isinstance(addr, tuple) and addr else str(addr)
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class HeaderDeadlineSocket:
    """A client socket whose reads fail (as an end of stream) once the current request's line
    and headers are overdue. The worker says when headers are done and when a request ends."""

    def __init__(self, sock: Any, header_timeout: float, peer: str) -> None:
        self._sock = sock
        self._timeout = header_timeout
        self._peer = peer
        self._deadline: float | None = time.monotonic() + header_timeout
        self._awaiting_request = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def headers_read(self) -> None:
        self._deadline = None

    def request_done(self) -> None:
        self._awaiting_request = True

    def recv(self, size: int, flags: int = 0) -> bytes:
        if self._deadline is None or flags:  # a body, the wait for a request, a peek (disconnect watch)
            data: bytes = self._sock.recv(size, flags)
            if self._awaiting_request and data and not flags:
                self._awaiting_request = False
                self._deadline = time.monotonic() + self._timeout
            return data
        result: bytes | None = None
        with gevent.Timeout(max(0.0, self._deadline - time.monotonic()), False):
            result = self._sock.recv(size)
        return self._expired() if result is None else result

    def _expired(self) -> bytes:
        logger.info("closing a connection from %s: request headers not complete within %gs (HEADER_TIMEOUT)", self._peer, self._timeout)
        with gevent.Timeout(1, False):
            self._sock.sendall(REQUEST_TIMEOUT)
        return b""


class GatewayWorker(GeventWorker):
    """The gevent worker with a header deadline and a per-address connection cap."""

    def init_process(self) -> None:
        settings = load_settings()
        self.header_timeout = settings.header_timeout
        self.max_per_client = settings.max_connections_per_ip
        self.open_by_client: dict[str, int] = {}
        self.refusing: set[str] = set()
        _raise_file_limit(files_needed(self.worker_connections))
        super().init_process()

    def patch(self) -> None:
        with entry_points_read_once():  # 0.24-0.30 s less start-up (adapter/entry_points_once.py)
            super().patch()

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        key = client_key(addr)
        count = self.open_by_client.get(key, 0)
        if self.max_per_client and count >= self.max_per_client:
            self._refuse(client, key)
            return
        self.open_by_client[key] = count + 1
        try:
            guarded = client if isinstance(client, ssl.SSLSocket) else HeaderDeadlineSocket(client, self.header_timeout, key)
            super().handle(listener, guarded, addr)
        finally:
            left = self.open_by_client[key] - 1
            if left:
                self.open_by_client[key] = left
            else:
                del self.open_by_client[key]
                self.refusing.discard(key)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
        if isinstance(sock, HeaderDeadlineSocket):
            sock.headers_read()
        try:
            return super().handle_request(listener_name, req, sock, addr)
        finally:
            if isinstance(sock, HeaderDeadlineSocket):
                sock.request_done()

    def _refuse(self, client: Any, key: str) -> None:
        if key not in self.refusing:
            self.refusing.add(key)
            logger.warning("refusing connections from %s: %d already open (MAX_CONNECTIONS_PER_IP)", key, self.max_per_client)
        try:
            with gevent.Timeout(1, False):
                client.sendall(TOO_MANY)
            client.setblocking(False)
            client.recv(65536)  # what already arrived: closing with unread bytes would reset the answer
        except OSError:
            pass
        finally:
            client.close()


def _raise_file_limit(needed: int) -> None:
    """Raise the soft limit on open files towards ``needed`` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        logger.warning("open-file limit %d is below the %d that worker_connections needs; raise it (ulimit -n)", target, needed)
