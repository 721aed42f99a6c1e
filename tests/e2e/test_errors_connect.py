"""A Vertex AI that cannot be reached: the 502 (or 504) and the log line say what kind of
failure it was (DNS, refused, TLS, timeout), so that an operator knows where to look."""

from __future__ import annotations

import logging
import socket

import pytest
import urllib3
from urllib3 import exceptions as urllib3_exceptions

from adapter.upstream.connect_errors import failure_class
from tests.conftest import GatewayFactory
from tests.emulator import VertexEmulator
from tests.support.openai_schema import assert_error

CHAT = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hello"}]}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    "base_url,phrase,kind",
    [
        ("http://127.0.0.1:{closed}", "connection refused", "refused"),
        ("https://127.0.0.1:{emulator}", "TLS handshake failed", "tls"),
        ("http://vertex-gateway-test.invalid", "DNS lookup of the host failed", "dns"),
    ],
    ids=["refused", "tls", "dns"],
)
def test_an_unreachable_vertex_is_a_502_naming_the_kind_of_failure(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, caplog: pytest.LogCaptureFixture, base_url: str, phrase: str, kind: str
) -> None:
    url = base_url.format(closed=_closed_port(), emulator=emulator.url.rsplit(":", 1)[1])
    live = gateway_factory(service_accounts=False, VERTEX_BASE_URL=url)
    with caplog.at_level(logging.WARNING, logger="adapter.upstream.vertex"):
        response = live.post("/v1/chat/completions", CHAT)
    assert response.status_code == 502
    body = response.json()
    assert_error(body)
    assert body["error"]["code"] == "upstream_unreachable"
    assert body["error"]["message"] == f"Could not connect to Vertex AI: {phrase}."
    assert any(f"could not connect to Vertex AI: {kind}" in record.getMessage() for record in caplog.records)


def _failure_of(url: str, **kwargs: object) -> BaseException:
    with pytest.raises(urllib3_exceptions.HTTPError) as caught:
        urllib3.PoolManager(retries=False).request("GET", url, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_failure_classes_of_real_connection_errors(emulator: VertexEmulator) -> None:
    assert failure_class(_failure_of(f"http://127.0.0.1:{_closed_port()}/")) == "refused"
    assert failure_class(_failure_of("http://vertex-gateway-test.invalid/")) == "dns"
    assert failure_class(_failure_of(f"https://{emulator.url.split('://', 1)[1]}/")) == "tls"
    timeout = urllib3_exceptions.ConnectTimeoutError(None, "Connection to vertex timed out. (connect timeout=10)")
    assert failure_class(urllib3_exceptions.MaxRetryError(None, "/", timeout)) == "timeout"  # type: ignore[arg-type]
    proxy = urllib3_exceptions.ProxyError("Unable to connect to proxy", ConnectionRefusedError(111, "Connection refused"))
    assert failure_class(proxy) == "proxy"
    reset = urllib3_exceptions.ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
    assert failure_class(reset) == "reset"
