"""Output item shapes of a ``Response`` (pure builders of plain dicts).

Item ids derive from the response id (``resp_<x>`` → ``msg_<x>_<output index>``), so an item id
names its response (the store resolves ``item_reference`` with it) and translation needs no
random source.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

ITEM_PREFIXES: dict[str, str] = {
    "reasoning": "rs",
    "message": "msg",
    "function_call": "fc",
    "custom_tool_call": "ctc",
}


def item_id(response_id: str, kind: str, output_index: int) -> str:
    suffix = response_id.partition("_")[2] or response_id
    return f"{ITEM_PREFIXES[kind]}_{suffix}_{output_index}"


def response_id_of_item(item_id_: str) -> str | None:
    """The id of the response an output item id belongs to, or None for other ids."""
    prefix, _, rest = item_id_.partition("_")
    if prefix not in ITEM_PREFIXES.values() or "_" not in rest:
        return None
    return "resp_" + rest.rpartition("_")[0]


def reasoning_item(id_: str, text: str | None, encrypted: str | None, *, with_encrypted: bool) -> dict[str, Any]:
    """A reasoning item; ``text`` None while it is being streamed (an empty summary list)."""
    item: dict[str, Any] = {"id": id_, "type": "reasoning", "summary": []}
    if text is not None:
        item["summary"] = [summary_part(text)]
    if with_encrypted:
        item["encrypted_content"] = encrypted
    return item


def summary_part(text: str) -> dict[str, Any]:
    return {"type": "summary_text", "text": text}


def message_item(id_: str, content: Sequence[Mapping[str, Any]], status: str) -> dict[str, Any]:
    return {"id": id_, "type": "message", "role": "assistant", "status": status, "content": list(content)}


def text_part(text: str, annotations: Sequence[Mapping[str, Any]] = (), logprobs: Sequence[Any] = ()) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": list(annotations), "logprobs": list(logprobs)}


def refusal_part(refusal: str) -> dict[str, Any]:
    return {"type": "refusal", "refusal": refusal}


def call_item(id_: str, call_id: str, name: str, value: str, *, custom: bool, done: bool,
              namespace: str | None = None) -> dict[str, Any]:
    """A ``function_call`` (``value`` = JSON arguments) or ``custom_tool_call`` (``value`` = raw
    input); ``namespace`` names the namespace tool the called tool was declared in."""
    if custom:
        item = {"id": id_, "type": "custom_tool_call", "call_id": call_id, "name": name, "input": value}
    else:
        status = "completed" if done else "in_progress"
        item = {"id": id_, "type": "function_call", "status": status, "call_id": call_id, "name": name, "arguments": value}
    return item if namespace is None else {**item, "namespace": namespace}


def url_citations(annotations: Sequence[Mapping[str, Any]], start: int, length: int) -> list[dict[str, Any]]:
    """Chat's ``url_citation`` annotations (offsets in the whole answer) → Responses ones for the
    message text that starts at ``start`` and has ``length`` characters."""
    citations: list[dict[str, Any]] = []
    for annotation in annotations:
        cited = annotation.get("url_citation") or {}
        begin, end = cited.get("start_index", 0) - start, cited.get("end_index", 0) - start
        if 0 <= begin < end <= length:
            citations.append(
                {"type": "url_citation", "url": cited["url"], "title": cited["title"], "start_index": begin, "end_index": end}
            )
    return citations
