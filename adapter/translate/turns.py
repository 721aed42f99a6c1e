"""Building Gemini ``contents`` turn by turn, shared by every front door's translation (pure)."""

from __future__ import annotations

from adapter.translate.shapes import GeminiContent, GeminiPart


def append_turn(contents: list[GeminiContent], role: str, parts: list[GeminiPart]) -> None:
    """Add ``parts`` to the last turn when it has ``role``, else start a turn with them.

    Gemini wants consecutive turns of one role merged. The last turn is replaced, not extended
    in place, so turns that came from elsewhere (stored history) are never mutated.
    """
    if not parts:
        return
    if contents and contents[-1]["role"] == role:
        contents[-1] = {"role": role, "parts": [*contents[-1]["parts"], *parts]}
    else:
        contents.append({"role": role, "parts": parts})
