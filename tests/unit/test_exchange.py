"""One POST exchange on a pooled connection: a connection goes back to the pool only after its
answer was read to the end, and a reused connection the server had closed is tried once more."""

from __future__ import annotations

import socket
import threading
from http.client import RemoteDisconnected
from typing import Iterator

import gevent
import pytest
from gevent import socket as gsocket
from urllib3 import HTTPConnectionPool

from adapter.upstream.exchange import BodyBroken, Route, post, request_bytes
from adapter.upstream.inflight import RequestTracker

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"


def _request(route: Route) -> bytes:
    return request_bytes(route, "/v1/m:generateContent", {"Content-Type": "application/json"}, b"{}")


def _route(pool: HTTPConnectionPool) -> Route:
    return Route(pool, f"{pool.host}:{pool.port}", False, {})


@pytest.fixture
def wire() -> Iterator[tuple[HTTPConnectionPool, object, gsocket.socket]]:
    """A pool of one connection whose socket is one end of a gevent socket pair (the other the upstream)."""
    upstream, gateway = gsocket.socketpair()
    pool = HTTPConnectionPool("127.0.0.1", 9, maxsize=1)
    conn = pool._get_conn()
    conn.sock = gateway
    pool._put_conn(conn)
    yield pool, conn, upstream
    upstream.close()
    gateway.close()


def _answer(upstream: gsocket.socket, raw: bytes) -> None:
    upstream.recv(65536)
    upstream.sendall(raw)


def test_a_body_read_to_the_end_gives_the_connection_back(wire: tuple[HTTPConnectionPool, object, gsocket.socket]) -> None:
    pool, conn, upstream = wire
    gevent.spawn(_answer, upstream, ANSWER)
    answer = post(_route(pool), _request(_route(pool)), 1, 5)
    assert (answer.status, answer.read()) == (200, b"hello")
    assert pool._get_conn() is conn and conn.sock is not None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "raw,limit",
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789", None),  # the answer refused keep-alive
        (b"HTTP/1.1 500 x\r\nContent-Length: 10\r\n\r\n01234", 3),  # read in part
    ],
    ids=["connection_close", "partial"],
)
def test_an_answer_that_cannot_be_followed_closes_the_connection(
    wire: tuple[HTTPConnectionPool, object, gsocket.socket], raw: bytes, limit: int | None
) -> None:
    pool, conn, upstream = wire
    gevent.spawn(_answer, upstream, raw)
    post(_route(pool), _request(_route(pool)), 1, 5).read(limit)
    assert conn.sock is None  # type: ignore[attr-defined]
    assert pool.pool is not None and pool.pool.qsize() == 1  # the slot is free again


def test_a_body_cut_short_is_broken_and_closes_the_connection(wire: tuple[HTTPConnectionPool, object, gsocket.socket]) -> None:
    pool, conn, upstream = wire

    def cut() -> None:
        _answer(upstream, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234")
        upstream.shutdown(socket.SHUT_WR)

    gevent.spawn(cut)
    answer = post(_route(pool), _request(_route(pool)), 1, 5)
    with pytest.raises(BodyBroken):
        answer.read()
    assert conn.sock is None and pool._get_conn() is not conn  # type: ignore[attr-defined]


@pytest.mark.parametrize("stop", ["gevent_timeout", "greenlet_kill"])
def test_a_greenlet_stopped_mid_body_closes_the_connection(wire: tuple[HTTPConnectionPool, object, gsocket.socket], stop: str) -> None:
    pool, conn, upstream = wire
    gevent.spawn(_answer, upstream, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234")  # and the rest never comes
    answer = post(_route(pool), _request(_route(pool)), 1, 5)

    def read() -> bytes:
        if stop == "gevent_timeout":
            with gevent.Timeout(0.05):
                return answer.read()
        return answer.read()

    reader = gevent.spawn(read)
    if stop == "greenlet_kill":
        gevent.sleep(0.05)
        reader.kill()
    reader.join(2)
    assert reader.dead and not isinstance(reader.value, bytes)  # stopped before the body was whole
    assert conn.sock is None  # type: ignore[attr-defined]
    assert pool._get_conn() is not conn  # a new connection: the stopped one did not go back dirty


class _Upstream:
    """A TCP server that handles the requests of each connection it accepts by a script:
    ``"answer"`` (keep-alive) or ``"close"`` (reads the request, closes without answering)."""

    def __init__(self, scripts: list[list[str]]) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.scripts = scripts
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        for script in self.scripts:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.accepted += 1
            with conn:
                for action in script:
                    conn.recv(65536)
                    if action == "close":
                        break
                    conn.sendall(ANSWER)

    def pool(self) -> HTTPConnectionPool:
        return HTTPConnectionPool("127.0.0.1", self.server.getsockname()[1], maxsize=1)


def test_a_reused_connection_the_server_closed_is_tried_once_more_on_a_new_one() -> None:
    upstream = _Upstream([["answer", "close"], ["answer"]])
    pool = upstream.pool()
    route = _route(pool)
    assert post(route, _request(route), 2, 5).read() == b"hello"
    assert post(route, _request(route), 2, 5).read() == b"hello"
    assert upstream.accepted == 2
    upstream.server.close()


def test_a_new_connection_closed_without_an_answer_is_not_tried_again() -> None:
    upstream = _Upstream([["close"], ["answer"]])
    pool = upstream.pool()
    with pytest.raises(RemoteDisconnected):
        post(_route(pool), _request(_route(pool)), 2, 5)
    assert upstream.accepted == 1 and pool.pool is not None and pool.pool.qsize() == 1
    upstream.server.close()


def test_an_aborted_request_is_not_tried_again() -> None:
    upstream = _Upstream([["answer", "close"], ["answer"]])
    pool = upstream.pool()
    route = _route(pool)
    assert post(route, _request(route), 2, 5).read() == b"hello"
    tracker = RequestTracker()
    tracker.abort()  # the client hung up: the request's socket is shut down as it starts waiting
    token = tracker.install()
    try:
        with pytest.raises(OSError):
            post(route, _request(route), 2, 5)
    finally:
        RequestTracker.uninstall(token)
    assert upstream.accepted == 1
    upstream.server.close()


@pytest.mark.parametrize(
    "target,headers",
    [("/v1/a b", {}), ("/v1/m", {"x-goog-api-key": "key\r\nX-Injected: 1"})],
    ids=["space_in_target", "line_break_in_header"],
)
def test_a_request_that_would_break_the_head_is_refused(target: str, headers: dict[str, str]) -> None:
    route = Route(HTTPConnectionPool("127.0.0.1", 9), "127.0.0.1:9", False, {})
    with pytest.raises(ValueError):
        request_bytes(route, target, headers, b"{}")


def test_the_request_head_names_host_and_length_and_a_plain_proxy_gets_its_headers() -> None:
    route = Route(HTTPConnectionPool("127.0.0.1", 9), "vertex.example:8443", False, {"Proxy-Authorization": "Basic eA=="})
    raw = request_bytes(route, "http://vertex.example:8443/v1/m", {"Accept": "*/*"}, b"{}")
    assert raw == (b"POST http://vertex.example:8443/v1/m HTTP/1.1\r\nHost: vertex.example:8443\r\nAccept: */*\r\n"
                   b"Proxy-Authorization: Basic eA==\r\nContent-Length: 2\r\n\r\n{}")
