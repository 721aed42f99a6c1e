"""Text inside ``<think>...</think>`` tags moved out of content, across chunk boundaries (pure).

Vertex's OpenAI-compatible endpoint returns thought summaries inline in ``content`` when asked
for a ``thought_tag_marker`` (wire fact 30); direct mode moves them to ``reasoning_content``.
"""

from __future__ import annotations

THOUGHT_TAG = "think"


class ThoughtTagSplitter:
    """Moves the text inside ``<think>...</think>`` out of content, chunk by chunk.

    :meth:`feed` returns ``(reasoning, content)`` for a piece of text; a tag split across pieces
    is held back until it can be told apart from text. :meth:`flush` returns what is held at the
    end (an unclosed block is reasoning).
    """

    __slots__ = ("_open", "_close", "_inside", "_pending")

    def __init__(self, tag: str = THOUGHT_TAG) -> None:
        self._open = f"<{tag}>"
        self._close = f"</{tag}>"
        self._inside = False
        self._pending = ""

    def feed(self, text: str) -> tuple[str, str]:
        buffer = self._pending + text if self._pending else text
        reasoning: list[str] = []
        content: list[str] = []
        while True:
            tag = self._close if self._inside else self._open
            out = reasoning if self._inside else content
            found = buffer.find(tag)
            if found < 0:
                break
            if found:
                out.append(buffer[:found])
            buffer = buffer[found + len(tag):]
            self._inside = not self._inside
        held = _partial_tag_length(buffer, tag)
        self._pending = buffer[len(buffer) - held:] if held else ""
        if held:
            buffer = buffer[: len(buffer) - held]
        if buffer:
            out.append(buffer)
        return "".join(reasoning), "".join(content)

    def flush(self) -> tuple[str, str]:
        pending, self._pending = self._pending, ""
        return (pending, "") if self._inside else ("", pending)


def _partial_tag_length(buffer: str, tag: str) -> int:
    """Length of the end of ``buffer`` that could begin ``tag`` (tags hold a single ``<``)."""
    start = buffer.rfind("<", max(0, len(buffer) - len(tag) + 1))
    if start < 0:
        return 0
    return len(buffer) - start if tag.startswith(buffer[start:]) else 0
