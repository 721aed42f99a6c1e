"""Guards for the shortcuts that lean on libraries' private internals (each module's docstring
gives the measured saving that pays for it). Each test checks that what the shortcut relies on
still exists and behaves, and fails naming the pinned version when a library moves: re-check the
module (and re-measure with ``python3 -m tests.perf.bench``) before moving the pin."""

from __future__ import annotations

import _socket
import inspect
import socket
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import gevent
import pytest
import requests
from gevent import get_hub
from gevent import socket as gsocket
from marshmallow import Schema, fields
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.connection import is_connection_dropped

from adapter.gevent_sendall import install
from adapter.schemas.base import StrictSchema
from adapter.upstream.inflight import TrackedAdapter, TrackedHTTPConnection, TrackedHTTPSConnection
from adapter.upstream.media import PrivatePeerRefused, PublicOnlyAdapter
from adapter.upstream.vertex import SessionPools

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.txt"


def pinned(package: str) -> str:
    for line in REQUIREMENTS.read_text().splitlines():
        name, _, pin = line.partition("==")
        if name.strip().lower() == package:
            return pin.strip()
    raise AssertionError(f"{package} is not pinned in requirements.txt")


def moved(package: str, module: str, relies_on: str) -> str:
    return (f"{module} relies on {relies_on} of {package} {pinned(package)} (installed: {version(package)}); "
            f"re-check {module} against this version, or drop the shortcut for the public API")


def test_pins_are_what_is_installed() -> None:
    for package in ("marshmallow", "requests", "urllib3", "gevent"):
        assert version(package) == pinned(package), f"{package} {version(package)} is installed, {pinned(package)} pinned"


# --- marshmallow: FastSchema overrides the private Schema._deserialize --------------------------------


class _Pair(StrictSchema):
    first = fields.Integer(required=True)
    second = fields.Integer()
    third = fields.Integer(required=True)


def test_marshmallow_deserialize_takes_what_fast_schema_overrides() -> None:
    parameters = inspect.signature(Schema._deserialize).parameters
    expected = ["self", "data", "error_store", "many", "partial", "unknown", "index"]
    assert list(parameters) == expected, moved("marshmallow", "adapter/schemas/base.py", "Schema._deserialize(data, *, error_store, many, partial, unknown, index)")


def test_marshmallow_calls_the_override_on_load() -> None:
    with pytest.raises(Exception) as caught:
        _Pair().load({"second": "x", "first": "y"})
    order = list(caught.value.messages)  # type: ignore[attr-defined]
    assert order == ["second", "first", "third"], moved("marshmallow", "adapter/schemas/base.py", "load() going through Schema._deserialize (errors in body order)")


# --- requests: SessionPools asks the session's adapter for its urllib3 pool ---------------------------


def test_requests_adapter_methods_session_pools_calls() -> None:
    where = "adapter/upstream/vertex.py (SessionPools)"
    calls = {
        "get_connection_with_tls_context": ["self", "request", "verify", "proxies", "cert"],
        "cert_verify": ["self", "conn", "url", "verify", "cert"],
        "request_url": ["self", "request", "proxies"],
    }
    for name, parameters in calls.items():
        method = getattr(HTTPAdapter, name, None)
        assert method is not None and list(inspect.signature(method).parameters) == parameters, moved("requests", where, f"HTTPAdapter.{name}")
    assert "no_proxy" in inspect.signature(requests.utils.get_environ_proxies).parameters, moved("requests", where, "utils.get_environ_proxies")


def test_session_pools_finds_the_pool_requests_would_use() -> None:
    session = requests.Session()
    url = "http://127.0.0.1:9/v1/models/m:generateContent"
    target = SessionPools(environ={}).target(session, url)
    adapter: Any = session.get_adapter(url)
    prepared = session.prepare_request(requests.Request("POST", url))
    own_pool = adapter.get_connection_with_tls_context(prepared, True, proxies={})
    assert target.pool is own_pool, moved("requests", "adapter/upstream/vertex.py", "HTTPAdapter.get_connection_with_tls_context (the adapter's own pool)")
    assert (target.path, target.route.host, target.route.tunnel) == ("/v1/models/m:generateContent", "127.0.0.1:9", False)


# --- urllib3: exchange.py takes connections from the pool and gives them back itself ----------------


def test_urllib3_pool_methods_exchange_calls() -> None:
    where = "adapter/upstream/exchange.py"
    calls = {"_get_conn": ["self", "timeout"], "_put_conn": ["self", "conn"], "_prepare_proxy": ["self", "conn"]}
    for name, parameters in calls.items():
        method = getattr(HTTPConnectionPool, name, None)
        assert method is not None and list(inspect.signature(method).parameters) == parameters, moved("urllib3", where, f"HTTPConnectionPool.{name}")
    assert "_prepare_proxy" in vars(HTTPSConnectionPool), moved("urllib3", where, "HTTPSConnectionPool._prepare_proxy (the CONNECT tunnel)")


