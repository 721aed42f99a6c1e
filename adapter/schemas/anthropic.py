"""``POST /v1/messages`` and ``POST /v1/messages/count_tokens``: the Anthropic request bodies.

Every field of Anthropic's request that the gateway serves is loaded under its own name:
``model``, ``max_tokens``, ``messages`` (see :mod:`adapter.schemas.anthropic_blocks`),
``system``, ``metadata.user_id``, ``stop_sequences``, ``stream``, ``temperature``, ``top_p``,
``top_k``, ``tools`` (client tools: ``name``, ``description``, ``input_schema``),
``tool_choice`` (``auto``, ``any``, ``tool`` + ``name``, ``none``, with
``disable_parallel_tool_use``), ``thinking`` (``enabled`` + ``budget_tokens``, ``disabled``,
``adaptive``; ``display``) and ``output_config`` (``effort``; ``format`` with a JSON schema).
``service_tier`` is accepted and ignored. Refused, naming the field: server tools (any tool
``type`` but ``custom``), ``mcp_servers`` and ``container``. Other unknown keys (``cache_control``
included) are ignored, as the chat front door ignores vendor extras.

Errors name the field as Anthropic does, with dots: ``messages.2.content.0.source.media_type:
must be one of ...`` (:func:`load_anthropic_body`); ``param`` holds the same path.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from adapter.errors import InvalidRequest
from adapter.schemas.anthropic_blocks import messages_field, system_field
from adapter.schemas.base import StrictSchema
from adapter.schemas.checks import error_at, first_too_deep
from adapter.schemas.fields import (
    INT32_MAX,
    MISSING,
    Bool,
    Choice,
    Int,
    Num,
    Obj,
    Path,
    Refused,
    Str,
    between,
    model_field,
    unsupported,
    unsupported_value,
)
from adapter.schemas.tools import MAX_TOOLS, function_name
from adapter.schemas.unions import Array, Tagged
from adapter.validation import first_error

MIN_THINKING_BUDGET = 1024
EFFORTS = ("low", "medium", "high", "xhigh", "max")
THINKING_DISPLAYS = ("summarized", "omitted")
_SERVER_TOOL = unsupported_value(
    "Anthropic server tools are not available on Gemini; declare the tool as a client tool "
    "(name, description, input_schema)"
)


def _client_tool_only(value: str) -> None:
    if value != "custom":
        raise ValidationError(_SERVER_TOOL)


class ToolSchema(StrictSchema):
    type = Str(allow_none=True, validate=_client_tool_only)
    name = function_name(required=True)
    description = Str(allow_none=True)
    input_schema = Obj(required=True, metadata={"description": "A JSON Schema object."})


class _ToolChoiceSchema(StrictSchema):
    disable_parallel_tool_use = Bool(allow_none=True)


class AutoToolChoiceSchema(_ToolChoiceSchema):
    type = Choice(("auto",), required=True)


class AnyToolChoiceSchema(_ToolChoiceSchema):
    type = Choice(("any",), required=True)


class NoToolChoiceSchema(_ToolChoiceSchema):
    type = Choice(("none",), required=True)


class NamedToolChoiceSchema(_ToolChoiceSchema):
    type = Choice(("tool",), required=True)
    name = Str(required=True)


class EnabledThinkingSchema(StrictSchema):
    type = Choice(("enabled",), required=True)
    budget_tokens = Int(required=True, validate=between(MIN_THINKING_BUDGET, INT32_MAX))
    display = Choice(THINKING_DISPLAYS, allow_none=True)


class DisabledThinkingSchema(StrictSchema):
    type = Choice(("disabled",), required=True)


class AdaptiveThinkingSchema(StrictSchema):
    type = Choice(("adaptive",), required=True)
    display = Choice(THINKING_DISPLAYS, allow_none=True)


class JsonSchemaFormatSchema(StrictSchema):
    type = Choice(("json_schema",), required=True)
    schema = Obj(required=True, metadata={"description": "A JSON Schema object."})


class OutputConfigSchema(StrictSchema):
    effort = Choice(EFFORTS, allow_none=True)
    format = Tagged("type", {"json_schema": JsonSchemaFormatSchema()}, allow_none=True)


class MetadataSchema(StrictSchema):
    user_id = Str(allow_none=True)


class CountTokensRequestSchema(StrictSchema):
    """The body of ``POST /v1/messages/count_tokens`` (the request without generation fields)."""

    model = model_field()
    messages = messages_field(required=True, validate=validate.Length(min=1, error="must hold at least one message"))
    system = system_field()
    tools = Array(fields.Nested(ToolSchema()), allow_none=True, max_items=MAX_TOOLS)
    tool_choice = Tagged(
        "type",
        {
            "auto": AutoToolChoiceSchema(),
            "any": AnyToolChoiceSchema(),
            "none": NoToolChoiceSchema(),
            "tool": NamedToolChoiceSchema(),
        },
        allow_none=True,
    )
    thinking = Tagged(
        "type",
        {"enabled": EnabledThinkingSchema(), "disabled": DisabledThinkingSchema(), "adaptive": AdaptiveThinkingSchema()},
        allow_none=True,
    )
    output_config = fields.Nested(OutputConfigSchema(), allow_none=True)
    mcp_servers = Refused(unsupported("the MCP connector is not available on Gemini"), allow_empty=True)
    container = Refused(unsupported("code execution containers are not available on Gemini"))

    @validates_schema
    def _json_depth(self, data: dict[str, Any], **kwargs: Any) -> None:
        error = first_too_deep(_free_json(data))
        if error is not None:
            raise ValidationError(error)

    @post_load
    def _drop_nulls(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {key: value for key, value in data.items() if value is not None}


def _free_json(data: dict[str, Any]) -> list[tuple[Any, Path]]:
    """The free-form JSON of a request: tool input schemas and the input of earlier tool uses."""
    found: list[tuple[Any, Path]] = [
        (tool.get("input_schema"), ("tools", i, "input_schema")) for i, tool in enumerate(data.get("tools") or ())
    ]
    for i, message in enumerate(data["messages"]):
        content = message.get("content")
        for j, block in enumerate(content if type(content) is list else ()):
            if block.get("type") == "tool_use":
                found.append((block.get("input"), ("messages", i, "content", j, "input")))
    return found


class MessagesRequestSchema(CountTokensRequestSchema):
    """The body of ``POST /v1/messages``."""

    max_tokens = Int(required=True, validate=between(1, INT32_MAX))
    stream = Bool(allow_none=True)
    stop_sequences = Array(Str(), allow_none=True)
    temperature = Num(allow_none=True, validate=between(0, 1))
    top_p = Num(allow_none=True, validate=between(0, 1))
    top_k = Int(allow_none=True, validate=between(0, INT32_MAX))
    metadata = fields.Nested(MetadataSchema(), allow_none=True)
    service_tier = Choice(("auto", "standard_only"), allow_none=True)

    @validates_schema
    def _budget_below_max_tokens(self, data: dict[str, Any], **kwargs: Any) -> None:
        thinking = data.get("thinking") or {}
        budget, max_tokens = thinking.get("budget_tokens"), data.get("max_tokens")
        if budget is not None and max_tokens is not None and budget >= max_tokens:
            raise ValidationError(error_at(("thinking", "budget_tokens"), "must be less than max_tokens"))


MESSAGES_REQUEST_SCHEMA = MessagesRequestSchema()
COUNT_TOKENS_REQUEST_SCHEMA = CountTokensRequestSchema()


def load_anthropic_body(schema: Schema, body: dict[str, Any]) -> dict[str, Any]:
    """``schema.load(body)``, or :class:`InvalidRequest` naming the first bad field Anthropic's way."""
    try:
        return schema.load(body)
    except ValidationError as err:
        path, phrase = first_error(err.messages)
        param = ".".join(str(key) for key in path) or None
        detail = "Field required" if phrase == MISSING else str(phrase)
        message = f"{param}: {detail}" if param else f"Invalid request body: {detail}"
        raise InvalidRequest(message, param=param) from None
