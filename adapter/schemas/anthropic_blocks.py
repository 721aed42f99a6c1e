"""Anthropic Messages API: messages and their content blocks, one schema per block type.

A message is picked by its ``role`` (``user``, ``assistant``, and ``system``: Claude Code puts
one in ``messages`` although Anthropic documents only the top-level field), a block by its
``type``. User
turns hold ``text``, ``image``, ``document`` and ``tool_result`` blocks; assistant turns hold
``text``, ``tool_use``, ``thinking`` and ``redacted_thinking``. Sources: ``base64`` and ``url``
(http/https, fetched by the gateway) for images; ``base64`` (PDF), ``url``, ``text`` (plain
text) and ``content`` (blocks) for documents. Uploaded files (``file`` sources) and server-tool
blocks have no Gemini counterpart and are refused naming the field. ``cache_control`` markers,
``citations`` and other unknown keys are accepted and ignored. ``thinking.signature`` is
optional: a block without one (or with another model's) still loads.
"""

from __future__ import annotations

from typing import Any, Mapping

from marshmallow import Schema, ValidationError

from adapter import vocabulary
from adapter.schemas.base import StrictSchema
from adapter.schemas.fields import Bool, Choice, Obj, Str, unsupported_value
from adapter.schemas.messages import check_base64
from adapter.schemas.unions import Alternatives, Array, Tagged

IMAGE_MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
_NO_FILES = unsupported_value(
    "uploaded files are not available on this gateway (there is no Files API); send 'base64' or 'url' sources"
)
_SERVER_BLOCK = unsupported_value("server tool blocks are not available on Gemini; only client tools are")
SERVER_BLOCKS: dict[str, Any] = {
    name: _SERVER_BLOCK
    for name in (
        "server_tool_use",
        "web_search_tool_result",
        "web_fetch_tool_result",
        "code_execution_tool_result",
        "bash_code_execution_tool_result",
        "text_editor_code_execution_tool_result",
        "tool_search_tool_result",
        "mcp_tool_use",
        "mcp_tool_result",
        "container_upload",
    )
}


def _tag(name: str) -> Choice:
    return Choice((name,), required=True)


def _check_remote(url: str) -> None:
    if not vocabulary.is_fetched(url):
        raise ValidationError("must be an http:// or https:// URL")


class TextBlockSchema(StrictSchema):
    type = _tag("text")
    text = Str(required=True)


class Base64ImageSourceSchema(StrictSchema):
    type = _tag("base64")
    media_type = Choice(IMAGE_MEDIA_TYPES, required=True)
    data = Str(required=True, validate=check_base64)


class UrlSourceSchema(StrictSchema):
    type = _tag("url")
    url = Str(required=True, validate=_check_remote)


class ImageBlockSchema(StrictSchema):
    type = _tag("image")
    source = Tagged(
        "type", {"base64": Base64ImageSourceSchema(), "url": UrlSourceSchema()}, refused={"file": _NO_FILES},
        required=True,
    )


class Base64PdfSourceSchema(StrictSchema):
    type = _tag("base64")
    media_type = Choice(("application/pdf",), required=True)
    data = Str(required=True, validate=check_base64)


class PlainTextSourceSchema(StrictSchema):
    type = _tag("text")
    media_type = Choice(("text/plain",), required=True)
    data = Str(required=True)


class ContentSourceSchema(StrictSchema):
    type = _tag("content")
    content = Alternatives(
        {str: Str(), list: Array(Tagged("type", {"text": TextBlockSchema(), "image": ImageBlockSchema()}))},
        required=True,
        invalid="must be a string or an array of text and image blocks",
    )


class DocumentBlockSchema(StrictSchema):
    type = _tag("document")
    source = Tagged(
        "type",
        {
            "base64": Base64PdfSourceSchema(),
            "text": PlainTextSourceSchema(),
            "url": UrlSourceSchema(),
            "content": ContentSourceSchema(),
        },
        refused={"file": _NO_FILES},
        required=True,
    )
    title = Str(allow_none=True)
    context = Str(allow_none=True)


TEXT_BLOCK = TextBlockSchema()
RESULT_BLOCKS: dict[str, Schema] = {"text": TEXT_BLOCK, "image": ImageBlockSchema(), "document": DocumentBlockSchema()}


class ToolResultBlockSchema(StrictSchema):
    type = _tag("tool_result")
    tool_use_id = Str(required=True)
    content = Alternatives(
        {str: Str(), list: Array(Tagged("type", RESULT_BLOCKS))},
        invalid="must be a string or an array of text, image and document blocks",
    )
    is_error = Bool(allow_none=True)


class ToolUseBlockSchema(StrictSchema):
    type = _tag("tool_use")
    id = Str(required=True)
    name = Str(required=True)
    input = Obj(required=True)


class ThinkingBlockSchema(StrictSchema):
    type = _tag("thinking")
    thinking = Str(required=True)
    signature = Str(allow_none=True)


class RedactedThinkingBlockSchema(StrictSchema):
    type = _tag("redacted_thinking")
    data = Str(required=True)


USER_BLOCKS: dict[str, Schema] = {**RESULT_BLOCKS, "tool_result": ToolResultBlockSchema()}
ASSISTANT_BLOCKS: dict[str, Schema] = {
    "text": TEXT_BLOCK,
    "tool_use": ToolUseBlockSchema(),
    "thinking": ThinkingBlockSchema(),
    "redacted_thinking": RedactedThinkingBlockSchema(),
}


def content_field(blocks: Mapping[str, Schema], **kwargs: Any) -> Alternatives:
    """Message content: a string, or an array of the given block types."""
    return Alternatives(
        {str: Str(), list: Array(Tagged("type", blocks, refused=SERVER_BLOCKS))},
        invalid="must be a string or an array of content blocks",
        **kwargs,
    )


class UserMessageSchema(StrictSchema):
    role = _tag("user")
    content = content_field(USER_BLOCKS, required=True)


class AssistantMessageSchema(StrictSchema):
    role = _tag("assistant")
    content = content_field(ASSISTANT_BLOCKS, required=True)


class SystemMessageSchema(StrictSchema):
    """Not in Anthropic's documented API, but Claude Code sends one (its environment description)."""

    role = _tag("system")
    content = Alternatives(
        {str: Str(), list: Array(Tagged("type", {"text": TEXT_BLOCK}))},
        required=True,
        invalid="must be a string or an array of text blocks",
    )


def messages_field(**kwargs: Any) -> Array:
    roles = Tagged(
        "role", {"user": UserMessageSchema(), "assistant": AssistantMessageSchema(), "system": SystemMessageSchema()}
    )
    return Array(roles, **kwargs)


def system_field() -> Alternatives:
    return Alternatives(
        {str: Str(), list: Array(Tagged("type", {"text": TEXT_BLOCK}))},
        allow_none=True,
        invalid="must be a string or an array of text blocks",
    )
