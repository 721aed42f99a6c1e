"""``POST /v1/embeddings``: the request body, and the response shape for the document.

``input`` is a string or an array of strings (at most 2048, none empty). Token arrays (the
integer form OpenAI also accepts) cannot be sent to Vertex's text embedding models and are
refused with a 400 naming ``input``. Unknown keys are ignored, as for chat; top-level ``null``
values are left out.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate

from adapter.schemas.base import ResponseSchema, StrictSchema
from adapter.schemas.fields import INT32_MAX, Choice, Int, Num, Str, between, model_field, unsupported_value
from adapter.schemas.unions import Alternatives, Array

MAX_INPUTS = 2048
_TOKEN_ARRAYS = unsupported_value(
    "token arrays are not supported; send the text (a string or an array of strings)"
)


def _text(**kwargs: Any) -> Str:
    return Str(validate=validate.Length(min=1, error="must not be an empty string"), **kwargs)


class EmbeddingInput(Alternatives):
    """A string or an array of strings; token arrays are refused as a whole."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if type(value) is list and value and type(value[0]) in (int, list):
            raise ValidationError(_TOKEN_ARRAYS)
        return super()._deserialize(value, attr, data, **kwargs)


class EmbeddingRequestSchema(StrictSchema):
    model = model_field()
    input = EmbeddingInput(
        {
            str: _text(),
            list: Array(
                _text(),
                validate=validate.Length(
                    min=1, max=MAX_INPUTS, error=f"must hold between 1 and {MAX_INPUTS} strings"
                ),
            ),
        },
        required=True,
        invalid="must be a string or an array of strings",
    )
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
