"""OpenAI ``messages`` → Gemini ``systemInstruction`` and ``contents`` (pure).

- ``system`` and ``developer`` messages, wherever they appear, become the text parts of
  ``systemInstruction`` in order.
- ``user`` → a ``user`` turn; ``assistant`` → a ``model`` turn (text, Markdown data-URL images
  as ``inlineData``, then one ``functionCall`` part per tool call, thought signatures restored);
  ``reasoning_content`` and refusals are not sent back.
- ``tool`` results → ``functionResponse`` parts (the request schema has already turned legacy
  ``function`` messages into ``tool`` ones); a run of results becomes one ``user`` turn in the
  order of the calls they answer, with any images they carry after the responses.
- Consecutive turns of the same role are merged (their parts are kept as they are, so signed
  parts are never combined); a message that leaves no part is dropped.
- A conversation that ends with an assistant turn (prefill) keeps it as a trailing ``model``
  turn when the model accepts that, else the text moves into the last user turn; one that
  starts with tool calls gets a short user turn first (Vertex requires one before a call).
  One that ends with tool calls still waiting for their results is refused (as OpenAI does):
  no model can answer it, and Vertex would refuse it with a message about turns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import ModelCapabilities
from adapter.translate.parts import (
    ASSISTANT_PARTS,
    SYSTEM_PARTS,
    USER_PARTS,
    MediaMap,
    content_part,
    content_parts,
)
from adapter.translate.shapes import GeminiContent, GeminiPart
from adapter.translate.signatures import BYPASS_SIGNATURE, signature_of_tool_call, split_tool_call_id
from adapter.translate.turns import append_turn

PREFILL_NOTE = (
    "trailing assistant message (prefill) moved into the last user turn: "
    "the model does not accept a final model turn"
)
OPENING_TEXT = "(The conversation so far follows.)"
OPENING_NOTE = "a user turn was added before the first tool call: Gemini needs one there"
UNANSWERED_CALLS = (
    "the conversation ends with tool calls that have no results; send a tool message "
    "(role 'tool' with the call's tool_call_id) for each call before asking for the next answer"
)
PREFILL_INSTRUCTION = (
    "Continue your previous answer from exactly where the following text ends, "
    "without repeating any of it:\n\n"
)


@dataclass(frozen=True, slots=True)
class _Call:
    name: str
    call_id: str  # the Gemini call id (signature suffix removed); "" when there was none


@dataclass(slots=True)
class _History:
    """What one translation accumulates while walking the messages (local to one call)."""

    caps: ModelCapabilities
    media: MediaMap
    system: list[GeminiPart] = field(default_factory=list)
    contents: list[GeminiContent] = field(default_factory=list)
    calls: dict[str, _Call] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    results: list[tuple[int, GeminiPart]] = field(default_factory=list)
    result_extras: list[GeminiPart] = field(default_factory=list)
    last_calls: str = ""  # the path of the tool calls of the last assistant message that had any

    def continues_model_turn(self) -> bool:
        return bool(self.contents) and self.contents[-1]["role"] == "model"

    def append(self, role: str, parts: list[GeminiPart]) -> None:
        append_turn(self.contents, role, parts)

    def flush_results(self) -> None:
        if not self.results:
            return
        ordered = [part for _, part in sorted(self.results, key=lambda item: item[0])]
        self.append("user", ordered + self.result_extras)
        self.results = []
        self.result_extras = []


def to_contents(
    messages: Sequence[Mapping[str, Any]], caps: ModelCapabilities, media: MediaMap
) -> tuple[GeminiContent | None, list[GeminiContent]]:
    """(systemInstruction or None, contents). Raises InvalidRequest naming the message field."""
    history = _History(caps=caps, media=media)
    for i, message in enumerate(messages):
        role = message.get("role")
        handler = _ROLES.get(role) if isinstance(role, str) else None
        if handler is None:
            raise InvalidRequest(f"unknown message role {role!r}", param=f"messages[{i}].role")
        if role != "tool":
            history.flush_results()
        handler(history, message, i)
    history.flush_results()
    if not history.contents:
        raise InvalidRequest("messages hold no user or assistant content to send", param="messages")
    last = history.contents[-1]
    if last["role"] == "model" and any("functionCall" in part for part in last["parts"]):
        raise InvalidRequest(UNANSWERED_CALLS, param=history.last_calls)
    system = {"parts": history.system} if history.system else None
    return system, history.contents


def _system(history: _History, message: Mapping[str, Any], i: int) -> None:
    history.system.extend(content_parts(message.get("content"), f"messages[{i}]", history.media, SYSTEM_PARTS))


def _user(history: _History, message: Mapping[str, Any], i: int) -> None:
    history.append("user", content_parts(message.get("content"), f"messages[{i}]", history.media, USER_PARTS))


def _assistant(history: _History, message: Mapping[str, Any], i: int) -> None:
    path = f"messages[{i}]"
    parts = content_parts(message.get("content"), path, history.media, ASSISTANT_PARTS)
    tool_calls = message.get("tool_calls")
    calls = tool_calls if isinstance(tool_calls, list) else []
    if not history.continues_model_turn():
        history.order = {}
    for j, call in enumerate(calls):
        parts.append(_call_part(history, call, f"{path}.tool_calls[{j}]", first=j == 0))
    if calls:
        history.last_calls = f"{path}.tool_calls"
    history.append("model", parts)


def _call_part(history: _History, call: Any, path: str, *, first: bool) -> GeminiPart:
    if not isinstance(call, Mapping):
        raise InvalidRequest("a tool call must be an object", param=path)
    function = _mapping(call.get("function"))
    name = function.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidRequest("a tool call needs a function name", param=f"{path}.function.name")
    client_id = _text_field(call, "id")
    call_id = split_tool_call_id(client_id)[0]
    function_call: dict[str, Any] = {"name": name, "args": _arguments(function.get("arguments"), path)}
    if call_id:
        function_call["id"] = call_id
        history.calls[client_id] = history.calls[call_id] = _Call(name=name, call_id=call_id)
        history.order.setdefault(call_id, len(history.order))
    part: GeminiPart = {"functionCall": function_call}
    signature = signature_of_tool_call(call)
    if signature is None and first and history.caps.thought_signatures_required:
        signature = BYPASS_SIGNATURE
    if signature:
        part["thoughtSignature"] = signature
    return part


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text_field(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    return value if isinstance(value, str) else ""


def _arguments(raw: Any, path: str) -> dict[str, Any]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        value = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise InvalidRequest("tool call arguments must be a JSON object", param=f"{path}.function.arguments")
    return value


def _tool(history: _History, message: Mapping[str, Any], i: int) -> None:
    tool_call_id = _text_field(message, "tool_call_id")
    call_id = split_tool_call_id(tool_call_id)[0]
    call = history.calls.get(tool_call_id) or history.calls.get(call_id)
    if call is None:
        # Vertex refuses a function response that answers no function call of the history.
        raise InvalidRequest("no earlier assistant tool call has this id", param=f"messages[{i}].tool_call_id")
    response, extras = _result_content(history, message.get("content"), f"messages[{i}]")
    function_response: dict[str, Any] = {"name": call.name, "response": response, "id": call.call_id}
    position = history.order.get(call.call_id, len(history.order) + len(history.results))
    history.results.append((position, {"functionResponse": function_response}))
    history.result_extras.extend(extras)


def _result_content(history: _History, content: Any, path: str) -> tuple[dict[str, Any], list[GeminiPart]]:
    """A tool result as the ``response`` object, plus its media as extra parts."""
    if isinstance(content, str) or content is None:
        return tool_response(content or ""), []
    texts: list[str] = []
    extras: list[GeminiPart] = []
    for j, part in enumerate(content if isinstance(content, list) else []):
        if isinstance(part, Mapping) and part.get("type") == "text":
            texts.append(str(part.get("text") or ""))
        elif isinstance(part, str):
            texts.append(part)
        else:
            extras.extend(content_part(part, path, j, history.media, USER_PARTS))
    return tool_response("\n".join(texts)), extras


def tool_response(text: str) -> dict[str, Any]:
    """A tool's text output as a ``functionResponse.response`` object.

    A JSON object is sent as is; other JSON values and plain text are wrapped as ``output``.
    """
    if text.lstrip().startswith(("{", "[")):
        try:
            value = json.loads(text)
        except ValueError:
            return {"output": text}
        return value if isinstance(value, dict) else {"output": value}
    return {"output": text}


def open_with_user_turn(contents: list[GeminiContent]) -> tuple[list[GeminiContent], tuple[str, ...]]:
    """Vertex refuses a function-call turn that no user turn precedes; give it one."""
    first = contents[0]
    if first["role"] != "model" or not any("functionCall" in part for part in first["parts"]):
        return contents, ()
    return [{"role": "user", "parts": [{"text": OPENING_TEXT}]}, *contents], (OPENING_NOTE,)


def move_prefill(contents: list[GeminiContent], caps: ModelCapabilities) -> tuple[list[GeminiContent], tuple[str, ...]]:
    """Handle a trailing ``model`` turn the model would refuse; returns (contents, rewrites)."""
    last = contents[-1]
    if last["role"] != "model" or caps.trailing_model_turn:
        return contents, ()
    text = "".join(p["text"] for p in last["parts"] if "text" in p)
    moved: list[GeminiPart] = [{"text": PREFILL_INSTRUCTION + text}] if text.strip() else []
    moved.extend(p for p in last["parts"] if "text" not in p)
    rest = contents[:-1]
    if rest and rest[-1]["role"] == "user":
        rest[-1] = {"role": "user", "parts": rest[-1]["parts"] + moved}
    else:
        rest.append({"role": "user", "parts": moved})
    return rest, (PREFILL_NOTE,)


_ROLES: dict[str, Callable[[_History, Mapping[str, Any], int], None]] = {
    "system": _system,
    "developer": _system,
    "user": _user,
    "assistant": _assistant,
    "tool": _tool,
}
