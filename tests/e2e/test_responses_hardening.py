"""The Responses front door follows the rules chat follows: media parts accepted exactly as
translation handles them (the shared vocabulary), base64 that decodes, free-form JSON at most 64
levels deep, at most 128 tools, and media through the edge (fetch caps, gs:// bucket allow-list).
Each refusal is a 400 in OpenAI's error shape naming the field, and nothing reaches Vertex."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from tests.conftest import GatewayFactory, LiveGateway
from tests.e2e.test_security_media_limits import Files
from tests.emulator import VertexEmulator
from tests.support.openai_schema import assert_error

MODEL = "gemini-2.5-flash"
PNG_URL = "data:image/png;base64,iVBORw0KGgo="
DEEP = 70


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def _user(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"model": MODEL, "input": [{"role": "user", "content": [{"type": "input_text", "text": "Look"}, *parts]}]}


def _image(url: str) -> dict[str, Any]:
    return {"type": "input_image", "image_url": url}


CALL = {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": json.dumps(_nested(DEEP))}
FUNCTION = {"type": "function", "name": "f", "parameters": {"type": "object"}}
REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("image not base64", _user(_image("data:image/png;base64,not base64!")), "input[0].content[1].image_url"),
    ("image no scheme", _user(_image("cat.png")), "input[0].content[1].image_url"),
    ("image gs no extension", _user(_image("gs://bucket/cat")), "input[0].content[1].image_url"),
    ("image file_id only", _user({"type": "input_image", "file_id": "file-1"}), "input[0].content[1].file_id"),
    ("image nothing", _user({"type": "input_image", "detail": "low"}), "input[0].content[1].image_url"),
    ("image detail", _user({**_image(PNG_URL), "detail": "ultra"}), "input[0].content[1].detail"),
    ("file data not base64", _user({"type": "input_file", "file_data": "data:application/pdf;base64,%%%"}), "input[0].content[1].file_data"),
    ("file bare not base64", _user({"type": "input_file", "file_data": "%%%", "filename": "a.pdf"}), "input[0].content[1].file_data"),
    ("file bare unknown type", _user({"type": "input_file", "file_data": "JVBERi0=", "filename": "a.xyz"}), "input[0].content[1].filename"),
    ("file url no scheme", _user({"type": "input_file", "file_url": "ftp://x/a.pdf"}), "input[0].content[1].file_url"),
    ("file file_id only", _user({"type": "input_file", "file_id": "file-1"}), "input[0].content[1].file_id"),
    ("audio not base64", _user({"type": "input_audio", "input_audio": {"data": "no!", "format": "wav"}}), "input[0].content[1].input_audio.data"),
    ("audio empty", _user({"type": "input_audio", "input_audio": {"data": "", "format": "wav"}}), "input[0].content[1].input_audio.data"),
    ("audio pcm16", _user({"type": "input_audio", "input_audio": {"data": "AAAA", "format": "pcm16"}}), "input[0].content[1].input_audio.format"),
    ("system image", {"model": MODEL, "input": [{"role": "system", "content": [_image(PNG_URL)]}]}, "input[0].content[0].type"),
    ("user output_text", {"model": MODEL, "input": [{"role": "user", "content": [{"type": "output_text", "text": "x"}]}]}, "input[0].content[0].type"),
    ("call output not base64", {"model": MODEL, "input": [
        {"role": "user", "content": "Hi"}, {**CALL, "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": [_image("data:image/png;base64,@@")]},
    ]}, "input[2].output[0].image_url"),
    ("deep parameters", {"model": MODEL, "input": "Hi", "tools": [{**FUNCTION, "parameters": _nested(DEEP)}]}, "tools[0].parameters"),
    ("deep text schema", {"model": MODEL, "input": "Hi", "text": {"format": {"type": "json_schema", "name": "s", "schema": _nested(DEEP)}}}, "text.format.schema"),
    ("deep arguments", {"model": MODEL, "input": [{"role": "user", "content": "Hi"}, CALL]}, "input[1].arguments"),
    ("129 tools", {"model": MODEL, "input": "Hi", "tools": [{**FUNCTION, "name": f"f{i}"} for i in range(129)]}, "tools"),
]


@pytest.mark.parametrize("path", ["/v1/responses", "/v1/responses/input_tokens"])
@pytest.mark.parametrize("body,param", [row[1:] for row in REFUSED], ids=[row[0] for row in REFUSED])
def test_what_translation_cannot_use_is_a_400_naming_the_field(
    gateway: LiveGateway, emulator: VertexEmulator, path: str, body: dict[str, Any], param: str
) -> None:
    response = gateway.post(path, body)
    assert response.status_code == 400, response.text[:300]
    assert_error(response.json())
    assert response.json()["error"]["param"] == param
    assert emulator.calls == []


def test_128_tools_and_64_levels_are_still_served(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    tools = [{**FUNCTION, "name": f"f{i}"} for i in range(127)]
    tools.append({**FUNCTION, "name": "deep", "parameters": _nested(63)})
    response = gateway.post("/v1/responses", {"model": MODEL, "input": "Hi", "tools": tools})
    assert response.status_code == 200, response.text[:300]
    assert len(emulator.last_call().body["tools"][0]["functionDeclarations"]) == 128


def test_accepted_media_reach_vertex_inline(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    body = _user(
        _image("DATA:image/png;base64,iVBORw0KGgo="),
        {"type": "input_file", "file_data": "JVBERi0=", "filename": "a.PDF"},
        {"type": "input_audio", "input_audio": {"data": "T2dnUw==", "format": "opus"}},
    )
    response = gateway.post("/v1/responses", body)
    assert response.status_code == 200, response.text[:300]
    parts = emulator.last_call().body["contents"][0]["parts"]
    assert [part["inlineData"]["mimeType"] for part in parts[1:]] == ["image/png", "application/pdf", "audio/ogg"]


@pytest.fixture(scope="module")
def files() -> Iterator[Files]:
    served = Files()
    yield served
    served.server.shutdown()
    served.server.server_close()


def test_media_urls_go_through_the_edge_with_their_field_paths(gateway_factory: GatewayFactory, emulator: VertexEmulator, files: Files) -> None:
    live = gateway_factory(MEDIA_MAX_PARTS="1", ALLOWED_GCS_BUCKETS="public-media")
    too_many = live.post("/v1/responses", _user(_image(f"{files.url}/a.png"), {"type": "input_file", "file_url": f"{files.url}/b.pdf"}))
    assert (too_many.status_code, too_many.json()["error"]["param"]) == (400, "input[0].content[2].file_url")
    assert files.hits == []
    bucket = live.post("/v1/responses", _user(_image("gs://company-secrets/cat.png")))
    assert (bucket.status_code, bucket.json()["error"]["param"]) == (400, "input[0].content[1].image_url")
    assert "ALLOWED_GCS_BUCKETS" in bucket.json()["error"]["message"]
    assert emulator.calls == []
    response = live.post("/v1/responses", _user(_image(f"{files.url}/a.png"), _image("gs://public-media/b.png")))
    assert response.status_code == 200, response.text[:300]
    assert files.hits == ["/a.png"]
    parts = emulator.last_call().body["contents"][0]["parts"]
    assert parts[1]["inlineData"]["mimeType"] == "image/png"
    assert parts[2]["fileData"] == {"mimeType": "image/png", "fileUri": "gs://public-media/b.png"}
