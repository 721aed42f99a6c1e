"""OpenAI content parts → Gemini parts, one function per part type (pure).

Every function takes the part, the parameter path of the part for error messages
(``messages[2].content[1]``) and the remote media the edge already fetched, and returns a list
of Gemini parts (empty when the part carries nothing, such as blank text or a refusal).

Parts come loaded by ``adapter/schemas/messages.py``, which accepts exactly the words of
:mod:`adapter.vocabulary` that these functions translate; so nothing here checks them again.
The one problem only translation can see is an http(s) URL the edge could not fetch: a 400
naming the URL's field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from adapter.errors import InvalidRequest
from adapter.translate.shapes import GeminiPart
from adapter.vocabulary import (
    AUDIO_FORMATS,
    DATA_SCHEME,
    FETCHED_SCHEMES,
    FILE_URL_KEYS,
    GCS_SCHEME,
    data_url_parts,
    is_fetched,
    mime_from_name,
    url_scheme,
)


@dataclass(frozen=True, slots=True)
class Media:
    """A remote file (an http/https ``image_url`` or ``file`` URL) the edge already fetched."""

    mime_type: str
    data: str  # base64


MediaMap = Mapping[str, Media]
PartTranslator = Callable[[Mapping[str, Any], str, MediaMap], list[GeminiPart]]
UrlTranslator = Callable[[str, str, MediaMap], list[GeminiPart]]

# Markdown images with a data URL, as the response side emits generated images.
_MARKDOWN_IMAGE = re.compile(r"!\[[^\]\n]*\]\((data:image/[A-Za-z0-9.+-]+;base64,[A-Za-z0-9+/=_-]+)\)")


def text_part(text: Any) -> list[GeminiPart]:
    """A text part, or nothing for empty or whitespace-only text."""
    if not isinstance(text, str) or not text.strip():
        return []
    return [{"text": text}]


def _inline(mime: str, data: str) -> list[GeminiPart]:
    return [{"inlineData": {"mimeType": mime, "data": data}}]


def _data_url_part(url: str, param: str, media: MediaMap) -> list[GeminiPart]:
    mime, data = data_url_parts(url) or ("", "")
    return _inline(mime, data)


def _remote_part(url: str, param: str, media: MediaMap) -> list[GeminiPart]:
    fetched = media.get(url)
    if fetched is None:
        raise InvalidRequest("the file at this URL could not be fetched", param=param)
    return _inline(fetched.mime_type, fetched.data)


def _gcs_part(uri: str, param: str, media: MediaMap) -> list[GeminiPart]:
    return [{"fileData": {"mimeType": mime_from_name(uri) or "", "fileUri": uri}}]


URL_PARTS: dict[str, UrlTranslator] = {
    DATA_SCHEME: _data_url_part,
    **{scheme: _remote_part for scheme in FETCHED_SCHEMES},
    GCS_SCHEME: _gcs_part,
}
"""Translation of a media URL by its scheme (one entry per :data:`adapter.vocabulary.URL_SCHEMES`)."""


def url_part(url: str, param: str, media: MediaMap) -> list[GeminiPart]:
    """A part for a data:, http(s):// or gs:// URL."""
    return URL_PARTS[url_scheme(url) or ""](url, param, media)


def image_url_of(part: Mapping[str, Any]) -> Any:
    return part["image_url"]["url"]


def image_url_part(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return url_part(image_url_of(part), f"{path}.image_url.url", media)


def input_audio_part(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    audio = part["input_audio"]
    return _inline(AUDIO_FORMATS[audio["format"]], audio["data"])


def _file_url(file: Mapping[str, Any]) -> tuple[str, str] | None:
    """(key, URL) of the URL a ``file`` object holds, ``file_data`` first, or None."""
    for key in FILE_URL_KEYS:
        value = file.get(key)
        if value is not None and url_scheme(value) is not None:
            return key, value
    return None


def file_url_of(part: Mapping[str, Any]) -> str | None:
    """The http(s) URL of a ``file`` part (in ``file_data`` or ``file_id``), if any."""
    found = _file_url(part["file"])
    return found[1] if found is not None and is_fetched(found[1]) else None


def file_part(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    """A ``file`` part: a URL (data:, http(s) or gs://) in ``file_data`` / ``file_id``, or bare
    base64 ``file_data`` typed by its ``filename``."""
    file = part["file"]
    found = _file_url(file)
    if found is not None:
        return url_part(found[1], f"{path}.file.{found[0]}", media)
    return _inline(mime_from_name(file["filename"]) or "", file["file_data"])


def _text_content_part(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return text_part(part.get("text"))


def _nothing(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return []


def _assistant_text_content_part(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return assistant_text_parts(part.get("text"))


# One entry per part type of adapter.vocabulary (USER_PART_TYPES, ASSISTANT_PART_TYPES, SYSTEM_PART_TYPES).
USER_PARTS: dict[str, PartTranslator] = {
    "text": _text_content_part,
    "image_url": image_url_part,
    "input_audio": input_audio_part,
    "file": file_part,
}
ASSISTANT_PARTS: dict[str, PartTranslator] = {
    "text": _assistant_text_content_part,
    "refusal": _nothing,
}
SYSTEM_PARTS: dict[str, PartTranslator] = {"text": _text_content_part}


def content_part(
    part: Any, path: str, j: int, media: MediaMap, table: Mapping[str, PartTranslator]
) -> list[GeminiPart]:
    """Gemini parts of content part ``j`` of the message at ``path``."""
    return table[part["type"]](part, f"{path}.content[{j}]", media)


def content_parts(content: Any, path: str, media: MediaMap, table: Mapping[str, PartTranslator]) -> list[GeminiPart]:
    """Gemini parts of a message ``content`` (a string, a list of parts, or None)."""
    if isinstance(content, str):
        return table["text"]({"text": content}, path, media)
    if not isinstance(content, list):
        return []
    parts: list[GeminiPart] = []
    for j, part in enumerate(content):
        parts.extend(content_part(part, path, j, media, table))
    return parts


def assistant_text_parts(text: Any) -> list[GeminiPart]:
    """Assistant text, with Markdown data-URL images (which we emit for image output) as inlineData."""
    if not isinstance(text, str) or "](data:image/" not in text:
        return text_part(text)
    parts: list[GeminiPart] = []
    position = 0
    for match in _MARKDOWN_IMAGE.finditer(text):
        parts.extend(text_part(text[position:match.start()]))
        mime, data = data_url_parts(match.group(1)) or ("", "")
        parts.extend(_inline(mime, data))
        position = match.end()
    parts.extend(text_part(text[position:]))
    return parts
