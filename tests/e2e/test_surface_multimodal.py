"""Multimodal input end to end: data URLs, http(s) URLs fetched from a local server (and every
way that can fail), gs:// URIs, audio, PDF files, image detail, and images in tool results."""

from __future__ import annotations

import base64
import socket
import threading
from typing import Any, Iterator

import openai
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.conftest import GatewayFactory, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.surface import create, error_of, stream

PNG = payloads.TINY_PNG_BASE64
PNG_BYTES = base64.b64decode(PNG)
PNG_URL = f"data:image/png;base64,{PNG}"
PDF = base64.b64encode(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n").decode("ascii")
WAV = base64.b64encode(b"RIFF\x24\x00\x00\x00WAVEfmt ").decode("ascii")
FILES: dict[str, tuple[int, str, bytes]] = {
    "/cat.png": (200, "image/png", PNG_BYTES),
    "/photo": (200, "image/jpeg; charset=binary", b"\xff\xd8\xff\xe0jpeg"),
    "/archive.zip": (200, "application/zip", b"PK\x03\x04zip"),
    "/big.png": (200, "image/png", PNG_BYTES * 60),
    "/report.pdf": (200, "application/pdf", base64.b64decode(PDF)),
}


@pytest.fixture(scope="module")
def media_server() -> Iterator[str]:
    """A local HTTP server with a few files (anything else is a 404)."""

    @Request.application
    def app(request: Request) -> Response:
        status, mime, data = FILES.get(request.path, (404, "text/plain", b"not found"))
        return Response(data, status=status, content_type=mime)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def gateway(gateway_factory: GatewayFactory) -> LiveGateway:
    return gateway_factory(service_accounts=False, MEDIA_MAX_BYTES="2000", MEDIA_FETCH_TIMEOUT="3", ALLOWED_GCS_BUCKETS="bucket")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _image(url: str, **extra: Any) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url, **extra}}


def _ask(*parts: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [{"type": "text", "text": "What is this?"}, *parts]}]


def _user_parts(emulator: VertexEmulator) -> list[dict[str, Any]]:
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    parts: list[dict[str, Any]] = call.body["contents"][-1]["parts"]
    return parts


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
def test_image_data_url(client: openai.OpenAI, emulator: VertexEmulator, streamed: bool) -> None:
    (stream if streamed else create)(client, model="gemini-2.5-flash", messages=_ask(_image(PNG_URL)))
    assert _user_parts(emulator) == [{"text": "What is this?"}, {"inlineData": {"mimeType": "image/png", "data": PNG}}]


@pytest.mark.parametrize(
    "path,mime,data",
    [("/cat.png", "image/png", PNG_BYTES), ("/photo", "image/jpeg", b"\xff\xd8\xff\xe0jpeg")],
)
def test_image_http_url_is_fetched_and_inlined(client: openai.OpenAI, emulator: VertexEmulator, media_server: str, path: str, mime: str, data: bytes) -> None:
    create(client, model="gemini-2.5-flash", messages=_ask(_image(media_server + path)))
    assert _user_parts(emulator)[1] == {"inlineData": {"mimeType": mime, "data": base64.b64encode(data).decode("ascii")}}


