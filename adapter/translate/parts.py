"""OpenAI content parts → Gemini parts, one function per part type (pure).

Every function takes the part, the parameter path of the part for error messages
(``messages[2].content[1]``) and the remote media the edge already fetched, and returns a list
of Gemini parts (empty when the part carries nothing, such as blank text or a refusal).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping
from urllib.parse import unquote_to_bytes

from adapter.errors import InvalidRequest
from adapter.translate.shapes import GeminiPart


@dataclass(frozen=True, slots=True)
class Media:
    """A remote file (an http/https ``image_url`` or ``file`` URL) the edge already fetched."""

    mime_type: str
    data: str  # base64


MediaMap = Mapping[str, Media]
PartTranslator = Callable[[Mapping[str, Any], str, MediaMap], list[GeminiPart]]

EXTENSION_MIME_TYPES: dict[str, str] = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "heic": "image/heic",
    "heif": "image/heif",
    "pdf": "application/pdf",
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
    "html": "text/html",
    "htm": "text/html",
    "xml": "text/xml",
    "json": "application/json",
    "rtf": "text/rtf",
    "mp4": "video/mp4",
    "mpeg": "video/mpeg",
    "mpg": "video/mpeg",
    "mov": "video/mov",
    "avi": "video/avi",
    "flv": "video/x-flv",
    "webm": "video/webm",
    "wmv": "video/wmv",
    "3gp": "video/3gpp",
    "wav": "audio/wav",
    "mp3": "audio/mp3",
    "aac": "audio/aac",
    "aiff": "audio/aiff",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "m4a": "audio/m4a",
}
AUDIO_FORMATS: dict[str, str] = {
    "wav": "audio/wav",
    "mp3": "audio/mp3",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "aac": "audio/aac",
    "aiff": "audio/aiff",
    "m4a": "audio/m4a",
    "pcm16": "audio/pcm",
    "webm": "audio/webm",
}
REMOTE_PREFIXES = ("http://", "https://")
_URL_PREFIXES = ("data:", "gs://", *REMOTE_PREFIXES)
_FILE_URL_KEYS = ("file_data", "file_id")
# Markdown images with a data URL, as the response side emits generated images.
_MARKDOWN_IMAGE = re.compile(r"!\[[^\]\n]*\]\((data:image/[A-Za-z0-9.+-]+;base64,[A-Za-z0-9+/=_-]+)\)")


def text_part(text: Any) -> list[GeminiPart]:
    """A text part, or nothing for empty or whitespace-only text."""
    if not isinstance(text, str) or not text.strip():
        return []
    return [{"text": text}]


def parse_data_url(url: str) -> tuple[str, str] | None:
    """``data:<mime>[;...][;base64],<payload>`` → (mime type, base64 payload), or None."""
    if not url.startswith("data:"):
        return None
    header, comma, payload = url[5:].partition(",")
    if not comma or not payload:
        return None
    fields = header.split(";")
    mime = fields[0].strip().lower()
    if "/" not in mime:
        return None
    if fields[-1].strip().lower() == "base64":
        return mime, payload.strip()
    return mime, base64.b64encode(unquote_to_bytes(payload)).decode("ascii")


def mime_from_name(name: str) -> str | None:
    """The MIME type for a file name or URI by its extension, or None when unknown."""
    tail = name.rsplit("/", 1)[-1].split("?", 1)[0]
    if "." not in tail:
        return None
    return EXTENSION_MIME_TYPES.get(tail.rsplit(".", 1)[-1].lower())


def _inline(mime: str, data: str) -> list[GeminiPart]:
    return [{"inlineData": {"mimeType": mime, "data": data}}]


def _data_url_part(url: str, param: str, media: MediaMap) -> list[GeminiPart]:
    parsed = parse_data_url(url)
    if parsed is None:
        raise InvalidRequest("not a valid base64 data URL (data:<mime type>;base64,<data>)", param=param)
    return _inline(*parsed)


def _remote_part(url: str, param: str, media: MediaMap) -> list[GeminiPart]:
    fetched = media.get(url)
    if fetched is None:
        raise InvalidRequest("the file at this URL could not be fetched", param=param)
    return _inline(fetched.mime_type, fetched.data)


def _gcs_part(uri: str, param: str, media: MediaMap) -> list[GeminiPart]:
    mime = mime_from_name(uri)
    if mime is None:
        raise InvalidRequest("cannot tell the MIME type of this gs:// URI from its extension", param=param)
    return [{"fileData": {"mimeType": mime, "fileUri": uri}}]


_URL_SCHEMES: tuple[tuple[str, Callable[[str, str, MediaMap], list[GeminiPart]]], ...] = (
    ("data:", _data_url_part),
    ("https://", _remote_part),
    ("http://", _remote_part),
    ("gs://", _gcs_part),
)


def url_part(url: Any, param: str, media: MediaMap) -> list[GeminiPart]:
    """A part for a data:, http(s):// or gs:// URL."""
    if not isinstance(url, str) or not url:
        raise InvalidRequest("a URL is required", param=param)
    for prefix, translate in _URL_SCHEMES:
        if url.startswith(prefix):
            return translate(url, param, media)
    raise InvalidRequest("only data:, http(s):// and gs:// URLs are supported", param=param)


