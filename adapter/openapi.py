"""The OpenAPI 3.1 document of the gateway, generated from the marshmallow schemas.

Request bodies come from the same schema singletons that validate requests, so the document
says what the gateway accepts (schemathesis fuzzes the app from it). What JSON Schema can say
beyond the fields (an assistant message needs content or tool calls, ``top_logprobs`` needs
``logprobs``...) is added from each schema's ``OPENAPI_EXTRA``; the rules that span lists
(unique tool names, a ``tool_choice`` naming a declared tool) are only described. Response
bodies of chat completions and models are OpenAI's own JSON Schemas (``openai_responses.json``).

Build the document once (it takes milliseconds) and serve the dict.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.openapi import OpenAPIConverter
from marshmallow import Schema, fields

from adapter.schemas.base import ResponseSchema
from adapter.schemas.chat import ChatCompletionRequestSchema
from adapter.schemas.embeddings import EmbeddingListSchema, EmbeddingRequestSchema
from adapter.schemas.errors import ErrorSchema
from adapter.schemas.fields import Str
from adapter.schemas.responses import ResponseRequestSchema
from adapter.schemas.unions import Alternatives, Tagged

OPENAI_RESPONSES = Path(__file__).resolve().parent / "schemas" / "openai_responses.json"
_OPENAI_REF = "#/$defs/"
_COMPONENT_REF = "#/components/schemas/"
_ERRORS = {
    "400": "Invalid request: `param` names the offending field.",
    "401": "Missing, wrong or expired API key.",
    "403": "The client key may not use this model or endpoint, or Vertex AI refused the credentials.",
    "404": "Unknown model, or unknown stored response.",
    "413": "The request body is too large.",
    "429": "Rate limited (the client key's limits, Vertex AI, or every credential is cooling down).",
    "5XX": "Vertex AI failed or could not be reached.",
    "default": "Any other error, in the same shape.",
}


class HealthSchema(ResponseSchema):
    status = Str(required=True)
    version = Str()


def _component_name(schema: type[Schema] | Schema) -> str:
    """``ChatCompletionRequestSchema`` is documented as ``ChatCompletionRequest``; the Responses
    request's parts get a ``Responses`` prefix (chat has parts of the same names), and a name
    that OpenAI's response schemas already use gets a ``Request`` suffix."""
    schema_class = schema if isinstance(schema, type) else type(schema)
    name = schema_class.__name__.removesuffix("Schema")
    if schema_class.__module__.startswith("adapter.schemas.responses") and not name.startswith("Response"):
        name = "Responses" + name
    return f"{name}Request" if name in _openai_names() else name


@lru_cache(maxsize=1)
def _openai_names() -> frozenset[str]:
    return frozenset(_openai_components())


def _custom_property(self: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    """apispec attribute function: our union fields, and raw ``metadata["openapi"]``."""
    prop = field.openapi_property(self) if isinstance(field, (Alternatives, Tagged)) else {}
    return {**prop, **field.metadata.get("openapi", {})}


def _add_extras(document: dict[str, Any], converter: OpenAPIConverter) -> dict[str, Any]:
    """``document`` with each schema class's ``OPENAPI_EXTRA`` merged into its component."""
    components = dict(document["components"]["schemas"])
    for key, name in converter.refs.items():
        extra = getattr(key[0], "OPENAPI_EXTRA", None)
        if extra:
            components[name] = {**components[name], **extra}
    return {**document, "components": {**document["components"], "schemas": components}}


def _openai_components() -> dict[str, Any]:
    """OpenAI's response schemas with their references pointed at ``components/schemas``."""
    text = OPENAI_RESPONSES.read_text(encoding="utf-8").replace(_OPENAI_REF, _COMPONENT_REF)
    return json.loads(text)["$defs"]


def _json(schema: Any) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _error_response_name(status: str) -> str:
    return f"Error{status[:1].upper()}{status[1:]}"


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: {"$ref": f"#/components/responses/{_error_response_name(status)}"} for status in statuses}


_ALL_ERRORS = tuple(_ERRORS)