@pytest.mark.parametrize(
    "url,reason",
    [
        ("{server}/missing.png", "answered HTTP 404"),
        ("{server}/archive.zip", "content type application/zip"),
        ("{server}/big.png", "larger than 2000 bytes"),
        ("http://127.0.0.1:{closed}/cat.png", "could not be downloaded"),
    ],
    ids=["404", "wrong_type", "too_large", "unreachable"],
)
def test_image_http_url_failures_are_400s_naming_the_part(gateway: LiveGateway, emulator: VertexEmulator, media_server: str, url: str, reason: str) -> None:
    target = url.format(server=media_server, closed=_closed_port())
    messages = [{"role": "system", "content": "Be brief."}, *_ask(_image(target))]
    error = error_of(gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": messages}))
    assert error["param"] == "messages[1].content[1].image_url.url"
    assert reason in error["message"] and target in error["message"]
    assert emulator.calls == []


def test_private_urls_are_refused_by_default(gateway_factory: GatewayFactory, emulator: VertexEmulator, media_server: str) -> None:
    live = gateway_factory(service_accounts=False, ALLOW_PRIVATE_URLS="false")
    error = error_of(live.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": _ask(_image(media_server + "/cat.png"))}))
    assert error["param"] == "messages[0].content[1].image_url.url" and "private or local" in error["message"]
    assert emulator.calls == []


@pytest.mark.parametrize(
    "uri,mime",
    [("gs://bucket/photos/cat.PNG", "image/png"), ("gs://bucket/clip.mp4", "video/mp4"), ("gs://bucket/doc.pdf", "application/pdf")],
)
def test_gcs_uri_becomes_file_data(client: openai.OpenAI, emulator: VertexEmulator, uri: str, mime: str) -> None:
    create(client, model="gemini-2.5-flash", messages=_ask(_image(uri)))
    assert _user_parts(emulator)[1] == {"fileData": {"mimeType": mime, "fileUri": uri}}


def test_gcs_uri_without_a_known_extension_is_a_400(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    error = error_of(gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": _ask(_image("gs://bucket/blob"))}))
    assert error["param"] == "messages[0].content[1].image_url.url"
    assert emulator.calls == []


@pytest.mark.parametrize("audio_format,mime", [("wav", "audio/wav"), ("mp3", "audio/mp3"), ("flac", "audio/flac")])
def test_input_audio(client: openai.OpenAI, emulator: VertexEmulator, audio_format: str, mime: str) -> None:
    create(client, model="gemini-2.5-flash", messages=_ask({"type": "input_audio", "input_audio": {"data": WAV, "format": audio_format}}))
    assert _user_parts(emulator)[1] == {"inlineData": {"mimeType": mime, "data": WAV}}


@pytest.mark.parametrize(
    "file,mime",
    [
        ({"file_data": f"data:application/pdf;base64,{PDF}", "filename": "report.pdf"}, "application/pdf"),
        ({"file_data": PDF, "filename": "report.pdf"}, "application/pdf"),
        ({"file_data": "data:text/plain;base64," + base64.b64encode(b"notes").decode(), "filename": "notes.txt"}, "text/plain"),
        ({"file_data": "data:video/mp4;base64,AAAAIGZ0eXBpc29t", "filename": "clip.mp4"}, "video/mp4"),
    ],
    ids=["pdf_data_url", "pdf_bare_base64", "text_file", "video"],
)
def test_file_parts(client: openai.OpenAI, emulator: VertexEmulator, file: dict[str, str], mime: str) -> None:
    create(client, model="gemini-2.5-flash", messages=_ask({"type": "file", "file": file}))
    (part,) = [part for part in _user_parts(emulator) if "inlineData" in part]
    assert part["inlineData"]["mimeType"] == mime
    assert file["file_data"].endswith(part["inlineData"]["data"])


def test_pdf_by_http_url(client: openai.OpenAI, emulator: VertexEmulator, media_server: str) -> None:
    create(client, model="gemini-2.5-flash", messages=_ask({"type": "file", "file": {"file_id": media_server + "/report.pdf"}}))
    assert _user_parts(emulator)[1] == {"inlineData": {"mimeType": "application/pdf", "data": PDF}}


@pytest.mark.parametrize(
    "model,detail,expected,rewritten",
    [
        ("gemini-2.5-flash", "high", "MEDIA_RESOLUTION_HIGH", False),
        ("gemini-3-flash-preview", "low", "MEDIA_RESOLUTION_LOW", False),
        ("gemini-2.5-flash", "auto", None, False),
        ("gemini-2.5-flash-image", "high", None, True),
    ],
)
def test_image_detail_becomes_media_resolution_where_the_model_has_it(
    gateway: LiveGateway, emulator: VertexEmulator, model: str, detail: str, expected: str | None, rewritten: bool
) -> None:
    response = gateway.client.chat.completions.with_raw_response.create(model=model, messages=_ask(_image(PNG_URL, detail=detail)))
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    assert call.body.get("generationConfig", {}).get("mediaResolution") == expected
    assert ("image detail ignored" in response.headers.get("X-Gateway-Rewrites", "")) is rewritten


@pytest.mark.parametrize("source", ["data", "http"])
def test_images_in_tool_results_stay_in_the_result_turn(client: openai.OpenAI, emulator: VertexEmulator, media_server: str, source: str) -> None:
    url = PNG_URL if source == "data" else media_server + "/cat.png"
    messages = [
        {"role": "user", "content": "Take a screenshot."},
        {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "screenshot", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": [{"type": "text", "text": "Captured."}, _image(url)]},
    ]
    tools = [{"type": "function", "function": {"name": "screenshot", "parameters": {"type": "object", "properties": {}}}}]
    create(client, model="gemini-2.5-flash", messages=messages, tools=tools)
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    assert call.body["contents"][-1] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "screenshot", "id": "call_1", "response": {"output": "Captured."}}},
            {"inlineData": {"mimeType": "image/png", "data": PNG}},
        ],
    }
