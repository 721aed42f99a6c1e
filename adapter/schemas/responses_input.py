"""The ``input`` of ``POST /v1/responses``: items and their content parts.

An item is picked by its ``type``; a bare ``{"role", "content"}`` object (the SDK's
``EasyInputMessage``) is a ``message``. Accepted items: ``message`` (roles ``user``,
``system``, ``developer``, ``assistant``), ``function_call`` and ``function_call_output``,
``custom_tool_call`` and ``custom_tool_call_output``, ``reasoning`` and ``item_reference``.
Items of hosted tools Gemini never runs (``web_search_call``, ``computer_call``, ...) are
refused naming ``input[i].type``. Content parts: ``input_text``, ``input_image``,
``input_file``, ``input_audio`` (user), ``output_text`` and ``refusal`` (assistant), by role as
:data:`adapter.vocabulary.RESPONSES_PART_TYPES` lists them. Unknown keys are left out.

Media follow the chat rules of :mod:`adapter.schemas.messages` and the words of
:mod:`adapter.vocabulary`: URLs are ``data:`` (base64 that decodes), ``http(s)://`` or ``gs://``
with a known extension; ``file_data`` is a data URL or bare base64 with a known ``filename``;
``input_audio.data`` is base64. There is no Files API, so a ``file_id`` alone is refused. A part
loaded here is one :mod:`adapter.translate.responses.content` translates without checking again.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from adapter.schemas import responses_fast
from adapter.schemas.base import StrictSchema
from adapter import vocabulary
from adapter.schemas.fields import MISSING, Choice, Obj, Str, unsupported_value
from adapter.schemas.messages import URL_OPENAPI, AudioPartSchema, check_bare_base64, check_url
from adapter.schemas.tools import function_name
from adapter.schemas.unions import Alternatives, Array, Tagged

MESSAGE_ROLES = tuple(vocabulary.RESPONSES_PART_TYPES)
HOSTED_ITEMS = (
    "web_search_call", "file_search_call", "computer_call", "computer_call_output", "image_generation_call",
    "code_interpreter_call", "local_shell_call", "local_shell_call_output", "shell_call", "shell_call_output",
    "apply_patch_call", "apply_patch_call_output", "mcp_list_tools", "mcp_approval_request",
    "mcp_approval_response", "mcp_call", "compaction", "tool_search_call", "tool_search_output",
)
_HOSTED_ITEM = unsupported_value("items of hosted tools cannot be replayed: Gemini runs none of them")
_NO_FILES_API = unsupported_value(
    "uploaded files are not available (there is no Files API); send the data or a URL"
)


class InputTextSchema(StrictSchema):
    type = Choice(("input_text",), required=True)
    text = Str(required=True)


def _source_error(data: dict[str, Any], key: str) -> dict[str, list[Any]]:
    """The error of a media part without ``key``: ``file_id`` alone, or ``key`` missing."""
    return {"file_id": [_NO_FILES_API]} if data.get("file_id") is not None else {key: [MISSING]}


class InputImageSchema(StrictSchema):
    type = Choice(("input_image",), required=True)
    image_url = Str(allow_none=True, validate=check_url, metadata={"openapi": URL_OPENAPI})
    file_id = Str(allow_none=True)
    detail = Choice(vocabulary.IMAGE_DETAILS, allow_none=True)

    @validates_schema
    def _check_source(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("image_url") is None:
            raise ValidationError(_source_error(data, "image_url"))


class InputFileSchema(StrictSchema):
    type = Choice(("input_file",), required=True)
    file_data = Str(metadata={"description": "A base64 data: URL (or bare base64 with a filename)."})
    file_url = Str(validate=check_url, metadata={"openapi": URL_OPENAPI})
    file_id = Str(allow_none=True)
    filename = Str()

    @validates_schema
    def _check_source(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "file_url" in data:
            return
        file_data = data.get("file_data")
        if not file_data:
            raise ValidationError(_source_error(data, "file_data"))
        if vocabulary.url_scheme(file_data) == vocabulary.DATA_SCHEME:
            try:
                check_url(file_data)
            except ValidationError as err:
                raise ValidationError({"file_data": err.messages}) from None
            return
        check_bare_base64(data)


class OutputTextSchema(StrictSchema):
    type = Choice(("output_text",), required=True)
    text = Str(required=True)
    annotations = Array(Obj())
    logprobs = Array(Obj())


class RefusalSchema(StrictSchema):
    type = Choice(("refusal",), required=True)
    refusal = Str(required=True)


INPUT_PARTS = {
    "input_text": InputTextSchema(),
    "input_image": InputImageSchema(),
    "input_file": InputFileSchema(),
    "input_audio": AudioPartSchema(),  # the same part as in chat
}
CONTENT_PARTS = {**INPUT_PARTS, "output_text": OutputTextSchema(), "refusal": RefusalSchema()}


def _parts(parts: dict[str, StrictSchema], **kwargs: Any) -> Alternatives:
    return Alternatives(
        {str: Str(), list: Array(Tagged("type", parts))}, invalid="must be a string or an array of content parts", **kwargs
    )


class MessageItemSchema(StrictSchema):
    type = Choice(("message",), required=True)
    role = Choice(MESSAGE_ROLES, required=True)
    content = _parts(CONTENT_PARTS, required=True)
    id = Str()
    status = Str()

    @validates_schema
    def _parts_of_role(self, data: dict[str, Any], **kwargs: Any) -> None:
        j = responses_fast.misplaced_part(data)
        if j is not None:
            allowed = ", ".join(vocabulary.RESPONSES_PART_TYPES[data["role"]])
            phrase = f"a {data['role']} message takes only these part types: {allowed}"
            raise ValidationError({"content": {j: {"type": [phrase]}}})


class FunctionCallItemSchema(StrictSchema):
    type = Choice(("function_call",), required=True)
    call_id = Str(required=True)
    name = function_name(required=True)
    arguments = Str(required=True)
    id = Str()
    status = Str()


class FunctionCallOutputItemSchema(StrictSchema):
    type = Choice(("function_call_output",), required=True)
    call_id = Str(required=True)
    output = _parts(INPUT_PARTS, required=True)
    id = Str(allow_none=True)
    status = Str(allow_none=True)


class CustomToolCallItemSchema(StrictSchema):
    type = Choice(("custom_tool_call",), required=True)
    call_id = Str(required=True)
    name = function_name(required=True)
    input = Str(required=True)
    id = Str()


class CustomToolCallOutputItemSchema(StrictSchema):
    type = Choice(("custom_tool_call_output",), required=True)
    call_id = Str(required=True)
    output = _parts(INPUT_PARTS, required=True)
    id = Str()


class ReasoningItemSchema(StrictSchema):
    type = Choice(("reasoning",), required=True)
    id = Str()
    summary = Array(Obj())
    content = Array(Obj(), allow_none=True)
    encrypted_content = Str(allow_none=True)
    status = Str()


class ItemReferenceSchema(StrictSchema):
    type = Choice(("item_reference",), required=True)
    id = Str(required=True)


ITEMS = {
    "message": MessageItemSchema(),
    "function_call": FunctionCallItemSchema(),
    "function_call_output": FunctionCallOutputItemSchema(),
    "custom_tool_call": CustomToolCallItemSchema(),
    "custom_tool_call_output": CustomToolCallOutputItemSchema(),
    "reasoning": ReasoningItemSchema(),
    "item_reference": ItemReferenceSchema(),
}


class InputItem(Tagged):
    """An input item by ``type``; a bare ``{"role", "content"}`` object is a message."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return super()._deserialize(_typed(value), attr, data, **kwargs)

    def fast_load(self, value: Any) -> Any:
        return super().fast_load(_typed(value))


def _typed(value: Any) -> Any:
    if type(value) is dict and "type" not in value and "role" in value:
        return {**value, "type": "message"}
    return value


def input_field() -> Alternatives:
    refused = {kind: _HOSTED_ITEM for kind in HOSTED_ITEMS}
    items = Array(InputItem("type", ITEMS, refused=refused, fast=responses_fast.ITEMS))
    return Alternatives({str: Str(), list: items}, allow_none=True, invalid="must be a string or an array of items")