def test_urllib3_pool_lends_and_takes_back_a_connection() -> None:
    where = "adapter/upstream/exchange.py"
    pool = HTTPConnectionPool("127.0.0.1", 9, maxsize=1)
    conn = pool._get_conn()
    assert conn.sock is None and pool.pool is not None and pool.pool.qsize() == 0, moved("urllib3", where, "_get_conn taking a slot and handing out an unconnected connection")
    assert hasattr(conn, "has_connected_to_proxy") and conn.proxy is None, moved("urllib3", where, "HTTPConnection.proxy/has_connected_to_proxy")
    pool._put_conn(conn)
    assert pool._get_conn() is conn, moved("urllib3", where, "_put_conn putting the connection back for the next _get_conn")
    pool._put_conn(None)
    assert pool.pool.qsize() == 1, moved("urllib3", where, "_put_conn(None) giving the slot back")


# --- urllib3: inflight.py and media.py subclass the connections of requests' pools ---------------------


def test_urllib3_checks_a_pooled_socket_through_is_connected() -> None:
    class Closed:
        is_connected = False

    assert is_connection_dropped(Closed()), moved("urllib3", "adapter/upstream/inflight.py", "is_connection_dropped reading is_connected")  # type: ignore[arg-type]


@pytest.mark.parametrize(("adapter", "http_class", "https_class"), [
    (TrackedAdapter(), TrackedHTTPConnection, TrackedHTTPSConnection),
    (PublicOnlyAdapter(), None, None),
])
def test_adapters_pools_use_our_connections(adapter: HTTPAdapter, http_class: type | None, https_class: type | None) -> None:
    where = type(adapter).__module__.replace(".", "/") + ".py"
    pools = {scheme: adapter.poolmanager.connection_from_url(f"{scheme}://127.0.0.1:9") for scheme in ("http", "https")}
    for scheme, pool in pools.items():
        assert pool.ConnectionCls.__module__ == type(adapter).__module__, moved("urllib3", where, f"PoolManager.pool_classes_by_scheme[{scheme!r}].ConnectionCls")
    if http_class is not None:
        assert (pools["http"].ConnectionCls, pools["https"].ConnectionCls) == (http_class, https_class)


def test_urllib3_connects_through_new_conn_where_media_checks_the_peer() -> None:
    assert list(inspect.signature(HTTPConnection._new_conn).parameters) == ["self"], moved("urllib3", "adapter/upstream/media.py", "HTTPConnection._new_conn()")
    with socket.create_server(("127.0.0.1", 0)) as listener:
        pool = PublicOnlyAdapter().poolmanager.connection_from_url(f"http://127.0.0.1:{listener.getsockname()[1]}")
        with pytest.raises(PrivatePeerRefused):
            pool._new_conn().connect()


# --- gevent: gevent_sendall patches gevent's socket class and sends on its inner socket ----------------


def test_gevent_socket_has_the_inner_socket_gevent_sendall_uses() -> None:
    install()
    left, right = gsocket.socketpair()
    try:
        where = "adapter/gevent_sendall.py"
        assert getattr(gsocket.socket.sendall, "_one_send_first", False), moved("gevent", where, "a patchable socket.sendall")
        assert isinstance(getattr(left, "_sock", None), _socket.socket), moved("gevent", where, "socket._sock")
        assert left.timeout is None or isinstance(left.timeout, float), moved("gevent", where, "socket.timeout")
        left.sendall(b"ping")
        assert right.recv(4) == b"ping"
    finally:
        left.close()
        right.close()


# --- gevent: timed_recv re-arms one event-loop timer per stream with again() --------------------------


def test_gevent_loop_timers_rearm_for_their_whole_period_with_again() -> None:
    where = "adapter/upstream/timed_recv.py"
    fired: list[float] = []
    timer = get_hub().loop.timer(0.1, 0.1)
    try:
        assert all(hasattr(timer, name) for name in ("again", "stop", "close")), moved("gevent", where, "loop.timer().again/stop/close")
        timer.again(lambda: fired.append(time.monotonic()))
        gevent.sleep(0.07)
        timer.stop()  # 0.03 s of the period left; again() must not resume from there
        armed = time.monotonic()
        timer.again(lambda: fired.append(time.monotonic()))
        gevent.sleep(0.15)
        timer.stop()
        assert fired and fired[0] - armed >= 0.09, moved("gevent", where, "timer.again() arming the whole repeat period")
    finally:
        timer.close()
