"""The fast paths load exactly what the schemas load, and never accept what they refuse."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError

from adapter.schemas import fast
from adapter.schemas.chat import ChatCompletionRequestSchema
from adapter.schemas.messages import (
    AssistantMessageSchema,
    RefusalPartSchema,
    SystemMessageSchema,
    TextPartSchema,
    ToolCallFunctionSchema,
    ToolCallSchema,
    ToolMessageSchema,
    UserMessageSchema,
)
from adapter.schemas.tools import FunctionDefinitionSchema, FunctionToolSchema
from adapter.schemas.unions import Array, Tagged

PAIRS: list[tuple[fast.FastObject, type[Schema]]] = [
    (fast.MESSAGES["system"], SystemMessageSchema),
    (fast.MESSAGES["developer"], SystemMessageSchema),
    (fast.MESSAGES["user"], UserMessageSchema),
    (fast.MESSAGES["assistant"], AssistantMessageSchema),
    (fast.MESSAGES["tool"], ToolMessageSchema),
    (fast.TEXT_PART, TextPartSchema),
    (fast.REFUSAL_PART, RefusalPartSchema),
    (fast.TOOL_CALL, ToolCallSchema),
    (fast.TOOL_CALL_FUNCTION, ToolCallFunctionSchema),
    (fast.FUNCTION_TOOL, FunctionToolSchema),
    (fast.FUNCTION_DEFINITION, FunctionDefinitionSchema),
]


@pytest.mark.parametrize(("loader", "schema"), PAIRS, ids=[schema.__name__ for _, schema in PAIRS])
def test_fast_loader_knows_every_field(loader: fast.FastObject, schema: type[Schema]) -> None:
    assert set(loader.checks) == set(schema().fields)


def _tagged(field_name: str) -> Tagged:
    field = ChatCompletionRequestSchema().fields[field_name]
    assert isinstance(field, Array) and isinstance(field.inner, Tagged)
    return field.inner


MESSAGES = _tagged("messages")
TOOLS = _tagged("tools")

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.floats(allow_nan=False), st.text(max_size=4))
texts = st.text(max_size=4)


def mostly(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` nine times in ten, any JSON scalar otherwise."""
    return st.integers(0, 9).flatmap(lambda roll: scalars if roll == 0 else good)


def objects(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts with the required keys (now and then one missing), optional keys, an odd unknown key."""
    extras = {"cache_control": st.just({"type": "ephemeral"})}
    others = {key: value for key, value in optional.items() if key not in required}
    complete = st.fixed_dictionaries(required, optional=others)
    partial = st.fixed_dictionaries({}, optional={**required, **others, **extras})
    return mostly(complete) | partial


names = st.sampled_from(["get_weather", "a.b:c-d", "_x", "9bad", "has space", "", "f\n"])
parts = objects(
    {"type": mostly(st.sampled_from(["text", "text", "refusal", "image_url"])), "text": mostly(texts)},
    {"refusal": mostly(texts), "image_url": st.just({"url": "gs://b/o"})},
)
content = st.one_of(mostly(texts), st.lists(parts, max_size=3), st.none())
signatures = objects({"google": mostly(objects({"thought_signature": mostly(texts)}, {"other": scalars}))}, {})
functions = objects({"name": mostly(names), "arguments": mostly(st.sampled_from(["{}", '{"a": 1}']))},
                    {"description": scalars})
tool_calls = objects(
    {"id": mostly(texts), "type": mostly(st.sampled_from(["function", "function", "custom"])), "function": functions},
    {"extra_content": signatures},
)
messages = objects(
    {"role": st.sampled_from(["system", "developer", "user", "assistant", "assistant", "tool", "function"]),
     "content": content},
    {
        "name": mostly(texts),
        "tool_call_id": mostly(texts),
        "tool_calls": st.one_of(st.none(), st.lists(tool_calls, max_size=2), scalars),
        "reasoning_content": mostly(texts | st.none()),
        "refusal": mostly(texts | st.none()),
        "function_call": st.one_of(st.none(), functions),
        "audio": st.one_of(st.none(), st.just({"id": "a"})),
    },
)
parameters = st.one_of(st.none(), st.just({"type": "object"}), st.just([]), scalars)
tools = objects(
    {"type": mostly(st.sampled_from(["function", "function", "custom"])),
     "function": objects({"name": mostly(names)},
                         {"description": mostly(texts), "parameters": parameters, "strict": mostly(st.booleans())})},
    {},
)


def _check_agreement(tagged: Tagged, value: Any) -> None:
    fast_result = tagged.fast_load(value)
    try:
        slow_result = tagged.deserialize(value)
    except ValidationError:
        assert fast_result is None, f"fast path accepted what the schema refuses: {value!r}"
        return
    assert fast_result is None or fast_result == slow_result


@settings(max_examples=400, deadline=None)
@given(messages)
def test_fast_messages_agree_with_schema(message: dict[str, Any]) -> None:
    _check_agreement(MESSAGES, message)


@settings(max_examples=200, deadline=None)
@given(tools)
def test_fast_tools_agree_with_schema(tool: dict[str, Any]) -> None:
    _check_agreement(TOOLS, tool)


COMMON: list[tuple[Tagged, dict[str, Any]]] = [
    (MESSAGES, {"role": "user", "content": "hi", "name": "bob"}),
    (MESSAGES, {"role": "system", "content": [{"type": "text", "text": "rules"}]}),
    (MESSAGES, {"role": "assistant", "content": None, "refusal": None, "tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"},
         "extra_content": {"google": {"thought_signature": "AY89"}}}]}),
    (MESSAGES, {"role": "assistant", "content": [{"type": "refusal", "refusal": "no"}]}),
    (MESSAGES, {"role": "tool", "tool_call_id": "c", "content": "{}"}),
    (TOOLS, {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}, "strict": None}}),
]


@pytest.mark.parametrize(("tagged", "value"), COMMON)
def test_common_shapes_take_the_fast_path(tagged: Tagged, value: dict[str, Any]) -> None:
    assert tagged.fast_load(value) == tagged.deserialize(value)