def image_url_of(part: Mapping[str, Any]) -> Any:
    image = part.get("image_url")
    return image.get("url") if isinstance(image, Mapping) else image


def image_url_part(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return url_part(image_url_of(part), f"{path}.image_url.url", media)


def input_audio_part(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    audio = part.get("input_audio")
    if not isinstance(audio, Mapping) or not isinstance(audio.get("data"), str) or not audio["data"]:
        raise InvalidRequest("input_audio needs base64 data", param=f"{path}.input_audio.data")
    mime = AUDIO_FORMATS.get(str(audio.get("format", "")).lower())
    if mime is None:
        raise InvalidRequest(
            f"unsupported audio format; use one of {', '.join(AUDIO_FORMATS)}", param=f"{path}.input_audio.format"
        )
    return _inline(mime, audio["data"])


def file_url_of(part: Mapping[str, Any]) -> str | None:
    """The http(s) URL of a ``file`` part (in ``file_data`` or ``file_id``), if any."""
    file = part.get("file")
    if not isinstance(file, Mapping):
        return None
    for key in _FILE_URL_KEYS:
        value = file.get(key)
        if isinstance(value, str) and value.startswith(REMOTE_PREFIXES):
            return value
    return None


def file_part(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    """A ``file`` part: ``file_data`` as a data URL (or bare base64 with a ``filename``), or a
    URL (http(s) or gs://) in ``file_data`` / ``file_id``."""
    file = part.get("file")
    if not isinstance(file, Mapping):
        raise InvalidRequest("a file part needs a file object", param=f"{path}.file")
    for key in _FILE_URL_KEYS:
        value = file.get(key)
        if isinstance(value, str) and value.startswith(_URL_PREFIXES):
            return url_part(value, f"{path}.file.{key}", media)
    if file.get("file_id"):
        raise InvalidRequest(
            "uploaded files are not available (there is no Files API); send file_data", param=f"{path}.file.file_id"
        )
    data = file.get("file_data")
    if not isinstance(data, str) or not data:
        raise InvalidRequest("a file part needs file_data", param=f"{path}.file.file_data")
    mime = mime_from_name(str(file.get("filename") or ""))
    if mime is None:
        raise InvalidRequest(
            "send file_data as a data URL, or a filename with a known extension", param=f"{path}.file.filename"
        )
    return _inline(mime, data)


def _text_content_part(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return text_part(part.get("text"))


def _nothing(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return []


def _assistant_text_content_part(part: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return assistant_text_parts(part.get("text"))


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
    if isinstance(part, str):
        return text_part(part)
    kind = part.get("type") if isinstance(part, Mapping) else None
    translate = table.get(kind) if isinstance(kind, str) else None
    if translate is None:
        raise InvalidRequest(f"content part type {kind!r} is not accepted here", param=f"{path}.content[{j}].type")
    return translate(part, f"{path}.content[{j}]", media)


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
        mime, data = parse_data_url(match.group(1)) or ("", "")
        parts.extend(_inline(mime, data))
        position = match.end()
    parts.extend(text_part(text[position:]))
    return parts
