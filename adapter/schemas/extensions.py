"""Gemini extensions clients send next to the OpenAI fields.

The OpenAI SDK merges ``extra_body={...}`` into the top level of the JSON body, so clients reach
Gemini options three ways: ``"google": {...}``, ``"extra_body": {"google": {...}}`` (what
Google's own docs write, ``extra_body={"extra_body": {"google": ...}}``) and a bare
``"thinking_config"`` (top level or inside ``extra_body``). All of them are checked here
loosely: known keys must have the right type, other keys are passed on untouched.

``thinking_config`` keys may be snake_case (Google's docs) or lowerCamelCase (Vertex's JSON);
they are loaded as snake_case. A budget and a level together are refused, as Vertex does.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, pre_load, validates_schema

from adapter.schemas.base import PassThroughSchema, StrictSchema
from adapter.schemas.fields import INT32_MAX, Bool, Choice, Int, Str, between
from adapter.schemas.unions import Array

THINKING_LEVELS = ("minimal", "low", "medium", "high", "MINIMAL", "LOW", "MEDIUM", "HIGH")
_CAMEL_TO_SNAKE = {
    "includeThoughts": "include_thoughts",
    "thinkingBudget": "thinking_budget",
    "thinkingLevel": "thinking_level",
}


class ThinkingConfigSchema(StrictSchema):
    """Gemini's ``thinkingConfig``: ``thinking_budget`` -1 (dynamic) .. 2^31-1, or a level."""

    OPENAPI_EXTRA = {"not": {"required": ["thinking_budget", "thinking_level"]}}

    include_thoughts = Bool()
    thinking_budget = Int(validate=between(-1, INT32_MAX))
    thinking_level = Choice(THINKING_LEVELS)

    @pre_load
    def _snake_case(self, data: Any, **kwargs: Any) -> Any:
        if type(data) is not dict or not any(key in _CAMEL_TO_SNAKE for key in data):
            return data
        return {_CAMEL_TO_SNAKE.get(key, key): value for key, value in data.items()}

    @validates_schema
    def _budget_or_level(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "thinking_budget" in data and "thinking_level" in data:
            raise ValidationError(
                {"thinking_level": ["cannot be combined with 'thinking_budget'; set one of them"]}
            )


class SafetySettingSchema(PassThroughSchema):
    category = Str(required=True)
    threshold = Str(required=True)


class GoogleOptionsSchema(PassThroughSchema):
    """``google``: options of Vertex's OpenAI-compatible endpoint, passed on."""

    thinking_config = fields.Nested(ThinkingConfigSchema())
    thought_tag_marker = Str()
    safety_settings = Array(fields.Nested(SafetySettingSchema()))


class ExtraBodySchema(PassThroughSchema):
    """``extra_body``: a literal key some clients send (Google's docs write it this way)."""

    google = fields.Nested(GoogleOptionsSchema())
    thinking_config = fields.Nested(ThinkingConfigSchema())
