"""Fast paths for the objects a request repeats many times: messages and tools.

A long agent conversation sends hundreds of messages and dozens of tools with every request,
and marshmallow spends about a microsecond per field. A fast loader checks the common, valid
shapes with plain Python and returns exactly what the schema would load (unknown keys left
out, nothing converted), or None when it is not sure: the value then goes through the full
schema, which also writes the error messages. So a fast path can make loading quicker but can
never accept a value the schema refuses; ``tests/unit/test_schemas_fast.py`` checks that.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from adapter.schemas.fields import FUNCTION_NAME_PATTERN

FAIL: Any = object()
"""What a check returns for a value it does not accept."""

Check = Callable[[Any], Any]
FastLoader = Callable[[Any], "dict[str, Any] | None"]
"""A fast loader: the loaded object, or None to defer to the schema."""

_FUNCTION_NAME = re.compile(FUNCTION_NAME_PATTERN)


class FastObject:
    """Loads objects whose keys all pass ``checks``; unknown keys are left out.

    ``checks`` must name every field of the matching schema (a field with no fast check uses
    :func:`none_only`), so that a known key is never silently dropped.
    """

    __slots__ = ("checks", "required", "rule")

    def __init__(
        self,
        checks: Mapping[str, Check],
        required: tuple[str, ...] = (),
        rule: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self.checks = dict(checks)
        self.required = required
        self.rule = rule

    def __call__(self, value: Any) -> dict[str, Any] | None:
        if type(value) is not dict:
            return None
        loaded = {}
        checks = self.checks
        for key, item in value.items():
            check = checks.get(key)
            if check is None:
                continue
            result = check(item)
            if result is FAIL:
                return None
            loaded[key] = result
        for key in self.required:
            if key not in loaded:
                return None
        if self.rule is not None and not self.rule(loaded):
            return None
        return loaded


def as_check(loader: FastLoader) -> Check:
    def check(value: Any) -> Any:
        loaded = loader(value)
        return FAIL if loaded is None else loaded

    return check


def none_only(value: Any) -> Any:
    """For a field whose only common value is ``null`` (other values take the schema)."""
    return None if value is None else FAIL


def string(value: Any) -> Any:
    return value if type(value) is str else FAIL


def optional_string(value: Any) -> Any:
    return value if value is None or type(value) is str else FAIL


def optional_bool(value: Any) -> Any:
    return value if value is None or value is True or value is False else FAIL


def optional_object(value: Any) -> Any:
    return value if value is None or type(value) is dict else FAIL


def literal(expected: str) -> Check:
    def check(value: Any) -> Any:
        return value if value == expected and type(value) is str else FAIL

    return check


def function_name(value: Any) -> Any:
    return value if type(value) is str and _FUNCTION_NAME.fullmatch(value) else FAIL


def list_of(item_check: Check, *, nullable: bool = False) -> Check:
    def check(value: Any) -> Any:
        if value is None and nullable:
            return None
        if type(value) is not list:
            return FAIL
        loaded = [item_check(item) for item in value]
        return FAIL if any(item is FAIL for item in loaded) else loaded

    return check


def _text_or_parts(part: FastLoader) -> Check:
    parts = list_of(as_check(part))

    def check(value: Any) -> Any:
        return value if type(value) is str else parts(value)

    return check


def _extra_content(value: Any) -> Any:
    if type(value) is not dict:
        return FAIL
    google = value.get("google")
    if google is None:
        return FAIL if "google" in value else value
    if type(google) is not dict or type(google.get("thought_signature", "")) is not str:
        return FAIL
    return value


def _has_content_or_calls(message: dict[str, Any]) -> bool:
    return message.get("content") is not None or bool(message.get("tool_calls"))


TEXT_PART = FastObject({"type": literal("text"), "text": string}, ("type", "text"))
REFUSAL_PART = FastObject({"type": literal("refusal"), "refusal": string}, ("type", "refusal"))
_REFUSAL_OR_TEXT = {"text": TEXT_PART, "refusal": REFUSAL_PART}


def _assistant_part(value: Any) -> dict[str, Any] | None:
    kind = value.get("type") if type(value) is dict else None
    loader = _REFUSAL_OR_TEXT.get(kind) if type(kind) is str else None
    return loader(value) if loader is not None else None


TOOL_CALL_FUNCTION = FastObject({"name": string, "arguments": string}, ("name", "arguments"))
TOOL_CALL = FastObject(
    {
        "id": string,
        "type": literal("function"),
        "function": as_check(TOOL_CALL_FUNCTION),
        "extra_content": _extra_content,
    },
    ("id", "type", "function"),
)

_TEXT_CONTENT = _text_or_parts(TEXT_PART)
_ASSISTANT_PARTS = _text_or_parts(_assistant_part)


def _assistant_content(value: Any) -> Any:
    return None if value is None else _ASSISTANT_PARTS(value)


_TEXT_MESSAGE = FastObject({"role": string, "content": _TEXT_CONTENT, "name": string}, ("role", "content"))
"""A system, developer or user message of text (other user parts take the schema)."""

MESSAGES: dict[str, FastLoader] = {
    "system": _TEXT_MESSAGE,
    "developer": _TEXT_MESSAGE,
    "user": _TEXT_MESSAGE,
    "tool": FastObject(
        {"role": string, "content": _TEXT_CONTENT, "tool_call_id": string, "name": string},
        ("role", "content", "tool_call_id"),
    ),
    "assistant": FastObject(
        {
            "role": string,
            "content": _assistant_content,
            "reasoning_content": optional_string,
            "refusal": optional_string,
            "name": string,
            "tool_calls": list_of(as_check(TOOL_CALL), nullable=True),
            "function_call": none_only,
            "audio": none_only,
        },
        ("role",),
        _has_content_or_calls,
    ),
}
"""Fast loaders by role (the legacy ``function`` role always takes the full schema)."""

FUNCTION_DEFINITION = FastObject(
    {
        "name": function_name,
        "description": optional_string,
        "parameters": optional_object,
        "strict": optional_bool,
    },
    ("name",),
)
FUNCTION_TOOL = FastObject(
    {"type": literal("function"), "function": as_check(FUNCTION_DEFINITION)},
    ("type", "function"),
)
TOOLS: dict[str, FastLoader] = {"function": FUNCTION_TOOL}
