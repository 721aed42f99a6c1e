"""The deprecated function-calling fields, rewritten into their modern form.

After loading, translation sees only ``tools``/``tool_choice``, assistant ``tool_calls`` and
``tool`` messages:

- ``functions: [f]`` becomes ``tools: [{"type": "function", "function": f}]``;
- ``function_call: "none" | "auto" | {"name": n}`` becomes the same ``tool_choice``
  (``{"type": "function", "function": {"name": n}}`` for a name);
- an assistant ``function_call`` becomes one tool call whose id is ``legacy_call_<index of the
  message>`` (deterministic, so a retried request translates the same);
- a ``function`` message becomes a ``tool`` message answering the latest earlier call of the
  same name (or, failing that, the latest call), with ``name`` kept; one that answers no call
  is refused (Vertex would refuse it without naming the field).

Pure functions: new dicts are returned, inputs are never changed.
"""

from __future__ import annotations

from typing import Any

from adapter.errors import InvalidRequest

LEGACY_CALL_PREFIX = "legacy_call_"


class ChatRequest(dict[str, Any]):
    """A loaded chat request in its modern form. ``legacy_functions`` is True when the client
    declared ``functions``: it expects the answer in the legacy shape
    (:mod:`adapter.translate.legacy_functions`)."""

    legacy_functions: bool = False


def modernize(request: dict[str, Any]) -> ChatRequest:
    """``request`` with the legacy fields rewritten."""
    changes: dict[str, Any] = {}
    if "functions" in request:
        changes["tools"] = [{"type": "function", "function": f} for f in request["functions"]]
    if "function_call" in request:
        changes["tool_choice"] = _tool_choice(request["function_call"])
    if any(_is_legacy_message(message) for message in request["messages"]):
        changes["messages"] = _messages(request["messages"])
    modern = ChatRequest({k: v for k, v in request.items() if k not in ("functions", "function_call")} if changes else request)
    modern.update(changes)
    modern.legacy_functions = "functions" in request
    return modern


def _tool_choice(function_call: str | dict[str, Any]) -> str | dict[str, Any]:
    if isinstance(function_call, str):
        return function_call
    return {"type": "function", "function": {"name": function_call["name"]}}


def _is_legacy_message(message: dict[str, Any]) -> bool:
    return message["role"] == "function" or message.get("function_call") is not None


def _messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    calls: list[tuple[str, str]] = []  # (function name, call id) in order
    result = []
    for index, message in enumerate(messages):
        if message["role"] == "function":
            result.append(_tool_message(message, calls, index))
        elif message.get("function_call") is not None:
            converted = _assistant_message(message, f"{LEGACY_CALL_PREFIX}{index}")
            calls.append((message["function_call"]["name"], converted["tool_calls"][-1]["id"]))
            result.append(converted)
        else:
            result.append(message)
    return result


def _assistant_message(message: dict[str, Any], call_id: str) -> dict[str, Any]:
    call = {"id": call_id, "type": "function", "function": dict(message["function_call"])}
    kept = {k: v for k, v in message.items() if k != "function_call"}
    return {**kept, "tool_calls": [*(message.get("tool_calls") or ()), call]}


def _tool_message(message: dict[str, Any], calls: list[tuple[str, str]], index: int) -> dict[str, Any]:
    name = message["name"]
    same_name = [call_id for called, call_id in calls if called == name]
    candidates = same_name or [call_id for _, call_id in calls]
    if not candidates:
        raise InvalidRequest(
            f"Invalid value for 'messages[{index}]': a function message must answer an earlier assistant function_call.",
            param=f"messages[{index}].name",
            code="invalid_value",
        )
    call_id = candidates[-1]
    return {"role": "tool", "tool_call_id": call_id, "name": name, "content": message["content"] or ""}
