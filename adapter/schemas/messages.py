"""Chat messages and their content parts, one schema per role and per part type.

A message is picked by its ``role`` (``system``, ``developer``, ``user``, ``assistant``,
``tool`` and the legacy ``function``), a content part by its ``type``. Which part types a role
accepts follows the OpenAI SDK, widened where Gemini can do more: ``tool`` results may hold the
same parts as ``user`` messages (images in tool results), and ``input_audio`` takes every audio
format Gemini reads. ``image_url`` may also be a bare URL string (sent by some chat UIs); it is
loaded as ``{"url": ...}``.
"""

from __future__ import annotations

from typing import Any, Mapping

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from adapter.schemas import fast
from adapter.schemas.base import PassThroughSchema, StrictSchema
from adapter.schemas.fields import MISSING, Choice, Refused, Str, unsupported, unsupported_value
from adapter.schemas.unions import Alternatives, Array, Tagged

IMAGE_DETAILS = ("auto", "low", "high", "original")
AUDIO_FORMATS = ("wav", "mp3", "aac", "flac", "ogg", "aiff")
REMOTE_PREFIXES = ("http://", "https://", "gs://")
_URL_PHRASE = "must be an http(s) URL, a gs:// URI or a base64 data: URL (data:<mime>;base64,...)"
_REMOTE_PATTERN = "^([Hh][Tt][Tt][Pp][Ss]?|[Gg][Ss])://"
_URL_OPENAPI = {
    "description": _URL_PHRASE,
    "pattern": f"{_REMOTE_PATTERN}|^[Dd][Aa][Tt][Aa]:[^,]*/[^,]*;[Bb][Aa][Ss][Ee]64,",
}
_DATA_HEADER_LIMIT = 256
_CUSTOM_TOOL_CALL = unsupported_value(
    "custom tool calls are not supported: Gemini calls only function tools"
)


def _is_remote(url: str) -> bool:
    """True for ``http(s)://`` and ``gs://`` URLs, whatever the scheme's case."""
    return url[:8].lower().startswith(REMOTE_PREFIXES)


def is_supported_url(url: str) -> bool:
    """True for ``http(s)://``, ``gs://`` and ``data:<type>/<subtype>;base64,`` URLs."""
    if url[:5].lower() == "data:":
        comma = url.find(",", 5, _DATA_HEADER_LIMIT)
        header = url[5:comma] if comma > 0 else ""
        mime = header[: -len(";base64")] if header.lower().endswith(";base64") else ""
        return "/" in mime
    return _is_remote(url)


def _role(name: str) -> Choice:
    return Choice((name,), required=True)


class TextPartSchema(StrictSchema):
    type = Choice(("text",), required=True)
    text = Str(required=True)


class RefusalPartSchema(StrictSchema):
    type = Choice(("refusal",), required=True)
    refusal = Str(required=True)


def _check_url(url: str) -> None:
    if not is_supported_url(url):
        raise ValidationError(_URL_PHRASE)


class ImageUrlSchema(StrictSchema):
    url = Str(required=True, validate=_check_url, metadata={"openapi": _URL_OPENAPI})
    detail = Choice(IMAGE_DETAILS)


