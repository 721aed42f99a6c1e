"""Validate gateway output against OpenAI's published response schemas.

The schemas are the extract in ``tests/fixtures/openai/openai_schemas.json`` (JSON Schema 2020-12,
see its README). Each ``assert_*`` raises ``AssertionError`` naming the failing path; it accepts
plain dicts (what the gateway builds or what a test decoded from a response body).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "openai" / "openai_schemas.json"


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validator(root: str) -> Draft202012Validator:
    """A validator for one schema of the extract (``CreateChatCompletionResponse``, ...)."""
    document = _document()
    if root not in document["$defs"]:
        raise KeyError(f"no schema named {root} in {SCHEMA_FILE.name}")
    schema = {"$schema": document["$schema"], "$defs": document["$defs"], "$ref": f"#/$defs/{root}"}
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def assert_valid(obj: Any, root: str) -> None:
    errors = sorted(validator(root).iter_errors(obj), key=lambda error: list(error.absolute_path))
    if errors:
        lines = [f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}" for error in errors[:5]]
        raise AssertionError(f"not a valid {root}:\n  " + "\n  ".join(lines))


def assert_chat_completion(obj: Any) -> None:
    assert_valid(obj, "CreateChatCompletionResponse")


def assert_chunk(obj: Any) -> None:
    assert_valid(obj, "CreateChatCompletionStreamResponse")


def assert_model_list(obj: Any) -> None:
    assert_valid(obj, "ListModelsResponse")


def assert_error(obj: Any) -> None:
    assert_valid(obj, "ErrorResponse")


# Embeddings are not in the extract: CreateEmbeddingResponse and Embedding transcribed from the same
# OpenAPI document (components.schemas). The document types ``embedding`` as an array of numbers
# only; a base64 string (``encoding_format: "base64"``) is accepted too, as the SDKs type it.
EMBEDDING_LIST_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["object", "model", "data", "usage"],
    "properties": {
        "object": {"type": "string", "enum": ["list"]},
        "model": {"type": "string"},
        "data": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["index", "object", "embedding"],
                "properties": {
                    "index": {"type": "integer"},
                    "object": {"type": "string", "enum": ["embedding"]},
                    "embedding": {"anyOf": [{"type": "array", "items": {"type": "number"}}, {"type": "string", "contentEncoding": "base64"}]},
                },
            },
        },
        "usage": {
            "type": "object",
            "required": ["prompt_tokens", "total_tokens"],
            "properties": {"prompt_tokens": {"type": "integer"}, "total_tokens": {"type": "integer"}},
        },
    },
}


def assert_embedding_list(obj: Any) -> None:
    errors = list(Draft202012Validator(EMBEDDING_LIST_SCHEMA).iter_errors(obj))
    if errors:
        lines = [f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}" for error in errors[:5]]
        raise AssertionError("not a valid CreateEmbeddingResponse:\n  " + "\n  ".join(lines))
