"""What one request may make the gateway fetch: at most MEDIA_MAX_PARTS URLs, at most
MEDIA_MAX_TOTAL_BYTES in all, within MEDIA_TOTAL_TIMEOUT for all fetches together; and gs://
URIs only in ALLOWED_GCS_BUCKETS (Vertex reads them with the gateway's own service account).
Over a limit is a 400 naming the part, and nothing is sent to Vertex."""

from __future__ import annotations

import threading
import time
from typing import Any, Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.conftest import GatewayFactory
from tests.emulator import VertexEmulator
from tests.support.openai_schema import assert_error

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 992  # 1000 bytes


class Files:
    def __init__(self) -> None:
        self.hits: list[str] = []

        @Request.application
        def app(request: Request) -> Response:
            self.hits.append(request.path)
            if request.path.startswith("/slow/"):
                time.sleep(0.6)
            return Response(PNG, content_type="image/png")

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture(scope="module")
def files() -> Iterator[Files]:
    served = Files()
    yield served
    served.server.shutdown()
    served.server.server_close()


def _ask(*urls: str) -> dict[str, Any]:
    parts = [{"type": "image_url", "image_url": {"url": url}} for url in urls]
    return {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": [{"type": "text", "text": "Compare"}, *parts]}]}


def _refusal(response: Any, param: str, phrase: str) -> None:
    assert response.status_code == 400, response.text[:300]
    error = response.json()
    assert_error(error)
    assert error["error"]["param"] == param
    assert phrase in error["error"]["message"]


def test_more_urls_than_media_max_parts_is_a_400_before_any_fetch(gateway_factory: GatewayFactory, emulator: VertexEmulator, files: Files) -> None:
    live = gateway_factory(MEDIA_MAX_PARTS="2")
    before = len(files.hits)
    response = live.post("/v1/chat/completions", _ask(*(f"{files.url}/{i}.png" for i in range(3))))
    _refusal(response, "messages[0].content[3].image_url.url", "MEDIA_MAX_PARTS")
    assert len(files.hits) == before
    assert emulator.calls == []


def test_media_max_parts_counts_urls_not_repeats(gateway_factory: GatewayFactory, emulator: VertexEmulator, files: Files) -> None:
    live = gateway_factory(MEDIA_MAX_PARTS="1")
    response = live.post("/v1/chat/completions", _ask(f"{files.url}/same.png", f"{files.url}/same.png"))
    assert response.status_code == 200, response.text[:300]


def test_fetched_bytes_over_media_max_total_bytes_is_a_400_naming_the_part(gateway_factory: GatewayFactory, emulator: VertexEmulator, files: Files) -> None:
    live = gateway_factory(MEDIA_MAX_TOTAL_BYTES="2500", MEDIA_MAX_BYTES="1500")
    response = live.post("/v1/chat/completions", _ask(*(f"{files.url}/{i}.png" for i in range(3))))
    _refusal(response, "messages[0].content[3].image_url.url", "MEDIA_MAX_TOTAL_BYTES")
    assert emulator.calls == []


def test_all_fetches_of_a_request_share_one_deadline(gateway_factory: GatewayFactory, emulator: VertexEmulator, files: Files) -> None:
    live = gateway_factory(MEDIA_TOTAL_TIMEOUT="1", MEDIA_FETCH_TIMEOUT="5")
    started = time.monotonic()
    response = live.post("/v1/chat/completions", _ask(*(f"{files.url}/slow/{i}.png" for i in range(4))))
    elapsed = time.monotonic() - started
    _refusal(response, "messages[0].content[2].image_url.url", "MEDIA_TOTAL_TIMEOUT")
    assert elapsed < 2.0
    assert emulator.calls == []


@pytest.mark.parametrize("scheme", ["gs", "GS", "Gs"])
def test_gs_uris_are_refused_unless_their_bucket_is_allowed(gateway_factory: GatewayFactory, emulator: VertexEmulator, scheme: str) -> None:
    response = gateway_factory().post("/v1/chat/completions", _ask(f"{scheme}://company-secrets/cat.png"))
    _refusal(response, "messages[0].content[1].image_url.url", "ALLOWED_GCS_BUCKETS")
    assert emulator.calls == []


def test_gs_uris_in_an_allowed_bucket_reach_vertex(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(ALLOWED_GCS_BUCKETS="public-media, shared-assets")
    refused = live.post("/v1/chat/completions", _ask("gs://shared-assets/a.png", "gs://other/b.png"))
    _refusal(refused, "messages[0].content[2].image_url.url", "ALLOWED_GCS_BUCKETS")
    response = live.post("/v1/chat/completions", _ask("gs://public-media/a.png", "gs://shared-assets/b.png"))
    assert response.status_code == 200, response.text[:300]
    parts = emulator.last_call().body["contents"][0]["parts"]
    assert [part["fileData"]["fileUri"] for part in parts[1:]] == ["gs://public-media/a.png", "gs://shared-assets/b.png"]
