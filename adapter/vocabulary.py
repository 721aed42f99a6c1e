"""The words of a chat request's content parts, in one place for the schemas and translation.

``adapter/schemas/messages.py`` accepts exactly what is listed here and ``adapter/translate/parts.py``
translates exactly that, trusting the schema: a value the schema loaded always has a meaning
below (``tests/unit/test_vocabulary.py`` enumerates each table against the other side).

Audio formats follow Vertex AI's audio understanding page (``audio/x-aac``, ``flac``, ``mp3``,
``m4a``, ``mpeg``, ``mp4``, ``ogg``, ``pcm``, ``wav``, ``webm``) and the Gemini API's list
(``aac``, ``aiff``, ``flac``, ``mp3``, ``ogg``, ``wav``). OpenAI's ``pcm16`` is headerless
audio whose rate and channels Vertex cannot know, so it is refused rather than sent as
``audio/pcm``; ``opus`` is Ogg Opus (what OpenAI produces), sent as ``audio/ogg``.
"""

from __future__ import annotations

import re
from typing import Any

AUDIO_FORMATS: dict[str, str] = {
    "wav": "audio/wav",
    "mp3": "audio/mp3",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "aiff": "audio/aiff",
    "m4a": "audio/m4a",
    "webm": "audio/webm",
}
"""``input_audio.format`` → the ``inlineData.mimeType`` sent to Vertex."""

MEDIA_RESOLUTIONS: dict[str, tuple[int, str]] = {
    "low": (1, "MEDIA_RESOLUTION_LOW"),
    "high": (3, "MEDIA_RESOLUTION_HIGH"),
    "original": (3, "MEDIA_RESOLUTION_HIGH"),
}
"""``image_url.detail`` → (rank, ``generationConfig.mediaResolution``); the highest rank wins."""
IMAGE_DETAILS: tuple[str, ...] = ("auto", *MEDIA_RESOLUTIONS)
"""Every accepted ``image_url.detail``; ``auto`` leaves the resolution to the model."""

DATA_SCHEME = "data"
FETCHED_SCHEMES: tuple[str, ...] = ("http", "https")
"""URLs the gateway fetches at the edge and sends inline (``adapter/upstream/media.py``)."""
GCS_SCHEME = "gs"
"""Cloud Storage URIs, sent to Vertex as ``fileData`` by reference."""
URL_SCHEMES: tuple[str, ...] = (DATA_SCHEME, *FETCHED_SCHEMES, GCS_SCHEME)
REMOTE_SCHEMES: tuple[str, ...] = (*FETCHED_SCHEMES, GCS_SCHEME)
"""What ``file.file_id`` may hold (there is no Files API)."""
_LONGEST_PREFIX = max(len(scheme) for scheme in URL_SCHEMES) + 3
_DATA_HEADER_LIMIT = 256

_BASE64 = re.compile(r"\s*[A-Za-z0-9+/_-]*=*\s*")
BASE64_PATTERN = r"^\s*([A-Za-z0-9+/_-]{4})*([A-Za-z0-9+/_-]{2,3})?={0,2}\s*(?![\s\S])"
"""The same rule as :func:`is_base64`, for the OpenAPI document (a regex cannot count cheaply)."""

FILE_URL_KEYS: tuple[str, ...] = ("file_data", "file_id")
"""The keys of a ``file`` object that may hold a URL, in the order they are read."""

USER_PART_TYPES: tuple[str, ...] = ("text", "image_url", "input_audio", "file")
"""Part types of ``user`` and ``tool`` messages."""
ASSISTANT_PART_TYPES: tuple[str, ...] = ("text", "refusal")
SYSTEM_PART_TYPES: tuple[str, ...] = ("text",)
"""Part types of ``system`` and ``developer`` messages."""

RESPONSES_USER_PART_TYPES: tuple[str, ...] = ("input_text", "input_image", "input_file", "input_audio")
"""Part types of Responses ``user`` messages and of call outputs."""
RESPONSES_PART_TYPES: dict[str, tuple[str, ...]] = {
    "user": RESPONSES_USER_PART_TYPES,
    "system": ("input_text",),
    "developer": ("input_text",),
    "assistant": ("output_text", "refusal", "input_text"),
}
"""Responses message ``role`` → the content part types it takes."""

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
"""File extension → MIME type, for ``gs://`` URIs and bare base64 ``file_data`` with a ``filename``."""


def url_scheme(url: str) -> str | None:
    """The scheme of ``url`` in lower case when it is one of :data:`URL_SCHEMES`, else None.

    The scheme is matched whatever its case (``HTTPS://``, ``Data:``), as URLs allow.
    """
    head = url[:_LONGEST_PREFIX].lower()
    if head.startswith("data:"):
        return DATA_SCHEME
    scheme, separator, _ = head.partition("://")
    return scheme if separator and scheme in URL_SCHEMES and scheme != DATA_SCHEME else None


def is_fetched(url: Any) -> bool:
    """True for an ``http(s)://`` URL, which the edge fetches before translation."""
    return isinstance(url, str) and url_scheme(url) in FETCHED_SCHEMES


def is_base64(text: str) -> bool:
    """True for base64 Vertex reads as bytes: standard or URL-safe alphabet, padding optional.

    About 1 CPU-ms per MB, the price of a 400 naming the field instead of Vertex's.
    """
    return _BASE64.fullmatch(text) is not None and len(text.strip().rstrip("=")) % 4 != 1


def data_url_parts(url: str) -> tuple[str, str] | None:
    """``data:<type>/<subtype>[;param...];base64,<payload>`` → (lower-case MIME type, payload).

    None for anything else: no ``;base64``, no ``/`` in the type, an empty payload, or a
    header longer than 250 characters (the payload may be megabytes: only the header is read).
    Whether the payload is base64 is :func:`is_base64`'s to say.
    """
    if url[:5].lower() != "data:":
        return None
    comma = url.find(",", 5, _DATA_HEADER_LIMIT)
    if comma < 0:
        return None
    fields = url[5:comma].split(";")
    mime = fields[0].strip().lower()
    if len(fields) < 2 or fields[-1].lower() != "base64" or "/" not in mime:
        return None
    payload = url[comma + 1:].strip()
    return (mime, payload) if payload else None


def mime_from_name(name: str) -> str | None:
    """The MIME type for a file name or URI by its extension, or None when unknown."""
    tail = name.rsplit("/", 1)[-1].split("?", 1)[0]
    if "." not in tail:
        return None
    return EXTENSION_MIME_TYPES.get(tail.rsplit(".", 1)[-1].lower())