class ImagePartSchema(StrictSchema):
    type = Choice(("image_url",), required=True)
    image_url = Alternatives(
        {
            str: Str(validate=_check_url, metadata={"openapi": _URL_OPENAPI}),
            dict: fields.Nested(ImageUrlSchema()),
        },
        required=True,
        invalid="must be an object with a 'url' (or a URL string)",
    )

    @post_load
    def _url_object(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        image_url = data["image_url"]
        return data if type(image_url) is dict else {**data, "image_url": {"url": image_url}}


class InputAudioSchema(StrictSchema):
    data = Str(required=True, metadata={"description": "Base64-encoded audio."})
    format = Choice(AUDIO_FORMATS, required=True)


class AudioPartSchema(StrictSchema):
    type = Choice(("input_audio",), required=True)
    input_audio = fields.Nested(InputAudioSchema(), required=True)


class FileSchema(StrictSchema):
    OPENAPI_EXTRA = {"anyOf": [{"required": ["file_data"]}, {"required": ["file_id"]}]}

    file_data = Str(metadata={"description": "A base64 data: URL (or bare base64 with a filename)."})
    file_id = Str(metadata={"openapi": {
        "description": "Only an http(s):// URL or a gs:// URI.", "pattern": _REMOTE_PATTERN}})
    filename = Str()

    @validates_schema
    def _check_source(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "file_data" not in data and "file_id" not in data:
            raise ValidationError({"file_data": [MISSING]})
        file_id = data.get("file_id")
        if file_id is not None and not _is_remote(file_id):
            raise ValidationError({"file_id": [unsupported_value(
                "uploaded files are not available on this gateway; send 'file_data' "
                "(a base64 data: URL), or a gs:// or http(s) URL as 'file_id'"
            )]})


class FilePartSchema(StrictSchema):
    type = Choice(("file",), required=True)
    file = fields.Nested(FileSchema(), required=True)


TEXT_PART = TextPartSchema()
USER_PARTS = {
    "text": TEXT_PART,
    "image_url": ImagePartSchema(),
    "input_audio": AudioPartSchema(),
    "file": FilePartSchema(),
}
ASSISTANT_PARTS = {"text": TEXT_PART, "refusal": RefusalPartSchema()}


def content(parts: Mapping[str, Schema], **kwargs: Any) -> Alternatives:
    """Message content: a string or an array of the given part types."""
    return Alternatives(
        {str: Str(), list: Array(Tagged("type", parts))},
        invalid="must be a string or an array of content parts",
        **kwargs,
    )


class ToolCallFunctionSchema(StrictSchema):
    name = Str(required=True)
    arguments = Str(required=True, metadata={"description": "The arguments as a JSON string."})


class ThoughtSignatureSchema(PassThroughSchema):
    thought_signature = Str()


class ExtraContentSchema(PassThroughSchema):
    google = fields.Nested(ThoughtSignatureSchema())


class ToolCallSchema(StrictSchema):
    id = Str(required=True)
    type = Choice(("function",), required=True)
    function = fields.Nested(ToolCallFunctionSchema(), required=True)
    extra_content = fields.Nested(
        ExtraContentSchema(),
        metadata={"description": "Passed through: carries Gemini thought signatures."},
    )


class SystemMessageSchema(StrictSchema):
    role = _role("system")
    content = content({"text": TEXT_PART}, required=True)
    name = Str()


class DeveloperMessageSchema(SystemMessageSchema):
    role = _role("developer")


class UserMessageSchema(StrictSchema):
    role = _role("user")
    content = content(USER_PARTS, required=True)
    name = Str()


class AssistantMessageSchema(StrictSchema):
    """``content`` may be null or absent when the message holds tool (or function) calls."""

    OPENAPI_EXTRA = {
        "anyOf": [
            {"required": ["content"], "properties": {"content": {"not": {"type": "null"}}}},
            {"required": ["tool_calls"], "properties": {"tool_calls": {"type": "array", "minItems": 1}}},
            {"required": ["function_call"], "properties": {"function_call": {"type": "object"}}},
        ]
    }

    role = _role("assistant")
    content = content(ASSISTANT_PARTS, allow_none=True)
    reasoning_content = Str(allow_none=True, metadata={"description": "Passed through."})
    refusal = Str(allow_none=True)
    name = Str()
    tool_calls = Array(
        Tagged("type", {"function": ToolCallSchema()}, refused={"custom": _CUSTOM_TOOL_CALL}),
        allow_none=True,
    )
    function_call = fields.Nested(ToolCallFunctionSchema(), allow_none=True)
    audio = Refused(unsupported("Gemini does not produce audio answers, so there is none to refer to"))

    @validates_schema
    def _check_content(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("content") is None and not data.get("tool_calls") and not data.get("function_call"):
            raise ValidationError({"content": [MISSING]})


class ToolMessageSchema(StrictSchema):
    role = _role("tool")
    content = content(USER_PARTS, required=True)
    tool_call_id = Str(required=True)
    name = Str(metadata={"description": "Optional; the function's name."})


class FunctionMessageSchema(StrictSchema):
    """Legacy function result; loaded as a ``tool`` message (see ``legacy.py``)."""

    role = _role("function")
    name = Str(required=True)
    content = Str(required=True, allow_none=True)


MESSAGE_SCHEMAS = {
    "system": SystemMessageSchema(),
    "developer": DeveloperMessageSchema(),
    "user": UserMessageSchema(),
    "assistant": AssistantMessageSchema(),
    "tool": ToolMessageSchema(),
    "function": FunctionMessageSchema(),
}


def messages_field() -> Array:
    return Array(
        Tagged("role", MESSAGE_SCHEMAS, fast=fast.MESSAGES),
        required=True,
        validate=validate.Length(min=1, error="must contain at least one message"),
    )
