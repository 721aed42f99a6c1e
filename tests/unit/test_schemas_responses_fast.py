"""The fast paths of Responses input items load exactly what the item schemas load, and never
accept what they refuse (property test in the manner of test_schemas_fast.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from adapter.schemas import responses_fast
from adapter.schemas.responses import ResponseRequestSchema
from adapter.schemas.responses_input import ITEMS
from adapter.schemas.unions import Alternatives, Array, Tagged
from tests.unit.test_schemas_fast import mostly, objects, scalars, texts


def _items_field() -> Tagged:
    field = ResponseRequestSchema().fields["input"]
    assert isinstance(field, Alternatives)
    array = field.by_type[list]
    assert isinstance(array, Array) and isinstance(array.inner, Tagged)
    return array.inner


INPUT_ITEMS = _items_field()


@pytest.mark.parametrize("kind", sorted(responses_fast.ITEMS))
def test_fast_loader_knows_every_field(kind: str) -> None:
    assert set(responses_fast.ITEMS[kind].checks) == set(ITEMS[kind].fields)


names = st.sampled_from(["shell", "apply_patch", "a.b:c-d", "9bad", "has space", ""])
objs = st.lists(st.one_of(st.just({"type": "summary_text", "text": "t"}), scalars), max_size=2)
parts = objects(
    {"type": mostly(st.sampled_from(["input_text", "output_text", "input_image", "refusal"])), "text": mostly(texts)},
    {"annotations": mostly(objs), "logprobs": mostly(objs), "image_url": mostly(st.just("gs://b/o.png"))},
)
content = st.one_of(mostly(texts), st.lists(parts, max_size=3), st.none())
items = objects(
    {"type": mostly(st.sampled_from(sorted(responses_fast.ITEMS)))},
    {
        "role": mostly(st.sampled_from(["user", "assistant", "developer", "system", "tool"])),
        "content": st.one_of(content, mostly(objs)),
        "call_id": mostly(texts), "name": mostly(names), "arguments": mostly(st.sampled_from(["{}", "[1]"])),
        "input": mostly(texts), "output": st.one_of(mostly(texts), st.lists(parts, max_size=2)),
        "id": mostly(texts | st.none()), "status": mostly(texts | st.none()), "summary": mostly(objs),
        "encrypted_content": mostly(texts | st.none()),
    },
)
bare_messages = objects({"role": mostly(st.sampled_from(["user", "assistant"])), "content": content}, {})


def _check_agreement(value: Any) -> None:
    fast_result = INPUT_ITEMS.fast_load(value)
    try:
        slow_result = INPUT_ITEMS.deserialize(value)
    except ValidationError:
        assert fast_result is None, f"fast path accepted what the schema refuses: {value!r}"
        return
    assert fast_result is None or fast_result == slow_result


@settings(max_examples=500, deadline=None)
@given(st.one_of(items, bare_messages))
def test_fast_items_agree_with_schema(item: dict[str, Any]) -> None:
    _check_agreement(item)


COMMON = [
    {"role": "user", "content": "hi"},
    {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
    {"type": "message", "role": "assistant", "id": "msg_1", "status": "completed",
     "content": [{"type": "output_text", "text": "ok", "annotations": [], "logprobs": []}]},
    {"type": "function_call", "call_id": "c", "name": "shell", "arguments": "{}", "id": "fc_1", "status": "completed"},
    {"type": "function_call_output", "call_id": "c", "output": "done"},
    {"type": "custom_tool_call", "call_id": "p", "name": "apply_patch", "input": "*** Begin Patch"},
    {"type": "custom_tool_call_output", "call_id": "p", "output": "ok"},
    {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "t"}], "content": None,
     "encrypted_content": "gemini-thought.v1:x"},
    {"type": "item_reference", "id": "msg_1"},
]


@pytest.mark.parametrize("item", COMMON)
def test_common_items_take_the_fast_path(item: dict[str, Any]) -> None:
    fast_result = INPUT_ITEMS.fast_load(item)
    assert fast_result is not None and fast_result == INPUT_ITEMS.deserialize(item)
