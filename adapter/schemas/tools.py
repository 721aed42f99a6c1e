"""Function tools, ``tool_choice``, the legacy ``functions``/``function_call`` and
``response_format``.

Function names follow Gemini's rule, which is wider than OpenAI's (``a-zA-Z0-9_-``, 64): a
letter or underscore, then letters, digits, ``_ . : -``, at most 128 characters. A name Gemini
cannot take is refused here rather than by Vertex. Custom (free-form grammar) tools have no
Gemini counterpart and are refused.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from adapter.schemas import fast
from adapter.schemas.base import StrictSchema
from adapter.schemas.fields import (
    FUNCTION_NAME_PATTERN,
    FUNCTION_NAME_PHRASE,
    Bool,
    Choice,
    Obj,
    Str,
    full_match,
    unsupported_value,
)
from adapter.schemas.unions import Alternatives, Array, Tagged

TOOL_CHOICE_MODES = ("none", "auto", "required")
MAX_TOOLS = 128
"""OpenAI's own limit on ``tools`` (and here on the legacy ``functions``)."""
CUSTOM_TOOL = unsupported_value("custom tools are not supported: Gemini calls only function tools")


def function_name(**kwargs: Any) -> Str:
    return Str(validate=full_match(FUNCTION_NAME_PATTERN, FUNCTION_NAME_PHRASE), **kwargs)


class FunctionDefinitionSchema(StrictSchema):
    name = function_name(required=True)
    description = Str(allow_none=True)
    parameters = Obj(allow_none=True, metadata={"description": "A JSON Schema object."})
    strict = Bool(allow_none=True)


class FunctionToolSchema(StrictSchema):
    type = Choice(("function",), required=True)
    function = fields.Nested(FunctionDefinitionSchema(), required=True)


def tools_field() -> Array:
    tagged = Tagged("type", {"function": FunctionToolSchema()}, refused={"custom": CUSTOM_TOOL}, fast=fast.TOOLS)
    return Array(tagged, allow_none=True, max_items=MAX_TOOLS)


class FunctionNameSchema(StrictSchema):
    name = Str(required=True)


class NamedToolChoiceSchema(StrictSchema):
    type = Choice(("function",), required=True)
    function = fields.Nested(FunctionNameSchema(), required=True)


class AllowedToolsSchema(StrictSchema):
    mode = Choice(("auto", "required"), required=True)
    tools = Array(
        Tagged("type", {"function": NamedToolChoiceSchema()}, refused={"custom": CUSTOM_TOOL}),
        required=True,
        validate=validate.Length(min=1, error="must name at least one tool"),
    )


class AllowedToolChoiceSchema(StrictSchema):
    type = Choice(("allowed_tools",), required=True)
    allowed_tools = fields.Nested(AllowedToolsSchema(), required=True)


def tool_choice_field() -> Alternatives:
    objects = Tagged(
        "type",
        {"function": NamedToolChoiceSchema(), "allowed_tools": AllowedToolChoiceSchema()},
        refused={"custom": CUSTOM_TOOL},
    )
    return Alternatives(
        {str: Choice(TOOL_CHOICE_MODES), dict: objects},
        allow_none=True,
        invalid="must be 'none', 'auto', 'required' or a tool choice object",
    )


def functions_field() -> Array:
    return Array(
        fields.Nested(FunctionDefinitionSchema()), allow_none=True, max_items=MAX_TOOLS, metadata={"deprecated": True}
    )


def function_call_field() -> Alternatives:
    return Alternatives(
        {str: Choice(("none", "auto")), dict: fields.Nested(FunctionNameSchema())},
        allow_none=True,
        metadata={"deprecated": True},
        invalid="must be 'none', 'auto' or an object with a 'name'",
    )


class TextFormatSchema(StrictSchema):
    type = Choice(("text",), required=True)


class JsonObjectFormatSchema(StrictSchema):
    type = Choice(("json_object",), required=True)


class JsonSchemaSchema(StrictSchema):
    name = Str(required=True)
    description = Str()
    schema = Obj(metadata={"description": "A JSON Schema object."})
    strict = Bool(allow_none=True)


class JsonSchemaFormatSchema(StrictSchema):
    type = Choice(("json_schema",), required=True)
    json_schema = fields.Nested(JsonSchemaSchema(), required=True)


def response_format_field() -> Tagged:
    return Tagged(
        "type",
        {
            "text": TextFormatSchema(),
            "json_object": JsonObjectFormatSchema(),
            "json_schema": JsonSchemaFormatSchema(),
        },
        allow_none=True,
    )
