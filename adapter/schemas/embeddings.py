"""``POST /v1/embeddings``: the request body, and the response shape for the document.

``input`` is a string, an array of strings (at most 2048, none empty), a token array (an array
of token ids) or an array of token arrays (at most 2048, none empty), as OpenAI takes it. Token
ids are checked here to be integers from 0; whether the vocabulary has them is for the
translation, which decodes them (:mod:`adapter.translate.tokens`). Unknown keys are ignored, as
for chat; top-level ``null`` values are left out.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate

from adapter.schemas.base import ResponseSchema, StrictSchema
from adapter.schemas.fields import BASE_MESSAGES, INT32_MAX, Choice, Int, Num, Str, between, model_field
from adapter.schemas.unions import Alternatives, Array, Converter

MAX_INPUTS = 2048
_TOKEN_ID = "must be a token id (an integer from 0)"


def _text(**kwargs: Any) -> Str:
    return Str(validate=validate.Length(min=1, error="must not be an empty string"), **kwargs)


def _is_token_id(value: Any) -> bool:
    return type(value) is int and value >= 0


class TokenArray(fields.Field):
    """A non-empty array of token ids, checked in one pass (a request may carry 300,000)."""

    default_error_messages = {**BASE_MESSAGES, "invalid": "must be a non-empty array of token ids (integers from 0)"}

    def __init__(self, **kwargs: Any) -> None:
        openapi = {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 0}}
        super().__init__(metadata={"openapi": openapi}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[int]:
        if type(value) is not list or not value:
            raise self.make_error("invalid")
        if not all(map(_is_token_id, value)):
            position = next(index for index, item in enumerate(value) if not _is_token_id(item))
            raise ValidationError({position: [_TOKEN_ID]})
        return value


class EmbeddingInput(Alternatives):
    """A string or an array of strings, token ids or token arrays (the first item tells which)."""

    def __init__(self, **kwargs: Any) -> None:
        self.token_forms: dict[type, fields.Field] = {
            int: TokenArray(),
            list: Array(
                TokenArray(),
                validate=validate.Length(
                    min=1, max=MAX_INPUTS, error=f"must hold between 1 and {MAX_INPUTS} token arrays"
                ),
            ),
        }
        super().__init__(
            {
                str: _text(),
                list: Array(
                    _text(),
                    validate=validate.Length(
                        min=1, max=MAX_INPUTS, error=f"must hold between 1 and {MAX_INPUTS} strings"
                    ),
                ),
            },
            invalid="must be a string, an array of strings, a token array or an array of token arrays",
            **kwargs,
        )

    def _bind_to_schema(self, field_name: str, parent: Any) -> None:
        super()._bind_to_schema(field_name, parent)
        for field in self.token_forms.values():
            field._bind_to_schema(field_name, self)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        form = self.token_forms.get(type(value[0])) if type(value) is list and value else None
        if form is not None:
            return form.deserialize(value, attr, data, **kwargs)
        return super()._deserialize(value, attr, data, **kwargs)

    def openapi_property(self, converter: Converter) -> dict[str, Any]:
        prop = super().openapi_property(converter)
        tokens = [converter.field2property(field) for field in self.token_forms.values()]
        return {"anyOf": prop["anyOf"] + tokens}


class EmbeddingRequestSchema(StrictSchema):
    model = model_field()
    input = EmbeddingInput(required=True)
    dimensions = Int(allow_none=True, validate=between(1, INT32_MAX))
    encoding_format = Choice(("float", "base64"), allow_none=True)
    user = Str(allow_none=True)

    @post_load
    def _drop_nulls(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {key: value for key, value in data.items() if value is not None}


EMBEDDING_REQUEST_SCHEMA = EmbeddingRequestSchema()
"""The one instance (schemas are built once, at import)."""


class EmbeddingSchema(ResponseSchema):
    object = Choice(("embedding",), required=True)
    index = Int(required=True)
    embedding = Alternatives(
        {list: Array(Num()), str: Str(metadata={"description": "Base64 of little-endian float32."})},
        required=True,
        invalid="must be an array of numbers or a base64 string",
    )


class EmbeddingUsageSchema(ResponseSchema):
    prompt_tokens = Int(required=True)
    total_tokens = Int(required=True)


class EmbeddingListSchema(ResponseSchema):
    object = Choice(("list",), required=True)
    data = Array(fields.Nested(EmbeddingSchema()), required=True)
    model = Str(required=True)
    usage = fields.Nested(EmbeddingUsageSchema(), required=True)
