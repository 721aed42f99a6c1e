"""Responses content parts → Gemini parts, one function per part type (pure).

The tables map a part ``type`` to its translator, per role: user turns and tool outputs take
``input_text``, ``input_image``, ``input_file`` and ``input_audio``; assistant turns take
``output_text`` (Markdown data-URL images become ``inlineData``, as chat does), ``refusal``
(not sent back) and ``input_text``; system and developer turns take text only. The key
``text`` translates a message whose content is a plain string. Media go through the same URL
handling as chat: ``data:`` URLs inline, ``gs://`` URIs by reference, http(s) URLs fetched by
the edge beforehand (see :func:`remote_media_urls_of_part`).
"""

from __future__ import annotations

from typing import Any, Mapping

from adapter.errors import InvalidRequest
from adapter.translate.parts import (
    REMOTE_PREFIXES,
    MediaMap,
    PartTranslator,
    assistant_text_parts,
    input_audio_part,
    mime_from_name,
    text_part,
    url_part,
)
from adapter.translate.shapes import GeminiPart

NO_FILES_API = "uploaded files are not available (there is no Files API); send the data or a URL"


def _text(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return text_part(part.get("text"))


def _assistant_text(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return assistant_text_parts(part.get("text"))


def _nothing(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return []


def _input_image(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    if part.get("image_url") is None and part.get("file_id"):
        raise InvalidRequest(NO_FILES_API, param=f"{path}.file_id")
    return url_part(part.get("image_url"), f"{path}.image_url", media)


def _input_file(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    if part.get("file_url") is not None:
        return url_part(part["file_url"], f"{path}.file_url", media)
    data = part.get("file_data")
    if not isinstance(data, str) or not data:
        if part.get("file_id"):
            raise InvalidRequest(NO_FILES_API, param=f"{path}.file_id")
        raise InvalidRequest("an input_file needs file_data or file_url", param=f"{path}.file_data")
    if data.startswith("data:"):
        return url_part(data, f"{path}.file_data", media)
    mime = mime_from_name(str(part.get("filename") or ""))
    if mime is None:
        raise InvalidRequest(
            "send file_data as a data URL, or a filename with a known extension", param=f"{path}.filename"
        )
    return [{"inlineData": {"mimeType": mime, "data": data}}]


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
    """(http(s) URL, where it sits in the part) for media the edge must fetch, or None."""
    if not isinstance(part, dict):
        return None
    kind = part.get("type")
    if kind == "input_image":
        url, place = part.get("image_url"), "image_url"
    elif kind == "input_file":
        url, place = part.get("file_url"), "file_url"
    else:
        return None
    return (url, place) if isinstance(url, str) and url.startswith(REMOTE_PREFIXES) else None
