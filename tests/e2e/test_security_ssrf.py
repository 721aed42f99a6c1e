"""Server-side request forgery, end to end: image and file URLs pointing at loopback, private,
link-local or metadata addresses are refused with a 400 naming the field, before any request
leaves the gateway, unless ``ALLOW_PRIVATE_URLS=true`` (which the rest of the suite sets)."""

from __future__ import annotations

import threading
from typing import Any, Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.conftest import GatewayFactory
from tests.emulator import VertexEmulator, payloads
from tests.support.openai_schema import assert_chat_completion, assert_error

PNG = __import__("base64").b64decode(payloads.TINY_PNG_BASE64)


@pytest.fixture(scope="module")
def media() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []

    @Request.application
    def app(request: Request) -> Response:
        hits.append(request.path)
        return Response(PNG, content_type="image/png")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield f"127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def _ask(url: str, kind: str) -> dict[str, Any]:
    part = {"type": "image_url", "image_url": {"url": url}} if kind == "image" else {"type": "file", "file": {"file_data": url, "filename": "a.png"}}
    return {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": [{"type": "text", "text": "What is it?"}, part]}]}


# Loopback forms only: a regression must not send a packet anywhere else. Private, link-local
# and metadata ranges are covered in tests/unit/test_media.py with a session that cannot connect.
TARGETS = [
    "http://{local}/cat.png",
    "http://localhost:{port}/cat.png",
    "http://[::ffff:127.0.0.1]:{port}/cat.png",
    "http://[::1]:{port}/cat.png",
    "http://2130706433:{port}/cat.png",
    "http://0x7f.1:{port}/cat.png",
]


@pytest.mark.parametrize("target", TARGETS)
def test_private_targets_are_refused_before_any_request(gateway_factory: GatewayFactory, emulator: VertexEmulator, media: tuple[str, list[str]], target: str) -> None:
    local, hits = media
    live = gateway_factory(service_accounts=False, ALLOW_PRIVATE_URLS="false")
    before = len(hits)
    url = target.format(local=local, port=local.rsplit(":", 1)[1])
    response = live.post("/v1/chat/completions", _ask(url, "image"))
    assert response.status_code == 400
    body = response.json()
    assert_error(body)
    assert body["error"]["param"] == "messages[0].content[1].image_url.url"
    assert body["error"]["code"] == "invalid_media_url"
    assert "private or local address" in body["error"]["message"]
    assert len(hits) == before and emulator.calls == []


@pytest.mark.parametrize("kind", ["image", "file"])
def test_allow_private_urls_lets_the_operator_fetch_local_files(gateway_factory: GatewayFactory, emulator: VertexEmulator, media: tuple[str, list[str]], kind: str) -> None:
    local, _ = media
    live = gateway_factory(service_accounts=False, ALLOW_PRIVATE_URLS="true")
    response = live.post("/v1/chat/completions", _ask(f"http://{local}/cat.png", kind))
    assert response.status_code == 200, response.text
    assert_chat_completion(response.json())
    parts = emulator.last_call().body["contents"][-1]["parts"]
    assert parts[-1] == {"inlineData": {"mimeType": "image/png", "data": payloads.TINY_PNG_BASE64}}
