"""The error body every failure is answered with (documented in the OpenAPI document).

``{"error": {"message", "type", "param", "code"}}``: what ``AdapterError.to_body()`` renders
and what OpenAI's SDKs parse (``param`` and ``code`` are always present, possibly null).
"""

from __future__ import annotations

from marshmallow import fields

from adapter.schemas.base import ResponseSchema
from adapter.schemas.fields import Str


class ErrorObjectSchema(ResponseSchema):
    message = Str(required=True)
    type = Str(required=True, metadata={"description": "For example invalid_request_error."})
    param = Str(
        required=True,
        allow_none=True,
        metadata={"description": "The offending field, e.g. messages[1].content[0].image_url.url."},
    )
    code = Str(required=True, allow_none=True)


class ErrorSchema(ResponseSchema):
    error = fields.Nested(ErrorObjectSchema(), required=True)
