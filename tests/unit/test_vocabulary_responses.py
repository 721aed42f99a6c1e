"""The Responses content parts against the shared vocabulary (``adapter/vocabulary.py``): what
``adapter/schemas/responses_input.py`` accepts is exactly what
``adapter/translate/responses/content.py`` translates, with the same words as chat."""

from __future__ import annotations

from typing import Any

import pytest

from adapter import vocabulary
from adapter.errors import InvalidRequest
from adapter.schemas.responses import RESPONSE_REQUEST_SCHEMA
from adapter.translate.responses import content as translation
from adapter.translate.responses.request import remote_media_urls
from adapter.validation import load_body
from tests.unit.test_vocabulary import FETCHED, REFUSED_AUDIO_FORMATS, REFUSED_URLS, URLS_BY_SCHEME

TABLES = {"user": translation.USER_PARTS, "assistant": translation.ASSISTANT_PARTS, "system": translation.SYSTEM_PARTS}
URLS = [(scheme, url) for scheme, urls in URLS_BY_SCHEME.items() for url in urls]


def load_part(part: dict[str, Any], role: str = "user") -> dict[str, Any]:
    body = {"model": "gemini-2.5-flash", "input": [{"role": role, "content": [part]}]}
    return load_body(RESPONSE_REQUEST_SCHEMA, body)["input"][0]["content"][0]


def accepted(part: dict[str, Any], role: str = "user") -> bool:
    try:
        load_part(part, role)
    except InvalidRequest:
        return False
    return True


def translate(part: dict[str, Any], media: dict[str, Any] | None = None) -> dict[str, Any]:
    [translated] = translation.USER_PARTS[part["type"]](part, "input[0].content[0]", media or {})
    return translated


def image(url: str) -> dict[str, Any]:
    return {"type": "input_image", "image_url": url}


@pytest.mark.parametrize("role", ["user", "assistant", "system", "developer"])
def test_each_role_takes_exactly_the_part_types_translation_has(role: str) -> None:
    table = TABLES["system" if role == "developer" else role]
    assert set(table) - {"text"} == set(vocabulary.RESPONSES_PART_TYPES[role])
    text = {"input_text": "x", "output_text": "x"}
    for kind in ("input_text", "output_text", "refusal"):
        part = {"type": kind, "refusal": "x"} if kind == "refusal" else {"type": kind, "text": text[kind]}
        assert accepted(part, role) == (kind in vocabulary.RESPONSES_PART_TYPES[role])


@pytest.mark.parametrize("audio_format", vocabulary.AUDIO_FORMATS)
def test_every_accepted_audio_format_translates_as_chat_does(audio_format: str) -> None:
    part = load_part({"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": audio_format}})
    assert translate(part)["inlineData"]["mimeType"] == vocabulary.AUDIO_FORMATS[audio_format]


@pytest.mark.parametrize("audio_format", REFUSED_AUDIO_FORMATS)
def test_other_audio_formats_are_refused(audio_format: str) -> None:
    assert not accepted({"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": audio_format}})


@pytest.mark.parametrize(("scheme", "url"), URLS)
def test_every_accepted_url_translates_and_remote_ones_go_to_the_edge(scheme: str, url: str) -> None:
    media = {url: FETCHED} if scheme in vocabulary.FETCHED_SCHEMES else {}
    for part, place in ((image(url), "image_url"), ({"type": "input_file", "file_url": url}, "file_url")):
        translated = translate(load_part(part), media)
        assert list(translated) == ["fileData" if scheme == vocabulary.GCS_SCHEME else "inlineData"]
        edge = remote_media_urls({"input": [{"role": "user", "content": [part]}]})
        assert edge == ({url: f"input[0].content[0].{place}"} if scheme in vocabulary.REMOTE_SCHEMES else {})


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_urls_translation_cannot_use_are_refused(url: str) -> None:
    assert not accepted(image(url))
    assert not accepted({"type": "input_file", "file_url": url})
    assert not accepted({"type": "input_file", "file_data": url})


@pytest.mark.parametrize(("extension", "mime"), vocabulary.EXTENSION_MIME_TYPES.items())
def test_every_known_extension_types_a_bare_file(extension: str, mime: str) -> None:
    part = load_part({"type": "input_file", "file_data": "AAAA", "filename": f"a.{extension}"})
    assert translate(part)["inlineData"]["mimeType"] == mime


@pytest.mark.parametrize("detail", vocabulary.IMAGE_DETAILS)
def test_every_image_detail_of_the_vocabulary_is_accepted(detail: str) -> None:
    assert accepted({**image("gs://bucket/a.png"), "detail": detail})
