"""``POST /v1/chat/completions``: the whole request body as the OpenAI SDK sends it.

Every field of OpenAI's request is known here and either loaded under its own (snake_case)
name or refused with a 400 that names it:

- refused (Gemini cannot honour them; ``null`` is accepted and dropped): a non-empty
  ``logit_bias``, ``audio``, ``prediction``, ``moderation``; ``"audio"`` in ``modalities``;
  custom tools; ``n`` above 8 (Gemini's candidate limit); ``top_logprobs`` without
  ``logprobs: true``;
- accepted as metadata (loaded, no effect on Gemini unless translation maps them): ``user``,
  ``metadata``, ``store``, ``service_tier``, ``safety_identifier``, ``prompt_cache_key``,
  ``prompt_cache_options``, ``prompt_cache_retention``, ``verbosity``,
  ``parallel_tool_calls``, ``stream_options``;
- ``web_search_options`` is loaded for translation (Google Search grounding);
- legacy ``functions``/``function_call`` and ``function`` messages are rewritten into
  ``tools``/``tool_choice``/``tool`` messages (see :mod:`adapter.schemas.legacy`).

Normalisation: top-level ``null`` values are left out (``null`` means "default"); ``stop`` is
always a list of non-empty strings (left out when empty); a bare ``image_url`` string becomes
``{"url": ...}``; ``thinking_config`` keys become snake_case.

Unknown top-level keys: OpenAI answers 400 "Unrecognized request argument", but many clients
(LangChain, chat UIs) send vendor extras, and a gateway that refuses them breaks those clients.
So unknown keys are ignored (left out of the loaded dict), except the Gemini extensions
``google``, ``extra_body`` and ``thinking_config``, which are checked loosely and passed on
(see :mod:`adapter.schemas.extensions`), and ``top_k``. Unknown keys inside messages, parts and
tools are ignored the same way.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from adapter.schemas import checks
from adapter.schemas.base import StrictSchema
from adapter.schemas.extensions import ExtraBodySchema, GoogleOptionsSchema, ThinkingConfigSchema
from adapter.schemas.fields import (
    INT32_MAX,
    INT64_MAX,
    INT64_MIN,
    Bool,
    Choice,
    Int,
    Num,
    Refused,
    Str,
    StrMap,
    between,
    model_field,
    unsupported,
    unsupported_value,
)
from adapter.schemas.legacy import ChatRequest, modernize
from adapter.schemas.messages import messages_field
from adapter.schemas.tools import (
    function_call_field,
    functions_field,
    response_format_field,
    tool_choice_field,
    tools_field,
)
from adapter.schemas.unions import Alternatives, Array

MAX_CANDIDATES = 8
MAX_STOP_SEQUENCES = 5
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
SERVICE_TIERS = ("auto", "default", "flex", "scale", "priority", "fast")
_AUDIO_OUTPUT = unsupported_value("audio output is not supported; Gemini answers with text and images")


class StreamOptionsSchema(StrictSchema):
    include_usage = Bool(allow_none=True)
    include_obfuscation = Bool(allow_none=True)


class ApproximateLocationSchema(StrictSchema):
    city = Str()
    country = Str()
    region = Str()
    timezone = Str()


class UserLocationSchema(StrictSchema):
    type = Choice(("approximate",), required=True)
    approximate = fields.Nested(ApproximateLocationSchema(), required=True)


class WebSearchOptionsSchema(StrictSchema):
    search_context_size = Choice(("low", "medium", "high"))
    user_location = fields.Nested(UserLocationSchema(), allow_none=True)


class PromptCacheOptionsSchema(StrictSchema):
    mode = Choice(("implicit", "explicit"))
    ttl = Str()


def _stop_field() -> Alternatives:
    return Alternatives(
        {
            str: Str(),
            list: Array(
                Str(),
                validate=validate.Length(
                    max=MAX_STOP_SEQUENCES,
                    error=f"must hold at most {MAX_STOP_SEQUENCES} sequences (Gemini's limit)",
                ),
            ),
        },
        allow_none=True,
        invalid="must be a string or an array of strings",
    )


def _number(low: float, high: float) -> Num:
    return Num(allow_none=True, validate=between(low, high))


def _tokens() -> Int:
    return Int(allow_none=True, validate=between(1, INT32_MAX))


class ChatCompletionRequestSchema(StrictSchema):
    """The body of ``POST /v1/chat/completions`` (see the module docstring for the rules)."""

    OPENAPI_EXTRA = {
        "description": "OpenAI's chat completion request. Also refused with a 400: duplicate "
        "function names, a tool_choice naming an undeclared function, tool_choice 'required' "
        "or a named function without tools, functions with tools, function_call with tool_choice.",
        "dependentSchemas": {
            "top_logprobs": {
                "anyOf": [
                    {"properties": {"top_logprobs": {"type": "null"}}},
                    {"properties": {"logprobs": {"const": True}}, "required": ["logprobs"]},
                ]
            }
        },
    }

    model = model_field()
    messages = messages_field()
    stream = Bool(allow_none=True)
    stream_options = fields.Nested(StreamOptionsSchema(), allow_none=True)
    temperature = _number(0, 2)
    top_p = _number(0, 1)
    top_k = Int(allow_none=True, validate=between(1, INT32_MAX), metadata={"description": "Gemini extension."})
    n = Int(allow_none=True, validate=between(1, MAX_CANDIDATES))
    max_tokens = _tokens()
    max_completion_tokens = _tokens()
    stop = _stop_field()
    seed = Int(allow_none=True, validate=between(INT64_MIN, INT64_MAX))
    presence_penalty = _number(-2, 2)
    frequency_penalty = _number(-2, 2)
    logprobs = Bool(allow_none=True)
    top_logprobs = Int(allow_none=True, validate=between(0, 20))
    reasoning_effort = Choice(REASONING_EFFORTS, allow_none=True)
    modalities = Array(Choice(("text", "image"), refused={"audio": _AUDIO_OUTPUT}), allow_none=True)
    response_format = response_format_field()
    tools = tools_field()
    tool_choice = tool_choice_field()
    parallel_tool_calls = Bool(allow_none=True)
    functions = functions_field()
    function_call = function_call_field()
    web_search_options = fields.Nested(WebSearchOptionsSchema(), allow_none=True)
    metadata = StrMap(max_items=16, max_key=64, max_value=512, allow_none=True)
    user = Str(allow_none=True)
    safety_identifier = Str(allow_none=True)
    store = Bool(allow_none=True)
    service_tier = Choice(SERVICE_TIERS, allow_none=True)
    prompt_cache_key = Str(allow_none=True)
    prompt_cache_options = fields.Nested(PromptCacheOptionsSchema(), allow_none=True)
    prompt_cache_retention = Choice(("in_memory", "24h"), allow_none=True)
    verbosity = Choice(("low", "medium", "high"), allow_none=True)
    logit_bias = Refused(unsupported("Gemini has no token-level logit bias"), allow_empty=True)
    audio = Refused(unsupported("Gemini does not produce audio answers"))
    prediction = Refused(unsupported("Gemini has no Predicted Outputs"))
    moderation = Refused(
        unsupported("OpenAI moderation cannot run on Gemini; Gemini's safety settings apply")
    )
    google = fields.Nested(GoogleOptionsSchema(), metadata={"description": "Gemini extension."})
    extra_body = fields.Nested(ExtraBodySchema(), metadata={"description": "Gemini extension."})
    thinking_config = fields.Nested(ThinkingConfigSchema(), metadata={"description": "Gemini extension."})

    @validates_schema
    def _cross_field(self, data: dict[str, Any], **kwargs: Any) -> None:
        error = checks.first_problem(data)
        if error is not None:
            raise ValidationError(error)

    @post_load
    def _normalise(self, data: dict[str, Any], **kwargs: Any) -> ChatRequest:
        loaded = {key: value for key, value in data.items() if value is not None}
        if "stop" in loaded:
            stop = loaded.pop("stop")
            sequences = [s for s in ([stop] if isinstance(stop, str) else stop) if s]
            if sequences:
                loaded["stop"] = sequences
        return modernize(loaded)


CHAT_REQUEST_SCHEMA = ChatCompletionRequestSchema()
"""The one instance (schemas are built once, at import)."""
