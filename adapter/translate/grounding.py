"""Google Search grounding → OpenAI ``annotations`` plus a ``grounding`` extension field.

``groundingSupports[].segment`` offsets are UTF-8 **byte** offsets into the answer text (wire fact
12); OpenAI's ``url_citation`` ``start_index``/``end_index`` are character offsets into
``message.content``. The answer text is taken as the candidate's non-thought text parts joined in
order (what a stream delivers too); ``segment.partIndex`` is not used because stream events do not
keep part boundaries. When the byte offsets do not select ``segment.text`` (Google's own English
docs example is inconsistent), the first occurrence of ``segment.text`` is used instead.

The extension field on the message::

    "grounding": {"web_search_queries": [...], "search_entry_point": "<html>" | None,
                  "sources": [{"url", "title", "domain"}, ...]}

``sources`` lists every grounding chunk in Vertex's order (so ``groundingChunkIndices`` index it);
``search_entry_point`` is Google's search-suggestion HTML, which its terms require showing.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, Mapping, Sequence

_SOURCE_KINDS = ("web", "retrievedContext", "maps")


def grounding_fields(metadata: Mapping[str, Any], spans: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """``{"annotations": [...], "grounding": {...}}`` for a candidate, each key only when non-empty.

    ``spans`` are the answer text pieces with their character position in ``content``.
    """
    sources = [_source(chunk) for chunk in metadata.get("groundingChunks") or ()]
    fields: dict[str, Any] = {}
    annotations = _annotations(metadata.get("groundingSupports") or (), sources, spans)
    if annotations:
        fields["annotations"] = annotations
    queries = list(metadata.get("webSearchQueries") or ())
    entry_point = (metadata.get("searchEntryPoint") or {}).get("renderedContent")
    if queries or entry_point or sources:
        fields["grounding"] = {
            "web_search_queries": queries,
            "search_entry_point": entry_point,
            "sources": [source for source in sources if source is not None],
        }
    return fields


def _source(chunk: Mapping[str, Any]) -> dict[str, Any] | None:
    for kind in _SOURCE_KINDS:
        found = chunk.get(kind)
        if found and found.get("uri"):
            url = found["uri"]
            return {"url": url, "title": found.get("title") or found.get("domain") or url, "domain": found.get("domain")}
    return None


def _annotations(
    supports: Sequence[Mapping[str, Any]], sources: Sequence[dict[str, Any] | None], spans: Sequence[tuple[int, str]]
) -> list[dict[str, Any]]:
    if not supports or not spans:
        return []
    locator = _TextLocator(spans)
    annotations: list[dict[str, Any]] = []
    for support in supports:
        found = locator.locate(support.get("segment") or {})
        if found is None:
            continue
        start, end = found
        for chunk_index in support.get("groundingChunkIndices") or ():
            source = sources[chunk_index] if 0 <= chunk_index < len(sources) else None
            if source is not None:
                citation = {"url": source["url"], "title": source["title"], "start_index": start, "end_index": end}
                annotations.append({"type": "url_citation", "url_citation": citation})
    return annotations


class _TextLocator:
    """Maps a segment (byte offsets into the answer text) to character offsets in ``content``."""

    def __init__(self, spans: Sequence[tuple[int, str]]) -> None:
        self.answer = "".join(text for _, text in spans)
        self.data = self.answer.encode("utf-8")
        self.content_starts = [position for position, _ in spans]
        self.answer_starts: list[int] = []
        offset = 0
        for _, text in spans:
            self.answer_starts.append(offset)
            offset += len(text)

    def locate(self, segment: Mapping[str, Any]) -> tuple[int, int] | None:
        start = self._char(segment.get("startIndex", 0))
        end = self._char(segment.get("endIndex", 0))
        text = segment.get("text")
        if text and self.answer[start:end] != text:
            found = self.answer.find(text)
            if found >= 0:
                start, end = found, found + len(text)
        if start >= end:
            return None
        return self._content_start(start), self._content_end(end)

    def _char(self, byte_offset: int) -> int:
        clamped = min(max(byte_offset, 0), len(self.data))
        return len(self.data[:clamped].decode("utf-8", errors="ignore"))

    def _content_start(self, char: int) -> int:
        k = bisect_right(self.answer_starts, char) - 1
        return self.content_starts[k] + char - self.answer_starts[k]

    def _content_end(self, char: int) -> int:
        k = max(bisect_left(self.answer_starts, char) - 1, 0)
        return self.content_starts[k] + char - self.answer_starts[k]
