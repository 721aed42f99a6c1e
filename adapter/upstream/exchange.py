"""One HTTP/1.1 POST to Vertex AI, written and read by hand on a connection of urllib3's pool.

urllib3's ``urlopen`` and http.client cost ~300 µs of a ~1.1 CPU-ms gateway request (py-spy):
building the request through ``putrequest``/``putheader``, reading the head line by line from a
buffered file into the ``email`` package's parser, and urllib3's response wrapper. For one
host, fixed headers and a body already in bytes, the exchange is simpler: the head and the body
go out in one ``sendall``, the answer's head comes in with one ``recv`` (usually with the start
of the body, or all of it), :mod:`.http_head` parses it and :mod:`.body` removes the framing.

What urllib3 still does: the session's pool owns the connections (its size, the connection
classes of :mod:`.inflight`), opens them (``connect()`` does the TLS handshake of an HTTPS
connection, with the pool's CA bundle), tunnels through a proxy with CONNECT
(``_prepare_proxy``) and checks a pooled connection before reuse (``_get_conn`` asks
``is_connection_dropped``). That needs three private pool methods, ``_get_conn``,
``_put_conn`` and ``_prepare_proxy`` (urllib3's own ``urlopen`` calls them the same way);
``tests/unit/test_library_internals.py`` fails, naming the pinned urllib3, when they move.

A connection goes back to the pool only once its answer's body was read to the end and the
answer allowed keep-alive; anything else (an error, a body left unread, a greenlet killed
mid-read) closes it, and its slot in the pool is given back either way. A reused connection
that the server had closed (it fails before a byte of the answer came) is tried once more on
the pool's next connection (a new one when no other is idle), unless the request was aborted:
the race urllib3's pooled-socket check cannot close, when the server's FIN comes just after it.
"""

from __future__ import annotations

import re
from http.client import RemoteDisconnected
from typing import Any, Mapping, NamedTuple

from urllib3 import HTTPConnectionPool
from urllib3 import exceptions as urllib3_exceptions

from .body import body_decoder, decode_content
from .fair_wait import wait_for_answer
from .http_head import MAX_HEAD, BadHead, ResponseHead, head_end, is_interim, parse_head
from .inflight import current_tracker

READ_SIZE = 65536
_STALE = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)  # RemoteDisconnected included
_NOT_IN_TARGET = re.compile(r"[\x00-\x20\x7f]")  # what http.client refuses in a request target
_NOT_IN_VALUE = re.compile(r"[\r\n\x00]")  # a line break would start another header


class Route(NamedTuple):
    """Where and how a request goes: the pool, the ``Host`` header, whether the pool's proxy
    is a CONNECT tunnel, and the headers a plain-HTTP proxy gets."""

    pool: HTTPConnectionPool
    host: str
    tunnel: bool
    proxy_headers: Mapping[str, str]


