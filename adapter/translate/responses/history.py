"""The stored document behind ``previous_response_id``, and the next turn built from it (pure).

A stored response keeps everything a later turn needs, written synchronously before the answer
reaches the client (so the next request, on any worker or instance, finds it)::

    {
      "version": 1,
      "response": {...},            # the Response object as the client got it (GET returns it)
      "input_items": [...],         # this turn's input items, with ids (GET .../input_items)
      "system": [...],              # system/developer item parts of the conversation so far
      "contents": [...],            # the exact Gemini contents sent, plus the model's answer turn
      "owner": "..."                # the name (never the value) of the client key that created it
    }

``contents`` holds the parts Vertex returned, signatures included: stream fragments are joined
into one part per run (a signature ends a run, unless the next fragment repeats it), calls carry the
``id`` their ``call_id`` names, and thought text without a signature is left out (it is never
sent back, as with chat). ``instructions`` are not kept in ``system``: OpenAI does not carry
them over to the next response, and neither are tools. The next turn is
``to_gemini_request(req, ..., history=conversation_of(document))``.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from adapter.translate.shapes import GeminiContent, GeminiPart

from .items import Conversation, item_type

STORE_VERSION = 1
_TEXT_KEYS = frozenset({"text", "thought", "thoughtSignature"})
_RESOURCE_PREFIXES: dict[str, str] = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "custom_tool_call": "ctc",
    "custom_tool_call_output": "ctco",
    "reasoning": "rs",
}


class AnswerParts:
    """An answer's Gemini parts for the store, text fragments joined to the run they continue.

    A stream brings its text a few words per event: the fragments of the open run are kept in
    a list and joined once when :meth:`parts` is read, not copied into a new part per event.
    An empty text part that continues no run (Gemini 3 ends a stream of calls with one) is left
    out: Vertex refuses empty text in a request.
    """

    __slots__ = ("_parts", "_run", "_plain")

    def __init__(self) -> None:
        self._parts: list[GeminiPart] = []
        self._run: list[str] = []
        """The text fragments of the last part, joined into it by :meth:`parts`."""
        self._plain = False
        """The last part is text alone (no thought, no signature): a text-alone part continues it."""

    def append(self, part: GeminiPart) -> None:
        if self._plain and len(part) == 1 and "text" in part:  # most stream events: checked first
            self._run.append(part["text"])
            return
        last = self._parts[-1] if self._parts else None
        if last is not None and _continues(last, part):
            self._run.append(part["text"])
            if part.get("thoughtSignature"):
                last["thoughtSignature"] = part["thoughtSignature"]
                self._plain = False
        elif not ("text" in part and not part["text"] and part.keys() <= _TEXT_KEYS):
            self._join_run()
            self._parts.append(dict(part))
            self._run = [part["text"]] if "text" in part else []
            self._plain = len(part) == 1 and "text" in part

    def parts(self) -> list[GeminiPart]:
        """The parts so far (a new list; the last part's text joined)."""
        self._join_run()
        return list(self._parts)

    def _join_run(self) -> None:
        if len(self._run) > 1:
            text = "".join(self._run)
            self._parts[-1]["text"] = text
            self._run = [text]


def _continues(last: GeminiPart, part: GeminiPart) -> bool:
    return (
        "text" in last and "text" in part and last.keys() <= _TEXT_KEYS and part.keys() <= _TEXT_KEYS
        and bool(last.get("thought")) == bool(part.get("thought"))
        and last.get("thoughtSignature") in (None, part.get("thoughtSignature"))
    )


def answer_content(parts: Sequence[GeminiPart]) -> GeminiContent | None:
    """The model turn to store for an answer's parts, or None when nothing is worth sending back."""
    kept = [part for part in parts if not (part.get("thought") and not part.get("thoughtSignature"))]
    return {"role": "model", "parts": kept} if kept else None


def stored_document(
    *,
    response: Mapping[str, Any],
    input_items: Sequence[Mapping[str, Any]],
    system: Sequence[GeminiPart],
    sent_contents: Sequence[GeminiContent],
    answer_parts: Sequence[GeminiPart],
    owner: str,
) -> dict[str, Any]:
    """The document the store keeps for one response (see the module docstring)."""
    contents = list(sent_contents)
    answer = answer_content(answer_parts)
    if answer is not None:
        if contents and contents[-1]["role"] == "model":
            contents[-1] = {"role": "model", "parts": [*contents[-1]["parts"], *answer["parts"]]}
        else:
            contents.append(answer)
    return {
        "version": STORE_VERSION,
        "response": dict(response),
        "input_items": list(input_items),
        "system": list(system),
        "contents": contents,
        "owner": owner,
    }


def conversation_of(document: Mapping[str, Any]) -> Conversation:
    """The conversation a stored response hands on to the next turn."""
    return Conversation(system=tuple(document["system"]), contents=tuple(document["contents"]))


def input_item_resources(
    items: Sequence[Mapping[str, Any]], response_id: str, references: Mapping[str, Mapping[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """This turn's input items as the list ``GET /v1/responses/{id}/input_items`` shows.

    Items get an id where they have none (``msg_<x>_in<i>``, derived from the response id) and a
    status; messages get content parts; ``item_reference`` items become the items they name.
    """
    suffix = response_id.partition("_")[2] or response_id
    resources: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        if item_type(item) == "item_reference":
            found = (references or {}).get(str(item.get("id")))
            if found is not None:
                resources.append(dict(found))
            continue
        resources.append(_resource(item, f"{suffix}_in{i}"))
    return resources


def _resource(item: Mapping[str, Any], tail: str) -> dict[str, Any]:
    kind = item_type(item)
    resource = {**item, "type": kind, "id": item.get("id") or f"{_RESOURCE_PREFIXES.get(kind, 'item')}_{tail}"}
    if kind != "reasoning":
        resource.setdefault("status", "completed")
    if kind == "message":
        resource["content"] = _message_parts(item)
    return resource


def _message_parts(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    content = item.get("content")
    assistant = item.get("role") == "assistant"
    if isinstance(content, str):
        return [_output_text(content) if assistant else {"type": "input_text", "text": content}]
    parts = [dict(part) for part in content or ()]
    return [_output_text(part["text"], part) if assistant and part.get("type") == "output_text" else part for part in parts]


def _output_text(text: str, part: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"annotations": [], "logprobs": [], **(part or {}), "type": "output_text", "text": text}


def item_page(items: Sequence[Mapping[str, Any]], *, order: str, after: str | None, limit: int) -> dict[str, Any]:
    """A ``ResponseItemList`` page of ``items``: newest first for ``desc``, from the item after
    ``after`` (an unknown id gives an empty page), at most ``limit`` items."""
    ordered = list(items) if order == "asc" else list(reversed(items))
    if after is not None:
        ids = [item.get("id") for item in ordered]
        ordered = ordered[ids.index(after) + 1:] if after in ids else []
    data = [dict(item) for item in ordered[:limit]]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else "",
        "last_id": data[-1]["id"] if data else "",
        "has_more": len(ordered) > limit,
    }