def _chat_operation() -> dict[str, Any]:
    stream = {
        "schema": {
            "type": "object", "required": ["data"], "properties": {"data": {"type": "string"}},
            "description": "Each server-sent event: `data: <CreateChatCompletionStreamResponse>`, "
            "then `data: [DONE]`; a failure after the start is a `data: {\"error\": ...}` event.",
        }
    }
    return {
        "operationId": "createChatCompletion",
        "summary": "Chat completion on a Gemini model (streamed with `stream: true`).",
        "requestBody": {"required": True, "content": _json(ChatCompletionRequestSchema)},
        "responses": {
            "200": {
                "description": "A chat completion, or a stream of chunks.",
                "content": {
                    **_json({"$ref": f"{_COMPONENT_REF}CreateChatCompletionResponse"}),
                    "text/event-stream": stream,
                },
            },
            **_errors(*_ALL_ERRORS),
        },
    }


_RESPONSE_ID = {"name": "response_id", "in": "path", "required": True, "schema": {"type": "string"}}
_STORED_ERRORS = {"404": {"$ref": "#/components/responses/Error404"}, **_errors("401", "5XX", "default")}


def _responses_paths() -> dict[str, dict[str, Any]]:
    """The Responses API: create (whole or streamed), count, and the stored responses."""
    return {
        "/v1/responses": {"post": _create_response_operation()},
        "/v1/responses/input_tokens": {"post": {
            "operationId": "countResponseInputTokens",
            "requestBody": {"required": True, "content": _json(ResponseRequestSchema)},
            "responses": {"200": {"description": "The input token count (Vertex countTokens).", "content": _json({
                "type": "object", "required": ["object", "input_tokens"],
                "properties": {"object": {"const": "response.input_tokens"}, "input_tokens": {"type": "integer"}}})},
                **_errors(*_ALL_ERRORS)},
        }},
        **_stored_response_paths(),
    }


def _create_response_operation() -> dict[str, Any]:
    stream = {"schema": {
        "type": "object", "required": ["event", "data"],
        "properties": {"event": {"type": "string"}, "data": {"type": "string", "contentMediaType": "application/json"}},
        "description": "Each server-sent event: `event: <type>` / `data: <ResponseStreamEvent>`; the stream ends with "
                       "response.completed, response.incomplete or response.failed.",
    }}
    return {
        "operationId": "createResponse",
        "summary": "A model response on Gemini (streamed with `stream: true`), stored unless `store` is false.",
        "requestBody": {"required": True, "content": _json(ResponseRequestSchema)},
        "responses": {"200": {"description": "A response, or a stream of its events.",
                              "content": {**_json({"$ref": f"{_COMPONENT_REF}Response"}), "text/event-stream": stream}},
                      **_errors(*_ALL_ERRORS)},
    }


def _stored_response_paths() -> dict[str, dict[str, Any]]:
    deleted = {"type": "object", "required": ["id", "object", "deleted"],
               "properties": {"id": {"type": "string"}, "object": {"const": "response.deleted"}, "deleted": {"const": True}}}
    page_parameters = [
        _RESPONSE_ID,
        {"name": "order", "in": "query", "schema": {"enum": ["asc", "desc"]}},
        {"name": "after", "in": "query", "schema": {"type": "string"}},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
    ]
    bad_request = {"400": {"$ref": "#/components/responses/Error400"}}
    return {
        "/v1/responses/{response_id}": {
            "get": {"operationId": "getResponse", "parameters": [_RESPONSE_ID], "responses": {
                "200": {"description": "A stored response.", "content": _json({"$ref": f"{_COMPONENT_REF}Response"})},
                **_STORED_ERRORS}},
            "delete": {"operationId": "deleteResponse", "parameters": [_RESPONSE_ID], "responses": {
                "200": {"description": "Deleted.", "content": _json(deleted)}, **_STORED_ERRORS}},
        },
        "/v1/responses/{response_id}/input_items": {"get": {
            "operationId": "listInputItems", "parameters": page_parameters, "responses": {
                "200": {"description": "A page of the response's input items.",
                        "content": _json({"$ref": f"{_COMPONENT_REF}ResponseItemList"})},
                **bad_request, **_STORED_ERRORS},
        }},
        "/v1/responses/{response_id}/cancel": {"post": {
            "operationId": "cancelResponse", "parameters": [_RESPONSE_ID],
            "responses": {**bad_request, **_errors("401", "default")},
        }},
    }


