"""``stop_sequences`` applied by the gateway, on text that may arrive in pieces (pure).

Gemini stops on a stop sequence without saying so (``finishReason`` is ``STOP`` either way), so
Anthropic's ``stop_reason: "stop_sequence"`` and ``stop_sequence`` could never be reported if
Gemini applied them. The gateway applies them instead: :class:`StopScanner` passes text through
until the first sequence the text completes (the earliest end, as a model generating the text
would meet it, so that any cutting of the text into pieces gives the same answer), holding back
only a tail that could still become one, and drops everything from the match on.
"""

from __future__ import annotations


class StopScanner:
    """Scans one answer's text. Not thread-safe (one per translation)."""

    __slots__ = ("_sequences", "_held", "matched")

    def __init__(self, sequences: tuple[str, ...]) -> None:
        self._sequences = tuple(sequence for sequence in sequences if sequence)
        self._held = ""
        self.matched: str | None = None

    def feed(self, text: str) -> str:
        """The part of ``text`` (after what was held back) that is certainly answer text."""
        if not self._sequences or self.matched is not None:
            return "" if self.matched is not None else text
        buffer = self._held + text
        found = [
            (buffer.find(sequence) + len(sequence), -len(sequence), sequence)
            for sequence in self._sequences
            if sequence in buffer
        ]
        if found:
            end, _, sequence = min(found)
            position = end - len(sequence)
            self.matched = sequence
            self._held = ""
            return buffer[:position]
        keep = self._open_tail(buffer)
        self._held = buffer[len(buffer) - keep:] if keep else ""
        return buffer[: len(buffer) - keep]

    def flush(self) -> str:
        """The held-back tail, once no more text can complete a sequence."""
        held, self._held = self._held, ""
        return held

    def _open_tail(self, buffer: str) -> int:
        """Length of the longest tail of ``buffer`` that starts some sequence."""
        longest = max(len(sequence) for sequence in self._sequences) - 1
        for size in range(min(longest, len(buffer)), 0, -1):
            tail = buffer[-size:]
            if any(sequence.startswith(tail) for sequence in self._sequences):
                return size
        return 0