class ConnectFailed(Exception):
    """No connection could be made (DNS, refused, TLS, proxy, connect timeout): ``cause``."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(cause)
        self.cause = cause


class BodyBroken(Exception):
    """The body ended early, its framing was not HTTP, or its content coding was corrupt."""


def request_bytes(route: Route, target: str, headers: Mapping[str, str], body: bytes) -> bytes:
    """The request's head and body as sent. Raises ``ValueError`` for a target or a header
    value that would break the head (as http.client does)."""
    if _NOT_IN_TARGET.search(target):
        raise ValueError("the request target holds a control character or a space")
    lines = [f"POST {target} HTTP/1.1\r\nHost: {route.host}\r\n"]
    for name, value in (*headers.items(), *route.proxy_headers.items()):
        if _NOT_IN_VALUE.search(value):
            raise ValueError(f"the value of header {name} holds a line break")
        lines.append(f"{name}: {value}\r\n")
    lines.append(f"Content-Length: {len(body)}\r\n\r\n")
    return "".join(lines).encode("latin-1") + body


class Answer:
    """A response whose head is in: :attr:`status`, :attr:`headers`, and the body still to be
    read from :attr:`sock` (:attr:`pending` holds the bytes read past the head). Read it with
    :meth:`read` or take it over (:class:`~.stream.UpstreamStream`); always :meth:`close` it."""

    __slots__ = ("_conn", "_keep_alive", "_pool", "body", "headers", "pending", "sock", "status")

    def __init__(self, pool: HTTPConnectionPool, conn: Any, head: ResponseHead, pending: bytes) -> None:
        self.status = head.status
        self.headers = head.headers
        self.body = body_decoder(chunked=head.chunked, length=head.length)
        self.pending = pending
        self.sock: Any = conn.sock
        self._pool = pool
        self._conn = conn
        self._keep_alive = head.keep_alive

    def read(self, limit: int | None = None) -> bytes:
        """The body without its framing and content coding (up to about ``limit`` bytes; the
        connection is closed then). Raises :class:`BodyBroken`, or the socket's ``OSError``
        (``TimeoutError`` for silence past the read timeout)."""
        body, pieces = self.body, [self.body.feed(self.pending)] if self.pending else []
        self.pending = b""
        size = len(pieces[0]) if pieces else 0
        try:
            while not body.done and (limit is None or size < limit):
                data = self.sock.recv(READ_SIZE)
                if not data:
                    if body.ends_with_connection:
                        break
                    raise BodyBroken("the body ended early")
                pieces.append(body.feed(data))
                size += len(pieces[-1])
        except ValueError:
            self.close()
            raise BodyBroken("the body's framing is not HTTP") from None
        except BaseException:
            self.close()
            raise
        self.finish()
        content = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        try:
            return decode_content(content, self.headers.get("content-encoding"))
        except Exception:  # zlib.error, or a huge coding list
            raise BodyBroken("the body's content coding is corrupt") from None

    def finish(self) -> None:
        """The body was read: the connection serves the next request if the answer allows it."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if not (self.body.done and self._keep_alive):
            conn.close()  # the pool keeps the closed connection; its next use connects it again
        self._pool._put_conn(conn)

    def close(self) -> None:
        """Close the connection unless it went back to the pool (safe to call more than once)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
            self._pool._put_conn(None)


def post(route: Route, request: bytes, connect_timeout: float, read_timeout: float) -> Answer:
    """Send ``request`` (:func:`request_bytes`) and return the answer once its head is in.

    Raises :class:`ConnectFailed`, ``TimeoutError`` when Vertex is silent past the read
    timeout, another ``OSError`` (``RemoteDisconnected`` when it closed without an answer), or
    :class:`~.http_head.BadHead`.
    """
    pool = route.pool
    conn: Any = pool._get_conn()
    if conn.sock is not None:  # a pooled connection, which the server may have closed meanwhile
        try:
            return _exchange_on(route, conn, request, connect_timeout, read_timeout)
        except _STALE:
            tracker = current_tracker()
            if tracker is not None and tracker.aborted:
                raise
        conn = pool._get_conn()
    return _exchange_on(route, conn, request, connect_timeout, read_timeout)


def _exchange_on(route: Route, conn: Any, request: bytes, connect_timeout: float, read_timeout: float) -> Answer:
    """The exchange on ``conn``, which is closed (its pool slot given back) if it fails."""
    pool = route.pool
    try:
        if conn.sock is None:
            _connect(pool, conn, route.tunnel, connect_timeout)
        sock = conn.sock
        sock.settimeout(read_timeout)
        sock.sendall(request)
        tracker = current_tracker()
        if tracker is not None:
            tracker.attach(sock)
        try:
            wait_for_answer(sock, read_timeout)
            head, pending = _read_head(sock)
        finally:
            if tracker is not None:
                tracker.detach()
    except BaseException:
        conn.close()
        pool._put_conn(None)
        raise
    return Answer(pool, conn, head, pending)


def _connect(pool: HTTPConnectionPool, conn: Any, tunnel: bool, timeout: float) -> None:
    """Open ``conn`` as urllib3's ``urlopen`` would: through the proxy's tunnel, or directly
    (``connect()`` does the TLS handshake of an HTTPS connection)."""
    conn.timeout = timeout
    try:
        if tunnel:
            pool._prepare_proxy(conn)
        else:
            conn.connect()
    except (OSError, urllib3_exceptions.HTTPError) as exc:
        if conn.proxy is not None and not conn.has_connected_to_proxy:
            raise ConnectFailed(urllib3_exceptions.ProxyError("Unable to connect to proxy", exc)) from None
        raise ConnectFailed(exc) from None


def _read_head(sock: Any) -> tuple[ResponseHead, bytes]:
    """The answer's head (after any 1xx interim heads) and the bytes read past it."""
    buffer = b""
    while True:
        end = head_end(buffer)
        if end < 0:
            if len(buffer) > MAX_HEAD:
                raise BadHead("the answer's head is too long")
            data = sock.recv(READ_SIZE)
            if not data:
                raise RemoteDisconnected("Remote end closed connection without response")
            buffer = buffer + data if buffer else data
        elif is_interim(buffer):
            buffer = buffer[end:]
        else:
            return parse_head(buffer[:end]), buffer[end:]
