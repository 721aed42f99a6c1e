"""The embeddings request schema."""

from __future__ import annotations

from typing import Any

import pytest

from adapter.errors import InvalidRequest
from adapter.schemas.embeddings import EMBEDDING_REQUEST_SCHEMA
from adapter.validation import load_body

MODEL = "text-embedding-005"

VALID: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("one string", {"model": MODEL, "input": "hello"}, {"model": MODEL, "input": "hello"}),
    ("strings and options", {"model": MODEL, "input": ["a", "b"], "dimensions": 256, "encoding_format": "base64",
                             "user": "u"},
     {"model": MODEL, "input": ["a", "b"], "dimensions": 256, "encoding_format": "base64", "user": "u"}),
    ("nulls and unknown keys left out", {"model": MODEL, "input": "x", "dimensions": None, "encoding_format": None,
                                         "input_type": "query"}, {"model": MODEL, "input": "x"}),
    ("2048 inputs", {"model": MODEL, "input": ["x"] * 2048}, {"model": MODEL, "input": ["x"] * 2048}),
    ("token array", {"model": MODEL, "input": [15339, 0, 1917]}, {"model": MODEL, "input": [15339, 0, 1917]}),
    ("token arrays", {"model": MODEL, "input": [[1, 2], [3]]}, {"model": MODEL, "input": [[1, 2], [3]]}),
    ("2048 token arrays", {"model": MODEL, "input": [[7]] * 2048}, {"model": MODEL, "input": [[7]] * 2048}),
]


@pytest.mark.parametrize(("body", "expected"), [row[1:] for row in VALID], ids=[row[0] for row in VALID])
def test_accepts(body: dict[str, Any], expected: dict[str, Any]) -> None:
    assert load_body(EMBEDDING_REQUEST_SCHEMA, body) == expected


INVALID: list[tuple[str, dict[str, Any], str, str, str]] = [
    ("no input", {"model": MODEL}, "input", "Missing required parameter: 'input'.", "missing_required_parameter"),
    ("no model", {"input": "x"}, "model", "Missing required", "missing_required_parameter"),
    ("negative token id", {"model": MODEL, "input": [1, -2]}, "input[1]", "must be a token id", "invalid_value"),
    ("string in a token array", {"model": MODEL, "input": [1, "a"]}, "input[1]", "must be a token id",
     "invalid_value"),
    ("float token id", {"model": MODEL, "input": [[1, 2.5]]}, "input[0][1]", "must be a token id", "invalid_value"),
    ("boolean token id", {"model": MODEL, "input": [[1], [True]]}, "input[1][0]", "must be a token id",
     "invalid_value"),
    ("empty token array", {"model": MODEL, "input": [[1], []]}, "input[1]", "non-empty array of token ids",
     "invalid_value"),
    ("text among token arrays", {"model": MODEL, "input": [[1], "a"]}, "input[1]", "non-empty array of token ids",
     "invalid_value"),
    ("too many token arrays", {"model": MODEL, "input": [[1]] * 2049}, "input", "between 1 and 2048 token arrays",
     "invalid_value"),
    ("empty string", {"model": MODEL, "input": ""}, "input", "must not be an empty string", "invalid_value"),
    ("empty string in list", {"model": MODEL, "input": ["a", ""]}, "input[1]", "must not be an empty string",
     "invalid_value"),
    ("mixed list", {"model": MODEL, "input": ["a", 1]}, "input[1]", "must be a string", "invalid_value"),
    ("empty list", {"model": MODEL, "input": []}, "input", "between 1 and 2048", "invalid_value"),
    ("too many", {"model": MODEL, "input": ["x"] * 2049}, "input", "between 1 and 2048", "invalid_value"),
    ("object input", {"model": MODEL, "input": {"text": "x"}}, "input", "a string, an array of strings, a token array",
     "invalid_value"),
    ("zero dimensions", {"model": MODEL, "input": "x", "dimensions": 0}, "dimensions", "between 1 and",
     "invalid_value"),
    ("boolean dimensions", {"model": MODEL, "input": "x", "dimensions": True}, "dimensions", "must be an integer",
     "invalid_value"),
    ("encoding", {"model": MODEL, "input": "x", "encoding_format": "int8"}, "encoding_format",
     "must be one of 'float', 'base64'", "invalid_value"),
]


@pytest.mark.parametrize(
    ("body", "param", "fragment", "code"), [row[1:] for row in INVALID], ids=[row[0] for row in INVALID]
)
def test_refuses(body: dict[str, Any], param: str, fragment: str, code: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        load_body(EMBEDDING_REQUEST_SCHEMA, body)
    assert (caught.value.param, caught.value.code) == (param, code)
    assert fragment in caught.value.message
