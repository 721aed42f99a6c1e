"""Responses ``input`` items → Gemini ``contents`` and system parts (pure).

- ``message`` items: ``system``/``developer`` join the system instruction (after
  ``instructions``); ``user`` → a ``user`` turn; ``assistant`` → a ``model`` turn.
- ``function_call`` / ``custom_tool_call`` → ``functionCall`` parts of the model turn (a custom
  call's raw ``input`` is its one string argument ``input``); the call's thought signature
  comes back from its ``call_id`` (see :mod:`.signatures`); on Gemini 3, a step whose parts
  carry no signature at all (another model's history) gets Google's placeholder on its first call.
- ``function_call_output`` / ``custom_tool_call_output`` → ``functionResponse`` parts; a run of
  outputs is one ``user`` turn in the order of the calls they answer, media after them.
- ``reasoning`` items give back the signed thought part of their ``encrypted_content`` (if we
  produced it); their summaries are not sent again (as chat drops ``reasoning_content``).
- ``item_reference`` items are replaced by the stored items the edge resolved.

Consecutive items of one role form one turn. ``history`` (the stored conversation behind
``previous_response_id``) comes first: its calls can be answered by the new input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import ModelCapabilities
from adapter.translate.messages import tool_response
from adapter.translate.parts import MediaMap, content_parts
from adapter.translate.shapes import GeminiContent, GeminiPart

from .content import ASSISTANT_PARTS, SYSTEM_PARTS, USER_PARTS
from .signatures import BYPASS_SIGNATURE, split_tool_call_id, thought_part_of
from adapter.translate.turns import append_turn

UNANSWERED_CALLS = (
    "the input ends with function calls that have no output; send a function_call_output "
    "(with the call's call_id) for each call before asking for the next answer"
)
UNKNOWN_CALL = "no function_call of the input (or of the previous response) has this call_id"
CUSTOM_INPUT = "input"
"""The one string argument of a custom tool's function declaration."""


@dataclass(frozen=True, slots=True)
class Conversation:
    """What a stored turn hands on: system parts from input items, and the Gemini contents."""

    system: tuple[GeminiPart, ...] = ()
    contents: tuple[GeminiContent, ...] = ()


@dataclass(frozen=True, slots=True)
class _Call:
    name: str
    call_id: str  # the Gemini call id (signature suffix removed)


@dataclass(slots=True)
class _Walk:
    caps: ModelCapabilities
    media: MediaMap
    references: Mapping[str, Mapping[str, Any]]
    system: list[GeminiPart] = field(default_factory=list)
    contents: list[GeminiContent] = field(default_factory=list)
    calls: dict[str, _Call] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    results: list[tuple[int, GeminiPart]] = field(default_factory=list)
    extras: list[GeminiPart] = field(default_factory=list)
    last_calls: str = "input"

    def append(self, role: str, parts: list[GeminiPart]) -> None:
        append_turn(self.contents, role, parts)

    def model(self, parts: list[GeminiPart]) -> None:
        if not self.in_model_turn():
            self.order = {}
        self.append("model", parts)

    def in_model_turn(self) -> bool:
        return bool(self.contents) and self.contents[-1]["role"] == "model"

    def turn_has_call(self) -> bool:
        return self.in_model_turn() and any("functionCall" in part for part in self.contents[-1]["parts"])

    def turn_is_signed(self) -> bool:
        return self.in_model_turn() and any("thoughtSignature" in part for part in self.contents[-1]["parts"])

    def flush_results(self) -> None:
        if self.results:
            ordered = [part for _, part in sorted(self.results, key=lambda item: item[0])]
            self.append("user", ordered + self.extras)
            self.results, self.extras = [], []


def to_contents(
    items: Sequence[Mapping[str, Any]],
    caps: ModelCapabilities,
    media: MediaMap,
    *,
    history: Conversation = Conversation(),
    references: Mapping[str, Mapping[str, Any]] | None = None,
) -> Conversation:
    """The conversation so far plus ``items``. Raises InvalidRequest naming ``input[i]...``."""
    if not items:
        raise InvalidRequest("input is required: send a string or at least one item", param="input")
    walk = _Walk(caps=caps, media=media, references=references or {})
    walk.system.extend(history.system)
    walk.contents.extend(history.contents)
    _remember_calls(walk, history.contents)
    for i, item in enumerate(items):
        _dispatch(walk, item, f"input[{i}]")
    walk.flush_results()
    if not walk.contents:
        raise InvalidRequest("input holds no user or assistant content to send", param="input")
    if walk.turn_has_call():
        raise InvalidRequest(UNANSWERED_CALLS, param=walk.last_calls)
    return Conversation(system=tuple(walk.system), contents=tuple(walk.contents))


def _remember_calls(walk: _Walk, contents: Sequence[GeminiContent]) -> None:
    for content in contents:
        for part in content["parts"] if content["role"] == "model" else ():
            call = part.get("functionCall")
            if call and call.get("id"):
                walk.calls[call["id"]] = _Call(name=call.get("name", ""), call_id=call["id"])