def _usage_operation() -> dict[str, Any]:
    totals = {"type": "object", "required": ["requests", "tokens"], "properties": {"requests": {"type": "integer"}, "tokens": {"type": "integer"}}}
    day = {"type": "object", "required": ["date", "requests", "tokens"],
           "properties": {"date": {"type": "string", "format": "date"}, **totals["properties"]}}
    key = {"type": "object", "required": ["name", "today", "last_30_days", "daily"], "properties": {
        "name": {"type": "string"}, "today": totals, "last_30_days": totals, "daily": {"type": "array", "items": day}}}
    report = {"type": "object", "required": ["object", "today", "first_day", "keys"], "properties": {
        "object": {"const": "usage_report"}, "today": {"type": "string", "format": "date"},
        "first_day": {"type": "string", "format": "date"}, "keys": {"type": "array", "items": key}}}
    return {
        "operationId": "getUsage",
        "summary": "Requests and tokens per client key, today and over the last 30 UTC days (admin key only).",
        "responses": {"200": {"description": "The usage report.", "content": _json(report)}, **_errors("401", "403", "5XX", "default")},
    }


def _paths() -> dict[str, dict[str, Any]]:
    model_parameter = {"name": "model", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/": {"get": {
            "operationId": "health",
            "summary": "Service status (JSON, or a page for browsers).",
            "security": [],
            "responses": {"200": {"description": "Up.", "content": {
                **_json(HealthSchema), "text/html": {"schema": {"type": "string"}}}}},
        }},
        "/v1/chat/completions": {"post": _chat_operation()},
        "/v1/models": {"get": {
            "operationId": "listModels",
            "responses": {
                "200": {"description": "The models the configured credentials can serve.",
                        "content": _json({"$ref": f"{_COMPONENT_REF}ListModelsResponse"})},
                **_errors("401", "5XX", "default"),
            },
        }},
        "/v1/models/{model}": {"get": {
            "operationId": "retrieveModel",
            "parameters": [model_parameter],
            "responses": {
                "200": {"description": "One model.", "content": _json({"$ref": f"{_COMPONENT_REF}Model"})},
                **_errors("401", "404", "5XX", "default"),
            },
        }},
        "/v1/usage": {"get": _usage_operation()},
        "/v1/embeddings": {"post": {
            "operationId": "createEmbedding",
            "requestBody": {"required": True, "content": _json(EmbeddingRequestSchema)},
            "responses": {
                "200": {"description": "Embeddings, in input order.", "content": _json(EmbeddingListSchema)},
                **_errors(*_ALL_ERRORS),
            },
        }},
        **_responses_paths(),
    }


def build_openapi_spec(version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document (a fresh dict) for the gateway at ``version``."""
    plugin = MarshmallowPlugin(schema_name_resolver=_component_name)
    spec = APISpec(
        title="Vertex AI Gemini gateway (OpenAI-compatible)",
        version=version,
        openapi_version="3.1.0",
        plugins=[plugin],
        info={"description": "OpenAI Chat Completions, Responses, Models and Embeddings on Vertex AI Gemini."},
        security=[{"bearerAuth": []}],
    )
    converter = cast(OpenAPIConverter, plugin.converter)
    converter.add_attribute_function(_custom_property)
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for name, component in _openai_components().items():
        spec.components.schema(name, component=component)
    spec.components.schema("Error", schema=ErrorSchema)
    for status, description in _ERRORS.items():
        response = {"description": description, "content": _json(ErrorSchema)}
        spec.components.response(_error_response_name(status), response)
    for path, operations in _paths().items():
        spec.path(path=path, operations=operations)
    return _add_extras(spec.to_dict(), converter)
