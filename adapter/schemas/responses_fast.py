"""Fast paths for the items a Responses ``input`` repeats many times.

An agent (Codex, the Agents SDK) sends its whole history with every request: hundreds of
messages, calls, call outputs and reasoning items. As for chat (see :mod:`adapter.schemas.fast`),
a fast loader checks the common valid shapes with plain Python and returns exactly what the
schema would load, or None to let the schema load the item (and write the error messages).
"""

from __future__ import annotations

from typing import Any

from adapter.schemas.fast import (
    FAIL,
    FastLoader,
    FastObject,
    function_name,
    list_of,
    literal,
    optional_string,
    string,
)
from adapter.vocabulary import RESPONSES_PART_TYPES

_ROLES = frozenset(RESPONSES_PART_TYPES)


def _role(value: Any) -> Any:
    return value if type(value) is str and value in _ROLES else FAIL


def _object(value: Any) -> Any:
    return value if type(value) is dict else FAIL


_OBJECTS = list_of(_object)
INPUT_TEXT = FastObject({"type": literal("input_text"), "text": string}, ("type", "text"))
OUTPUT_TEXT = FastObject(
    {"type": literal("output_text"), "text": string, "annotations": _OBJECTS, "logprobs": _OBJECTS}, ("type", "text")
)
_TEXT_PARTS: dict[str, FastLoader] = {"input_text": INPUT_TEXT, "output_text": OUTPUT_TEXT}


def _text_part(value: Any) -> Any:
    kind = value.get("type") if type(value) is dict else None
    loader = _TEXT_PARTS.get(kind) if type(kind) is str else None
    loaded = loader(value) if loader is not None else None
    return FAIL if loaded is None else loaded


_PARTS = list_of(_text_part)


def _content(value: Any) -> Any:
    return value if type(value) is str else _PARTS(value)


def _output(value: Any) -> Any:
    return value if type(value) is str else FAIL


def _reasoning_content(value: Any) -> Any:
    return None if value is None else _OBJECTS(value)


def misplaced_part(message: dict[str, Any]) -> int | None:
    """The index of the first content part that the message's role does not take, or None."""
    content = message["content"]
    if type(content) is str:
        return None
    allowed = RESPONSES_PART_TYPES[message["role"]]
    return next((j for j, part in enumerate(content) if part["type"] not in allowed), None)


ITEMS: dict[str, FastLoader] = {
    "message": FastObject(
        {"type": literal("message"), "role": _role, "content": _content, "id": string, "status": string},
        ("type", "role", "content"),
        rule=lambda message: misplaced_part(message) is None,
    ),
    "function_call": FastObject(
        {"type": literal("function_call"), "call_id": string, "name": function_name, "arguments": string,
         "id": string, "status": string},
        ("type", "call_id", "name", "arguments"),
    ),
    "function_call_output": FastObject(
        {"type": literal("function_call_output"), "call_id": string, "output": _output, "id": optional_string,
         "status": optional_string},
        ("type", "call_id", "output"),
    ),
    "custom_tool_call": FastObject(
        {"type": literal("custom_tool_call"), "call_id": string, "name": function_name, "input": string, "id": string},
        ("type", "call_id", "name", "input"),
    ),
    "custom_tool_call_output": FastObject(
        {"type": literal("custom_tool_call_output"), "call_id": string, "output": _output, "id": string},
        ("type", "call_id", "output"),
    ),
    "reasoning": FastObject(
        {"type": literal("reasoning"), "id": string, "summary": _OBJECTS, "content": _reasoning_content,
         "encrypted_content": optional_string, "status": string},
        ("type",),
    ),
    "item_reference": FastObject({"type": literal("item_reference"), "id": string}, ("type", "id")),
}
"""Fast loaders by item ``type`` (a bare ``{"role", "content"}`` message is given its type first)."""
