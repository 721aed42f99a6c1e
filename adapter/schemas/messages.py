"""Chat messages and their content parts, one schema per role and per part type.

A message is picked by its ``role`` (``system``, ``developer``, ``user``, ``assistant``,
``tool`` and the legacy ``function``), a content part by its ``type``. Which part types a role
accepts follows the OpenAI SDK, widened where Gemini can do more: ``tool`` results may hold the
same parts as ``user`` messages (images in tool results), and ``input_audio`` takes every audio
format Gemini reads. ``image_url`` may also be a bare URL string (sent by some chat UIs); it is
loaded as ``{"url": ...}``.

The words of the parts (audio formats, URL schemes, image details, MIME types by extension)
come from :mod:`adapter.vocabulary`, which translation reads too: a part loaded here is one
``adapter/translate/parts.py`` can translate without checking it again.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from adapter import vocabulary
from adapter.schemas import fast
from adapter.schemas.base import PassThroughSchema, StrictSchema
from adapter.schemas.fields import MISSING, Choice, Refused, Str, unsupported, unsupported_value
from adapter.schemas.unions import Alternatives, Array, Tagged

_URL_PHRASE = "must be an http(s) URL, a gs:// URI or a base64 data: URL (data:<mime>;base64,...)"
_BASE64_PHRASE = "must be base64 (standard or URL-safe alphabet)"
_GCS_TYPE_PHRASE = "must end with a known file extension (the MIME type of a gs:// URI is read from it)"
_FILE_TYPE_PHRASE = "must have a known extension when 'file_data' is bare base64 (or send a data: URL)"
_EMPTY_PHRASE = "must not be empty"
_CUSTOM_TOOL_CALL = unsupported_value(
    "custom tool calls are not supported: Gemini calls only function tools"
)


def _any_case(word: str) -> str:
    """A regex matching ``word`` in any case, for the document (JSON Schema has no flags)."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


_BASE64_BODY = vocabulary.BASE64_PATTERN.removeprefix("^")
_FETCHED_PATTERN = "^(" + "|".join(_any_case(s) for s in vocabulary.FETCHED_SCHEMES) + ")://"
_GCS_PATTERN = (f"^{_any_case(vocabulary.GCS_SCHEME)}://(.*/)?[^/?]*\\.("
                + "|".join(_any_case(e) for e in vocabulary.EXTENSION_MIME_TYPES) + ")(\\?[^/]*)?(?![\\s\\S])")
_DATA_PATTERN = f"^{_any_case('data:')}[^,;]*/[^,;]*(;[^,;]*)*;{_any_case('base64')},(?=\\s*[A-Za-z0-9+/_-]){_BASE64_BODY}"
REMOTE_PATTERN = f"{_FETCHED_PATTERN}|{_GCS_PATTERN}"
URL_OPENAPI = {"description": _URL_PHRASE, "pattern": f"{REMOTE_PATTERN}|{_DATA_PATTERN}"}
BASE64_OPENAPI = {"description": "Base64-encoded audio.", "minLength": 1, "pattern": vocabulary.BASE64_PATTERN}
FILE_DATA_OPENAPI = {
    "description": "A base64 data: URL (or bare base64 with a filename), or an http(s):// or gs:// URL.",
    "pattern": f"{URL_OPENAPI['pattern']}|^(?=\\s*[A-Za-z0-9+/_-]){_BASE64_BODY}",
}


def url_problem(url: str) -> str | None:
    """Why translation could not use ``url`` as media, or None when it can."""
    scheme = vocabulary.url_scheme(url)
    if scheme == vocabulary.DATA_SCHEME:
        parts = vocabulary.data_url_parts(url)
        if parts is None:
            return _URL_PHRASE
        return None if vocabulary.is_base64(parts[1]) else f"{_URL_PHRASE}: the payload {_BASE64_PHRASE}"
    if scheme == vocabulary.GCS_SCHEME and vocabulary.mime_from_name(url) is None:
        return _GCS_TYPE_PHRASE
    return None if scheme is not None else _URL_PHRASE


def check_base64(text: str) -> None:
    """A validator: ``text`` is non-empty base64 Vertex can read as bytes."""
    if not text:
        raise ValidationError(_EMPTY_PHRASE)
    if not vocabulary.is_base64(text):
        raise ValidationError(_BASE64_PHRASE)


def _role(name: str) -> Choice:
    return Choice((name,), required=True)


class TextPartSchema(StrictSchema):
    type = Choice(("text",), required=True)
    text = Str(required=True)


class RefusalPartSchema(StrictSchema):
    type = Choice(("refusal",), required=True)
    refusal = Str(required=True)


def check_url(url: str) -> None:
    """A validator: ``url`` is media translation can use (see :func:`url_problem`)."""
    problem = url_problem(url)
    if problem is not None:
        raise ValidationError(problem)


class ImageUrlSchema(StrictSchema):
    url = Str(required=True, validate=check_url, metadata={"openapi": URL_OPENAPI})
    detail = Choice(vocabulary.IMAGE_DETAILS)


class ImagePartSchema(StrictSchema):
    type = Choice(("image_url",), required=True)
    image_url = Alternatives(
        {
            str: Str(validate=check_url, metadata={"openapi": URL_OPENAPI}),
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
    data = Str(required=True, validate=check_base64, metadata={"openapi": BASE64_OPENAPI})
    format = Choice(vocabulary.AUDIO_FORMATS, required=True)


class AudioPartSchema(StrictSchema):
    type = Choice(("input_audio",), required=True)
    input_audio = fields.Nested(InputAudioSchema(), required=True)


class FileSchema(StrictSchema):
    """A file by URL (``file_data`` first, then ``file_id``) or as bare base64 ``file_data``
    whose ``filename`` extension gives the MIME type."""

    OPENAPI_EXTRA = {"anyOf": [{"required": ["file_data"]}, {"required": ["file_id"]}]}

    file_data = Str(metadata={"openapi": FILE_DATA_OPENAPI})
    file_id = Str(metadata={"openapi": {
        "description": "Only an http(s):// URL or a gs:// URI.", "pattern": REMOTE_PATTERN}})
    filename = Str()

    @validates_schema
    def _check_source(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "file_data" not in data and "file_id" not in data:
            raise ValidationError({"file_data": [MISSING]})
        file_id = data.get("file_id")
        if file_id is not None and vocabulary.url_scheme(file_id) not in vocabulary.REMOTE_SCHEMES:
            raise ValidationError({"file_id": [unsupported_value(
                "uploaded files are not available on this gateway; send 'file_data' "
                "(a base64 data: URL), or a gs:// or http(s) URL as 'file_id'"
            )]})
        for key in vocabulary.FILE_URL_KEYS:
            value = data.get(key)
            if value is not None and vocabulary.url_scheme(value) is not None:
                problem = url_problem(value)
                if problem is not None:
                    raise ValidationError({key: [problem]})
                return
        check_bare_base64(data)


def check_bare_base64(data: dict[str, Any]) -> None:
    """Bare base64 ``file_data`` with a ``filename`` whose extension gives its MIME type."""
    try:
        check_base64(data.get("file_data") or "")
    except ValidationError as err:
        raise ValidationError({"file_data": err.messages}) from None
    if vocabulary.mime_from_name(data.get("filename") or "") is None:
        raise ValidationError({"filename": [_FILE_TYPE_PHRASE]})


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
SYSTEM_PARTS = {"text": TEXT_PART}


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
    content = content(SYSTEM_PARTS, required=True)
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
