"""Anthropic user content blocks → Gemini parts, one function per block type (pure).

Each function takes the block, its path for error messages (``messages.1.content.0``) and the
remote media the edge already fetched, and returns Gemini parts (none for blank text):

- ``text`` → a text part; ``image`` → ``inlineData`` (base64, or the fetched ``url``);
- ``document``: a base64 PDF or a fetched ``url`` → ``inlineData``; a ``text`` source → a text
  part; a ``content`` source → its text and image blocks. A ``title`` or ``context`` comes first
  as a short text part.

:func:`remote_media_urls` lists the http(s) URLs those blocks hold, for the edge to fetch.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Mapping

from adapter.errors import InvalidRequest
from adapter.translate.parts import MediaMap, text_part
from adapter.translate.shapes import GeminiPart

BlockTranslator = Callable[[Mapping[str, Any], str, MediaMap], list[GeminiPart]]


def _inline(mime: str, data: str) -> list[GeminiPart]:
    return [{"inlineData": {"mimeType": mime, "data": data}}]


def _source_part(source: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    """A ``base64`` or ``url`` source as ``inlineData``."""
    if source.get("type") == "base64":
        return _inline(source["media_type"], source["data"])
    fetched = media.get(source.get("url", ""))
    if fetched is None:
        raise InvalidRequest("the file at this URL could not be fetched", param=f"{path}.source.url")
    return _inline(fetched.mime_type, fetched.data)


def text_block(block: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return text_part(block.get("text"))


def image_block(block: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    return _source_part(block["source"], path, media)


def document_block(block: Mapping[str, Any], path: str, media: MediaMap) -> list[GeminiPart]:
    heading = "\n".join(text for text in (block.get("title"), block.get("context")) if text)
    parts = text_part(heading)
    source = block["source"]
    kind = source.get("type")
    if kind == "text":
        parts.extend(text_part(source.get("data")))
    elif kind == "content":
        parts.extend(_content_source(source.get("content"), f"{path}.source.content", media))
    else:
        parts.extend(_source_part(source, path, media))
    return parts


def _content_source(content: Any, path: str, media: MediaMap) -> list[GeminiPart]:
    if isinstance(content, str):
        return text_part(content)
    parts: list[GeminiPart] = []
    for j, block in enumerate(content or ()):
        parts.extend(SOURCE_CONTENT_BLOCKS[block["type"]](block, f"{path}.{j}", media))
    return parts


SOURCE_CONTENT_BLOCKS: dict[str, BlockTranslator] = {"text": text_block, "image": image_block}
USER_BLOCKS: dict[str, BlockTranslator] = {**SOURCE_CONTENT_BLOCKS, "document": document_block}
"""Blocks of user messages and tool results (``tool_result`` itself is handled by the walker)."""


def remote_media_urls(body: Mapping[str, Any]) -> dict[str, str]:
    """Each http(s) URL of an image or document source (once, in order) → where it first appears."""
    urls: dict[str, str] = {}
    for i, message in enumerate(body.get("messages") or ()):
        content = message.get("content")
        if isinstance(content, list):
            for url, place in _urls(content, f"messages.{i}.content"):
                urls.setdefault(url, place)
    return urls


def _urls(blocks: list[Any], path: str) -> Iterator[tuple[str, str]]:
    for j, block in enumerate(blocks):
        place = f"{path}.{j}"
        source = block.get("source") if isinstance(block, Mapping) else None
        if isinstance(source, Mapping) and source.get("type") == "url":
            yield source.get("url", ""), f"{place}.source.url"
        nested = block.get("content") if isinstance(block, Mapping) else None
        if isinstance(source, Mapping) and isinstance(source.get("content"), list):
            yield from _urls(source["content"], f"{place}.source.content")
        elif isinstance(nested, list):
            yield from _urls(nested, f"{place}.content")
