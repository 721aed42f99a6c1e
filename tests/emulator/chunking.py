"""Split a unary GenerateContentResponse into realistic stream events, and merge events back.

Splitting follows the captured streams (wire facts 14, 18, 19): text arrives as word deltas,
thought parts come first, every intermediate event carries ``usageMetadata: {"trafficType":
"ON_DEMAND"}``, the last one carries ``finishReason`` and the full usage; Gemini 3 sends one
function call per event and ends with an empty text part holding the text's signature, Gemini
2.5 sends all calls in the final event.
"""

from __future__ import annotations

import copy
from typing import Any, Mapping, Sequence

Response = dict[str, Any]
_ENVELOPE = ("modelVersion", "createTime", "responseId")
_INTERMEDIATE_USAGE = {"trafficType": "ON_DEMAND"}


def split_words(text: str) -> list[str]:
    """``"a b  c"`` -> ``["a", " b", "  c"]``: deltas that concatenate back to the text."""
    pieces: list[str] = []
    current = ""
    for char in text:
        if char.isspace() and current and not current.isspace():
            pieces.append(current)
            current = ""
        current += char
    if current:
        pieces.append(current)
    return pieces or [text]


def _is_gemini3(response: Mapping[str, Any], parts: list[Mapping[str, Any]]) -> bool:
    if str(response.get("modelVersion", "")).startswith("gemini-3"):
        return True
    return any("id" in part.get("functionCall", {}) for part in parts)


def _text_pieces(part: Mapping[str, Any], trailing_signature: bool) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Deltas for one text part; a signature goes on a trailing empty part (Gemini 3, last part) or the last delta."""
    if part.get("thought"):
        return [dict(part)], None
    signature = part.get("thoughtSignature")
    deltas = [{"text": word} for word in split_words(str(part.get("text", "")))]
    if signature and trailing_signature:
        return deltas, {"text": "", "thoughtSignature": signature}
    if signature:
        deltas[-1]["thoughtSignature"] = signature
    return deltas, None


def _candidate_pieces(parts: list[Mapping[str, Any]], gemini3: bool) -> list[list[dict[str, Any]]]:
    """Groups of parts, one group per event, for one candidate."""
    groups: list[list[dict[str, Any]]] = []
    tail: list[dict[str, Any]] = []
    calls = [dict(part) for part in parts if "functionCall" in part]
    for position, part in enumerate(parts):
        if "functionCall" in part:
            continue
        if "text" in part:
            deltas, signature_part = _text_pieces(part, gemini3 and position == len(parts) - 1)
            groups.extend([delta] for delta in deltas)
            tail = [signature_part] if signature_part else tail
        else:
            groups.append([dict(part)])
    if calls and gemini3:
        groups.extend([call] for call in calls)
        tail = tail or [{"text": ""}]
    elif calls:
        tail = calls
    if tail:
        groups.append(tail)
    return groups


def _candidate_event(candidate: Mapping[str, Any], parts: list[dict[str, Any]] | None, final: bool, index: int) -> dict[str, Any]:
    event: dict[str, Any] = {}
    if parts is not None:
        event["content"] = {"role": "model", "parts": parts} if parts else {"role": "model"}
    if final:
        event.update({key: copy.deepcopy(value) for key, value in candidate.items() if key not in ("content", "index")})
    if index:
        event["index"] = index
    return event


def _event(response: Mapping[str, Any], candidates: list[dict[str, Any]], usage: Any, first: bool) -> dict[str, Any]:
    event: dict[str, Any] = {}
    if candidates:
        event["candidates"] = candidates
    if first and "promptFeedback" in response:
        event["promptFeedback"] = copy.deepcopy(response["promptFeedback"])
    event["usageMetadata"] = copy.deepcopy(usage)
    event.update({key: response[key] for key in _ENVELOPE if key in response})
    return event


def to_stream_events(response: Mapping[str, Any]) -> list[Response]:
    """The events Vertex would stream for ``response`` (a GenerateContentResponse dict)."""
    candidates = list(response.get("candidates", []))
    usage = response.get("usageMetadata", _INTERMEDIATE_USAGE)
    if not candidates:
        return [_event(response, [], usage, first=True)]
    plans: list[tuple[Mapping[str, Any], list[list[dict[str, Any]] | None]]] = []
    for candidate in candidates:
        content = candidate.get("content")
        parts = list(content.get("parts", [])) if isinstance(content, Mapping) else None
        groups: list[list[dict[str, Any]] | None] = [parts] if not parts else list(_candidate_pieces(parts, _is_gemini3(response, parts)))
        plans.append((candidate, groups))
    total = max(len(groups) for _, groups in plans)
    events = []
    for step in range(total):
        final_step = step == total - 1
        chunk = []
        for candidate, groups in plans:
            if step < len(groups):
                last = step == len(groups) - 1
                chunk.append(_candidate_event(candidate, groups[step], last, int(candidate.get("index", 0))))
        events.append(_event(response, chunk, usage if final_step else _INTERMEDIATE_USAGE, first=step == 0))
    return events


def _merge_part(parts: list[dict[str, Any]], part: Mapping[str, Any]) -> None:
    if dict(part) == {"text": ""}:
        return
    previous = parts[-1] if parts else None
    is_text = "text" in part and set(part) <= {"text", "thought", "thoughtSignature"}
    if previous is not None and is_text and "text" in previous and "thoughtSignature" not in previous:
        same_kind = bool(previous.get("thought")) == bool(part.get("thought"))
        if same_kind or part.get("text") == "":
            previous["text"] = str(previous["text"]) + str(part["text"])
            if "thoughtSignature" in part:
                previous["thoughtSignature"] = part["thoughtSignature"]
            return
    parts.append(dict(part))


def merge_stream_events(events: Sequence[Mapping[str, Any]]) -> Response:
    """The unary response equivalent to a stream (an ``error`` event ends the merge)."""
    merged: dict[int, dict[str, Any]] = {}
    parts: dict[int, list[dict[str, Any]]] = {}
    usage: Any = _INTERMEDIATE_USAGE
    feedback = None
    usable = [event for event in events if "error" not in event]
    for event in usable:
        feedback = feedback or event.get("promptFeedback")
        usage = event.get("usageMetadata", usage)
        for candidate in event.get("candidates", []):
            index = int(candidate.get("index", 0))
            target = merged.setdefault(index, {})
            content = candidate.get("content")
            if isinstance(content, Mapping):
                target.setdefault("content", None)
                for part in content.get("parts", []):
                    _merge_part(parts.setdefault(index, []), part)
            target.update({key: copy.deepcopy(value) for key, value in candidate.items() if key not in ("content", "index")})
    candidates = []
    for index in sorted(merged):
        fields = merged[index]
        merged_candidate: dict[str, Any] = {}
        if "content" in fields:
            merged_candidate["content"] = {"role": "model", "parts": parts[index]} if parts.get(index) else {"role": "model"}
        merged_candidate.update({key: value for key, value in fields.items() if key != "content"})
        if index:
            merged_candidate["index"] = index
        candidates.append(merged_candidate)
    response: dict[str, Any] = {"candidates": candidates} if candidates else {}
    if feedback:
        response["promptFeedback"] = copy.deepcopy(feedback)
    response["usageMetadata"] = copy.deepcopy(usage)
    source = usable[-1] if usable else {}
    response.update({key: source[key] for key in _ENVELOPE if key in source})
    return response
