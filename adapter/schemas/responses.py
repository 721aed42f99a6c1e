"""``POST /v1/responses`` (and ``/v1/responses/input_tokens``): the request body.

Every field of OpenAI's ``CreateResponse`` is known here and either loaded under its own name
or refused with a 400 naming it:

- refused: ``background: true`` (there is no background mode; ``false`` and ``null`` are fine),
  ``conversation`` (no Conversations API: chain with ``previous_response_id``), ``prompt``
  (no stored prompt templates), hosted tools Gemini cannot run (``tools[i].type``) and hosted
  tool items in ``input`` (``input[i].type``);
- loaded for translation: ``model``, ``input`` (see :mod:`adapter.schemas.responses_input`),
  ``instructions``, ``tools``, ``tool_choice``, ``parallel_tool_calls``, ``text``,
  ``reasoning``, ``max_output_tokens``, ``temperature``, ``top_p``, ``top_logprobs``,
  ``include``, ``metadata``, ``previous_response_id``, ``store``, ``stream``;
- accepted and echoed (their effect on Gemini is listed in ``X-Gateway-Rewrites``):
  ``user``, ``safety_identifier``, ``prompt_cache_key``, ``prompt_cache_retention``,
  ``service_tier``, ``truncation``, ``max_tool_calls``, ``stream_options``.

``model`` follows the one model-name rule of chat (:func:`adapter.schemas.fields.model_field`).
Free-form JSON (tool ``parameters``, the ``text.format`` schema, ``function_call`` arguments)
nesting more than 64 levels is refused naming the field, as chat does (:mod:`adapter.schemas.depth`).
Top-level ``null`` values are left out (``null`` means "default"); unknown keys are ignored.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validates_schema

from adapter.schemas.base import StrictSchema
from adapter.schemas.chat import REASONING_EFFORTS, SERVICE_TIERS
from adapter.schemas.checks import Error, first_too_deep
from adapter.schemas.fields import (
    INT32_MAX,
    Bool,
    Choice,
    Int,
    Num,
    Obj,
    Path,
    Refused,
    Str,
    StrMap,
    between,
    model_field,
    unsupported,
)
from adapter.schemas.responses_input import input_field
from adapter.schemas.responses_tools import duplicate_tool_name, tool_choice_field, tools_field
from adapter.schemas.unions import Array, Tagged

INCLUDABLES = (
    "file_search_call.results",
    "web_search_call.results",
    "web_search_call.action.sources",
    "message.input_image.image_url",
    "computer_call_output.output.image_url",
    "code_interpreter_call.outputs",
    "reasoning.encrypted_content",
    "message.output_text.logprobs",
)
SUMMARIES = ("auto", "concise", "detailed")
BACKGROUND = unsupported(
    "background mode is not supported by this gateway; send the request without it (stream it if it is long)"
)


class ReasoningSchema(StrictSchema):
    effort = Choice(REASONING_EFFORTS, allow_none=True)
    summary = Choice(SUMMARIES, allow_none=True)
    generate_summary = Choice(SUMMARIES, allow_none=True, metadata={"deprecated": True})


class TextFormatSchema(StrictSchema):
    type = Choice(("text",), required=True)


class JsonObjectFormatSchema(StrictSchema):
    type = Choice(("json_object",), required=True)


class JsonSchemaFormatSchema(StrictSchema):
    type = Choice(("json_schema",), required=True)
    name = Str(required=True)
    schema = Obj(required=True, metadata={"description": "A JSON Schema object."})
    description = Str()
    strict = Bool(allow_none=True)


class TextSchema(StrictSchema):
    format = Tagged(
        "type",
        {"text": TextFormatSchema(), "json_object": JsonObjectFormatSchema(), "json_schema": JsonSchemaFormatSchema()},
        allow_none=True,
    )
    verbosity = Choice(("low", "medium", "high"), allow_none=True)


class StreamOptionsSchema(StrictSchema):
    include_obfuscation = Bool(allow_none=True)


def _not_true(value: Any) -> None:
    if value is True:
        raise ValidationError(BACKGROUND)


class ResponseRequestSchema(StrictSchema):
    """The body of ``POST /v1/responses`` (see the module docstring for the rules)."""

    model = model_field()
    input = input_field()
    instructions = Str(allow_none=True)
    previous_response_id = Str(allow_none=True)
    store = Bool(allow_none=True)
    stream = Bool(allow_none=True)
    stream_options = fields.Nested(StreamOptionsSchema(), allow_none=True)
    background = Bool(allow_none=True, validate=_not_true, metadata={"openapi": {"enum": [False, None]}})
    include = Array(Choice(INCLUDABLES), allow_none=True)
    tools = tools_field()
    tool_choice = tool_choice_field()
    parallel_tool_calls = Bool(allow_none=True)
    max_tool_calls = Int(allow_none=True, validate=between(1, INT32_MAX))
    text = fields.Nested(TextSchema(), allow_none=True)
    reasoning = fields.Nested(ReasoningSchema(), allow_none=True)
    max_output_tokens = Int(allow_none=True, validate=between(1, INT32_MAX))
    temperature = Num(allow_none=True, validate=between(0, 2))
    top_p = Num(allow_none=True, validate=between(0, 1))
    top_k = Int(allow_none=True, validate=between(1, INT32_MAX), metadata={"description": "Gemini extension."})
    top_logprobs = Int(allow_none=True, validate=between(0, 20))
    metadata = StrMap(max_items=16, max_key=64, max_value=512, allow_none=True)
    user = Str(allow_none=True)
    safety_identifier = Str(allow_none=True)
    prompt_cache_key = Str(allow_none=True)
    prompt_cache_retention = Choice(("in_memory", "24h"), allow_none=True)
    service_tier = Choice((*SERVICE_TIERS, "ultrafast"), allow_none=True)
    truncation = Choice(("auto", "disabled"), allow_none=True)
    conversation = Refused(unsupported("conversations are not supported; chain responses with previous_response_id"))
    prompt = Refused(unsupported("stored prompt templates are not supported; send instructions and input"))

    @validates_schema
    def _cross_field(self, data: dict[str, Any], **kwargs: Any) -> None:
        error = _json_depth(data) or duplicate_tool_name(data.get("tools") or [])
        if error is not None:
            raise ValidationError(error)

    @post_load
    def _normalise(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {key: value for key, value in data.items() if value is not None}


def _free_json(data: dict[str, Any]) -> list[tuple[Any, Path]]:
    """The request's free-form JSON values (decoded or as text), with their paths."""
    found: list[tuple[Any, Path]] = [
        (tool.get("parameters"), ("tools", i, "parameters")) for i, tool in enumerate(data.get("tools") or ())
    ]
    text_format = (data.get("text") or {}).get("format") or {}
    found.append((text_format.get("schema"), ("text", "format", "schema")))
    items = data.get("input")
    for i, item in enumerate(items if type(items) is list else ()):
        if item["type"] == "function_call":
            found.append((item["arguments"], ("input", i, "arguments")))
    return found


def _json_depth(data: dict[str, Any]) -> Error | None:
    return first_too_deep(_free_json(data))


RESPONSE_REQUEST_SCHEMA = ResponseRequestSchema()
"""The one instance (schemas are built once, at import)."""
