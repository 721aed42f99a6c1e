"""Each vocabulary of a content part, enumerated against both sides: what the schema accepts is
exactly what translation handles (``adapter/vocabulary.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from adapter import vocabulary
from adapter.errors import InvalidRequest
from adapter.routing.capabilities import ModelCapabilities
from adapter.routing.model_name import parse_model_name
from adapter.schemas import messages as schema
from adapter.schemas.chat import CHAT_REQUEST_SCHEMA
from adapter.translate import parts as translation
from adapter.translate.generation import generation_config
from adapter.translate.messages import to_contents
from adapter.translate.request import Media, remote_media_urls
from adapter.validation import load_body
from tests.emulator import schema as vertex_schema

# Vertex AI's "Audio understanding" page lists these MIME types for Gemini; the Gemini API's
# list adds audio/aac and audio/aiff.
VERTEX_AUDIO_MIME_TYPES = {
    "audio/x-aac", "audio/flac", "audio/mp3", "audio/m4a", "audio/mpeg", "audio/mpga", "audio/mp4",
    "audio/ogg", "audio/pcm", "audio/wav", "audio/webm", "audio/aac", "audio/aiff",
}
REFUSED_AUDIO_FORMATS = ["pcm16", "midi", "WAV", "mp4"]
FETCHED = Media(mime_type="image/png", data="iVBORw0KGgo=")
URLS_BY_SCHEME = {
    "data": ["data:image/png;base64,iVBORw0KGgo=", "DATA:image/PNG;name=a.png;base64,iVBORw0KGgo="],
    "http": ["http://example.com/a.png", "HTTP://example.com/a"],
    "https": ["https://example.com/a.png", "Https://example.com/a"],
    "gs": ["gs://bucket/a.png", "GS://bucket/notes.TXT"],
}
REFUSED_URLS = [
    "ftp://example.com/a.png", "file:///etc/passwd", "s3://bucket/a.png", "gs://bucket/blob", "example.com/a.png",
    "data:image/png,abc", "data:;base64,AAAA", "data:image/png;base64,", "data:text/plain;charset=x,hi",
]


def load_user_part(part: dict[str, Any]) -> dict[str, Any]:
    loaded = load_body(CHAT_REQUEST_SCHEMA, {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": [part]}]})
    return loaded["messages"][0]["content"][0]


def translate_user_part(part: dict[str, Any], media: dict[str, Media] | None = None) -> dict[str, Any]:
    _, contents = to_contents([{"role": "user", "content": [part]}], ModelCapabilities(name="plain"), media or {})
    [translated] = contents[0]["parts"]
    return translated


def accepted(part: dict[str, Any]) -> bool:
    try:
        load_user_part(part)
    except InvalidRequest:
        return False
    return True


def image(url: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}}


def test_part_types_are_the_same_on_both_sides() -> None:
    assert tuple(schema.USER_PARTS) == tuple(translation.USER_PARTS) == vocabulary.USER_PART_TYPES
    assert tuple(schema.ASSISTANT_PARTS) == tuple(translation.ASSISTANT_PARTS) == vocabulary.ASSISTANT_PART_TYPES
    assert tuple(schema.SYSTEM_PARTS) == tuple(translation.SYSTEM_PARTS) == vocabulary.SYSTEM_PART_TYPES


def test_every_url_scheme_has_a_translation() -> None:
    assert set(translation.URL_PARTS) == set(vocabulary.URL_SCHEMES) == set(URLS_BY_SCHEME)


@pytest.mark.parametrize("audio_format", vocabulary.AUDIO_FORMATS)
def test_every_accepted_audio_format_reaches_vertex_as_a_type_vertex_reads(audio_format: str) -> None:
    part = load_user_part({"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": audio_format}})
    mime = translate_user_part(part)["inlineData"]["mimeType"]
    assert mime == vocabulary.AUDIO_FORMATS[audio_format]
    assert mime in VERTEX_AUDIO_MIME_TYPES


@pytest.mark.parametrize("audio_format", REFUSED_AUDIO_FORMATS)
def test_other_audio_formats_are_refused_by_the_schema(audio_format: str) -> None:
    assert not accepted({"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": audio_format}})


@pytest.mark.parametrize(("scheme", "url"), [(s, u) for s, urls in URLS_BY_SCHEME.items() for u in urls])
def test_every_accepted_url_translates(scheme: str, url: str) -> None:
    media = {url: FETCHED} if scheme in vocabulary.FETCHED_SCHEMES else {}
    translated = translate_user_part(load_user_part(image(url)), media)
    # the edge fetches http(s) URLs and checks gs:// buckets against ALLOWED_GCS_BUCKETS
    assert (scheme in vocabulary.REMOTE_SCHEMES) == (url in remote_media_urls({"messages": [{"role": "user", "content": [image(url)]}]}))
    expected_key = "fileData" if scheme == vocabulary.GCS_SCHEME else "inlineData"
    assert list(translated) == [expected_key]
    assert "/" in translated[expected_key]["mimeType"]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_urls_translation_cannot_use_are_refused_by_the_schema(url: str) -> None:
    assert not accepted(image(url))
    assert not accepted({"type": "file", "file": {"file_data": url}})


@pytest.mark.parametrize(("scheme", "url"), [(s, u) for s, urls in URLS_BY_SCHEME.items() for u in urls])
def test_file_id_takes_exactly_the_remote_schemes(scheme: str, url: str) -> None:
    assert accepted({"type": "file", "file": {"file_id": url}}) == (scheme in vocabulary.REMOTE_SCHEMES)


@pytest.mark.parametrize(("extension", "mime"), vocabulary.EXTENSION_MIME_TYPES.items())
def test_every_known_extension_types_a_gs_uri_and_a_bare_file(extension: str, mime: str) -> None:
    by_uri = translate_user_part(load_user_part(image(f"gs://bucket/name.{extension}")))
    bare = translate_user_part(load_user_part({"type": "file", "file": {"file_data": "AAAA", "filename": f"a.{extension}"}}))
    assert by_uri["fileData"]["mimeType"] == bare["inlineData"]["mimeType"] == mime


@pytest.mark.parametrize("detail", vocabulary.IMAGE_DETAILS)
def test_every_accepted_image_detail_has_a_meaning(detail: str) -> None:
    part = load_user_part({"type": "image_url", "image_url": {"url": "gs://bucket/a.png", "detail": detail}})
    request = {"model": "gemini-3-pro-preview", "messages": [{"role": "user", "content": [part]}]}
    config, _ = generation_config(request, parse_model_name("gemini-3-pro-preview"), ModelCapabilities(name="g", media_resolution=True))
    expected = vocabulary.MEDIA_RESOLUTIONS.get(detail)
    assert config.get("mediaResolution") == (expected[1] if expected else None)


@pytest.mark.parametrize("text", ["AAAA", "AAA", "AA==", "AA", "A", "0", "a-_b", "a b", "AA=A", " AAAA\n", "AAAA===", "é"])
def test_base64_is_what_vertex_reads_as_bytes(text: str) -> None:
    body = {"contents": [{"role": "user", "parts": [{"inlineData": {"mimeType": "audio/wav", "data": text}}]}]}
    assert vocabulary.is_base64(text) == (vertex_schema.validate(body, "GenerateContentRequest", "v1") == [])