def item_type(item: Mapping[str, Any]) -> Any:
    """An item's ``type``; a bare ``{"role", "content"}`` is a message."""
    kind = item.get("type")
    return "message" if kind is None and "role" in item else kind


def _dispatch(walk: _Walk, item: Any, path: str) -> None:
    kind = item_type(item) if isinstance(item, dict) else None
    handler = _ITEMS.get(kind) if isinstance(kind, str) else None
    if handler is None:
        raise InvalidRequest(f"input item type {kind!r} is not supported", param=f"{path}.type")
    if handler not in (_call_output, _item_reference):
        walk.flush_results()
    handler(walk, item, path)


def _message(walk: _Walk, item: Mapping[str, Any], path: str) -> None:
    role = item.get("role")
    content = item.get("content")
    if role in ("system", "developer"):
        walk.system.extend(content_parts(content, path, walk.media, SYSTEM_PARTS))
    elif role == "user":
        walk.append("user", content_parts(content, path, walk.media, USER_PARTS))
    elif role == "assistant":
        walk.model(content_parts(content, path, walk.media, ASSISTANT_PARTS))
    else:
        raise InvalidRequest(f"unknown message role {role!r}", param=f"{path}.role")


def _function_call(walk: _Walk, item: Mapping[str, Any], path: str) -> None:
    _add_call(walk, item, _arguments(item.get("arguments"), f"{path}.arguments"), path)


def _custom_call(walk: _Walk, item: Mapping[str, Any], path: str) -> None:
    raw = item.get("input")
    _add_call(walk, item, {CUSTOM_INPUT: raw if isinstance(raw, str) else ""}, path)


def _add_call(walk: _Walk, item: Mapping[str, Any], args: dict[str, Any], path: str) -> None:
    client_id = str(item.get("call_id") or "")
    call_id, signature = split_tool_call_id(client_id)
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidRequest("a call needs a name", param=f"{path}.name")
    part: GeminiPart = {"functionCall": {"name": name, "args": args, "id": call_id}}
    if signature is None and walk.caps.thought_signatures_required and not walk.turn_is_signed():
        signature = BYPASS_SIGNATURE
    if signature:
        part["thoughtSignature"] = signature
    walk.model([part])
    walk.calls[client_id] = walk.calls[call_id] = _Call(name=name, call_id=call_id)
    walk.order.setdefault(call_id, len(walk.order))
    walk.last_calls = path


def _arguments(raw: Any, param: str) -> dict[str, Any]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    try:
        value = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise InvalidRequest("function call arguments must be a JSON object", param=param)
    return value


def _call_output(walk: _Walk, item: Mapping[str, Any], path: str) -> None:
    client_id = str(item.get("call_id") or "")
    call = walk.calls.get(client_id) or walk.calls.get(split_tool_call_id(client_id)[0])
    if call is None:
        raise InvalidRequest(UNKNOWN_CALL, param=f"{path}.call_id")
    response, extras = _output_content(walk, item.get("output"), path)
    part = {"functionResponse": {"name": call.name, "response": response, "id": call.call_id}}
    position = walk.order.get(call.call_id, len(walk.order) + len(walk.results))
    walk.results.append((position, part))
    walk.extras.extend(extras)


def _output_content(walk: _Walk, output: Any, path: str) -> tuple[dict[str, Any], list[GeminiPart]]:
    """A call's output as the ``response`` object, plus its media as extra parts."""
    if not isinstance(output, list):
        return tool_response(output if isinstance(output, str) else ""), []
    texts: list[str] = []
    extras: list[GeminiPart] = []
    for j, part in enumerate(output):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "input_text":
            texts.append(str(part.get("text") or ""))
            continue
        translate = USER_PARTS.get(kind) if isinstance(kind, str) else None
        if translate is None:
            raise InvalidRequest(f"output part type {kind!r} is not accepted", param=f"{path}.output[{j}].type")
        extras.extend(translate(part, f"{path}.output[{j}]", walk.media))
    return tool_response("\n".join(texts)), extras


def _reasoning(walk: _Walk, item: Mapping[str, Any], path: str) -> None:
    part = thought_part_of(item.get("encrypted_content"))
    if part is not None:
        walk.model([part])


def _item_reference(walk: _Walk, item: Mapping[str, Any], path: str) -> None:
    found = walk.references.get(str(item.get("id")))
    if found is None or item_type(found) == "item_reference":
        raise InvalidRequest("no stored item has this id", param=f"{path}.id")
    _dispatch(walk, found, path)


_ITEMS: dict[str, Callable[[_Walk, Mapping[str, Any], str], None]] = {
    "message": _message,
    "function_call": _function_call,
    "custom_tool_call": _custom_call,
    "function_call_output": _call_output,
    "custom_tool_call_output": _call_output,
    "reasoning": _reasoning,
    "item_reference": _item_reference,
}
