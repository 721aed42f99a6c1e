"""Server-side request forgery through a proxy the operator configured (``HTTP_PROXY``): the URL
is read by the parser that sends the request, userinfo and backslashes are refused outright,
and the destination is resolved and checked before the proxy is asked for anything.

The proxy is a real one on loopback (``tests/support/http_proxy.py``); whatever destination it
is asked for, it forwards to a loopback origin that plays the internet, including a cloud
metadata service, so that no packet leaves the machine."""

from __future__ import annotations

import base64
import threading
from typing import Any, Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.conftest import GatewayFactory, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.http_proxy import ForwardProxy
from tests.support.openai_schema import assert_error

PNG = base64.b64decode(payloads.TINY_PNG_BASE64)
METADATA_SECRET = b"metadata-service-credentials-7f3a"


@pytest.fixture(scope="module")
def internet() -> Iterator[int]:
    @Request.application
    def app(request: Request) -> Response:
        if request.path.startswith("/latest/meta-data"):
            return Response(METADATA_SECRET, content_type="text/plain")
        return Response(PNG, content_type="image/png")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield server.server_port
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(internet: int, monkeypatch: pytest.MonkeyPatch) -> Iterator[ForwardProxy]:
    with ForwardProxy(internet) as running:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.setenv(name, running.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.setenv(name, "127.0.0.1")  # the emulator is reached directly
        yield running


@pytest.fixture
def guarded(gateway_factory: GatewayFactory, proxy: ForwardProxy) -> LiveGateway:
    return gateway_factory(service_accounts=False, ALLOW_PRIVATE_URLS="false")


def _ask(url: str) -> dict[str, Any]:
    part = {"type": "image_url", "image_url": {"url": url}}
    return {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": [{"type": "text", "text": "What is it?"}, part]}]}


@pytest.mark.parametrize(
    "url,reason",
    [
        ("http://169.254.169.254\\@8.8.8.8/../latest/meta-data/iam/", "backslash"),
        ("https://169.254.169.254\\@8.8.8.8/latest/meta-data/", "backslash"),
        ("http://169.254.169.254\\8.8.8.8/latest/meta-data/", "backslash"),
        ("http://user:secret@8.8.8.8/cat.png", "user name or password"),
        ("http://169.254.169.254@8.8.8.8/cat.png", "user name or password"),
        ("http://169.254.169.254/latest/meta-data/", "private or local address"),
        ("http://localhost:9/latest/meta-data/", "private or local address"),
        ("http://[::ffff:169.254.169.254]/latest/meta-data/", "private or local address"),
    ],
)
def test_hostile_urls_are_refused_before_the_proxy_is_asked(guarded: LiveGateway, proxy: ForwardProxy, emulator: VertexEmulator, url: str, reason: str) -> None:
    response = guarded.post("/v1/chat/completions", _ask(url))
    assert response.status_code == 400, response.text[:300]
    error = response.json()
    assert_error(error)
    assert error["error"]["param"] == "messages[0].content[1].image_url.url"
    assert reason in error["error"]["message"]
    assert proxy.log.requests == []
    assert emulator.calls == []


def test_a_public_url_is_still_fetched_through_the_proxy(guarded: LiveGateway, proxy: ForwardProxy, emulator: VertexEmulator) -> None:
    response = guarded.post("/v1/chat/completions", _ask("http://8.8.8.8/cat.png"))
    assert response.status_code == 200, response.text[:300]
    assert proxy.log.requests == [("GET", "http://8.8.8.8/cat.png")]
    inline = emulator.last_call().body["contents"][0]["parts"][1]["inlineData"]
    assert base64.b64decode(inline["data"]) == PNG
    assert METADATA_SECRET not in base64.b64decode(inline["data"])
