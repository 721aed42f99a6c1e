"""Responses content parts → Gemini parts, one function per part type (pure).

The tables map a part ``type`` to its translator, per role: user turns and tool outputs take
``input_text``, ``input_image``, ``input_file`` and ``input_audio``; assistant turns take
``output_text`` (Markdown data-URL images become ``inlineData``, as chat does), ``refusal``
(not sent back) and ``input_text``; system and developer turns take text only. The key
``text`` translates a message whose content is a plain string. Media go through the same URL
handling as chat: ``data:`` URLs inline, ``gs://`` URIs by reference, http(s) URLs fetched by
the edge beforehand (see :func:`remote_url_of_part`).

Parts come loaded by :mod:`adapter.schemas.responses_input`, which accepts exactly the words of
:mod:`adapter.vocabulary` translated here; nothing is checked again.
"""

from __future__ import annotations

from typing import Any, Mapping

from adapter.translate.parts import MediaMap, PartTranslator, assistant_text_parts, input_audio_part, text_part, url_part
from adapter.translate.shapes import GeminiPart
from adapter.vocabulary import DATA_SCHEME, REMOTE_SCHEMES, mime_from_name, url_scheme


def _text(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return text_part(part.get("text"))


def _assistant_text(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return assistant_text_parts(part.get("text"))


def _nothing(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return []


def _input_image(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return url_part(part["image_url"], f"{path}.image_url", media)


def _input_file(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    if "file_url" in part:
        return url_part(part["file_url"], f"{path}.file_url", media)
    data = part["file_data"]
    if url_scheme(data) == DATA_SCHEME:
        return url_part(data, f"{path}.file_data", media)
    return [{"inlineData": {"mimeType": mime_from_name(part["filename"]) or "", "data": data}}]


USER_PARTS: dict[str, PartTranslator] = {
    "text": _text,
    "input_text": _text,
    "input_image": _input_image,
    "input_file": _input_file,
    "input_audio": input_audio_part,
}
ASSISTANT_PARTS: dict[str, PartTranslator] = {
    "text": _assistant_text,
    "output_text": _assistant_text,
    "input_text": _assistant_text,
    "refusal": _nothing,
}
SYSTEM_PARTS: dict[str, PartTranslator] = {"text": _text, "input_text": _text}


def remote_url_of_part(part: Any) -> tuple[str, str] | None:
    """(URL, where it sits in the part) for media the edge must handle, or None: http(s) URLs
    to fetch, and ``gs://`` URIs to check against the buckets the operator allows."""
    if not isinstance(part, dict):
        return None
    kind = part.get("type")
    if kind == "input_image":
        url, place = part.get("image_url"), "image_url"
    elif kind == "input_file":
        url, place = part.get("file_url"), "file_url"
    else:
        return None
    return (url, place) if isinstance(url, str) and url_scheme(url) in REMOTE_SCHEMES else None
