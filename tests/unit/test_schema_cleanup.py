"""JSON Schema → Vertex ``Schema``: each rule as a table row, and a corpus of real tool schemas."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import ModelCapabilities
from adapter.routing.model_name import parse_model_name
from adapter.translate.request import to_gemini_request
from adapter.translate.schema_cleanup import RECURSION_LIMIT, to_gemini_schema
from tests.unit.test_translate_request_walker import (
    FIXTURES,
    gemini_schema_problems,
    vertex_violations,
)

CORPUS = sorted((FIXTURES / "tool_schemas").glob("*.json"))
CLEANING = ModelCapabilities(name="old-model")
JSON_SCHEMA = ModelCapabilities(name="new-model", parameters_json_schema=True, response_json_schema=True)


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, {"type": "STRING"}),
        ({"type": "integer", "format": "int64"}, {"type": "INTEGER", "format": "int64"}),
        ({"type": "number", "format": "double", "minimum": 0, "maximum": 1}, {"type": "NUMBER", "format": "double", "minimum": 0, "maximum": 1}),
        ({"type": "string", "format": "date-time"}, {"type": "STRING", "format": "date-time"}),
        ({"type": "string", "format": "uri"}, {"type": "STRING"}),
        ({"type": "string", "pattern": "^(?=a)"}, {"type": "STRING"}),
        ({"type": "string", "title": "T", "description": "D", "default": "x"}, {"type": "STRING", "title": "T", "description": "D", "default": "x"}),
        ({"type": ["string", "null"]}, {"type": "STRING", "nullable": True}),
        ({"type": ["string", "integer"]}, {"anyOf": [{"type": "STRING"}, {"type": "INTEGER"}]}),
        ({"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None, "title": "Age"}, {"type": "INTEGER", "title": "Age", "nullable": True}),
        ({"oneOf": [{"type": "string"}, {"type": "number"}]}, {"anyOf": [{"type": "STRING"}, {"type": "NUMBER"}]}),
        ({"const": "click"}, {"type": "STRING", "enum": ["click"]}),
        ({"type": "string", "enum": ["a", "b", None]}, {"type": "STRING", "enum": ["a", "b"], "nullable": True}),
        ({"enum": ["a", 1]}, {"type": "STRING", "enum": ["a", "1"]}),
        ({"type": "integer", "enum": [1, 2]}, {"type": "INTEGER", "description": "Allowed values: 1, 2."}),
        ({"type": "array"}, {"type": "ARRAY", "items": {"type": "STRING"}}),
        ({"type": "array", "items": [{"type": "string"}]}, {"type": "ARRAY", "items": {"type": "STRING"}}),
        ({"type": "array", "items": {"type": "string"}, "uniqueItems": True, "minItems": 1}, {"type": "ARRAY", "items": {"type": "STRING"}, "minItems": 1}),
        ({"type": "object", "properties": {}}, {"type": "OBJECT"}),
        ({"type": "object", "additionalProperties": {"type": "string"}}, {"type": "OBJECT"}),
        ({"properties": {"a": {"type": "string"}}, "required": ["a", "ghost"]}, {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}, "required": ["a"]}),
        ({"properties": {"a": {}}}, {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}}),
        ({"type": "object", "properties": {"a": {"type": "string"}}, "required": []}, {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}}),
        (
            {"$schema": "x", "$comment": "c", "examples": [1], "strict": True, "type": "integer", "exclusiveMinimum": 0, "multipleOf": 2},
            {"type": "INTEGER"},
        ),
        (
            {"allOf": [{"properties": {"a": {"type": "string"}}, "required": ["a"]}, {"properties": {"b": {"type": "integer"}}, "required": ["b"]}]},
            {"type": "OBJECT", "properties": {"a": {"type": "STRING"}, "b": {"type": "INTEGER"}}, "required": ["a", "b"]},
        ),
        (
            {"type": "object", "properties": {"a": {"type": "string"}}, "anyOf": [{"required": ["a"]}, {"required": ["b"]}]},
            {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}},
        ),
        (
            {"$defs": {"C": {"type": "string", "enum": ["r", "g"]}}, "properties": {"c": {"$ref": "#/$defs/C", "description": "colour"}}},
            {"type": "OBJECT", "properties": {"c": {"type": "STRING", "enum": ["r", "g"], "description": "colour"}}},
        ),
        (
            {"definitions": {"C": {"type": "integer"}}, "properties": {"c": {"allOf": [{"$ref": "#/definitions/C"}], "title": "C"}}},
            {"type": "OBJECT", "properties": {"c": {"type": "INTEGER", "title": "C"}}},
        ),
        ({"properties": {"x": {"$ref": "https://example.com/other.json"}}}, {"type": "OBJECT", "properties": {"x": {"type": "OBJECT"}}}),
    ],
)
def test_conversion_rules(schema: dict[str, Any], expected: dict[str, Any]) -> None:
    assert to_gemini_schema(schema) == expected


def test_recursive_schema_is_cut_to_a_generic_object() -> None:
    schema = {"$defs": {"N": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/N"}}}}}, "$ref": "#/$defs/N"}
    node = to_gemini_schema(schema)
    for _ in range(RECURSION_LIMIT - 1):
        node = node["properties"]["kids"]["items"]
    assert node["properties"]["kids"]["items"] == {"type": "OBJECT"}


def test_self_reference_through_root_terminates() -> None:
    schema = {"type": "object", "properties": {"next": {"$ref": "#"}}}
    assert gemini_schema_problems(to_gemini_schema(schema), "$") == []


def test_branching_recursion_through_all_of_stays_small() -> None:
    node = {"type": "object", "properties": {"left": {"allOf": [{"$ref": "#/definitions/T"}]}, "right": {"allOf": [{"$ref": "#/definitions/T"}]}}}
    converted = to_gemini_schema({"definitions": {"T": node}, "$ref": "#/definitions/T"})
    assert gemini_schema_problems(converted, "$") == []
    assert len(json.dumps(converted)) < 2000


def test_structure_beside_a_union_applies_to_every_branch() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}},
              "oneOf": [{"properties": {"b": {"type": "integer"}}, "required": ["b"]}, {"properties": {"c": {"type": "integer"}}}]}
    assert to_gemini_schema(schema) == {"anyOf": [
        {"type": "OBJECT", "properties": {"a": {"type": "STRING"}, "b": {"type": "INTEGER"}}, "required": ["b"]},
        {"type": "OBJECT", "properties": {"a": {"type": "STRING"}, "c": {"type": "INTEGER"}}},
    ]}


KEYWORDS = ["type", "properties", "items", "required", "enum", "const", "anyOf", "oneOf", "allOf", "$ref", "format",
            "description", "title", "default", "nullable", "additionalProperties", "minimum", "maxItems", "prefixItems"]
json_schemas = st.recursive(
    st.one_of(st.booleans(), st.none(), st.integers(), st.text(max_size=4),
              st.sampled_from(["string", "integer", "null", "object", "array", "#/$defs/A", "#", "date-time", "int64"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYWORDS + ["a", "b"]), inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(json_schemas, json_schemas)
def test_any_json_value_converts_to_a_valid_vertex_schema(schema: Any, definition: Any) -> None:
    root = {**schema, "$defs": {"A": definition}} if isinstance(schema, dict) else {"$defs": {"A": definition}, "items": schema}
    assert gemini_schema_problems(to_gemini_schema(root), "$") == []


def test_input_is_not_changed() -> None:
    schema = _load(FIXTURES / "tool_schemas" / "pydantic_person_optional_defs.json")["parameters"]
    before = copy.deepcopy(schema)
    to_gemini_schema(schema)
    assert schema == before


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 15


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_converted_schema_has_only_vertex_schema_fields(path: Path) -> None:
    converted = to_gemini_schema(_load(path)["parameters"])
    assert gemini_schema_problems(converted, "$") == []


def _tool_request(entry: dict[str, Any]) -> dict[str, Any]:
    function = {"name": entry["name"], "description": entry["description"], "parameters": entry["parameters"]}
    return {"model": "m", "messages": [{"role": "user", "content": "go"}], "tools": [{"type": "function", "function": function}]}


@pytest.mark.parametrize("caps", [CLEANING, JSON_SCHEMA], ids=["parameters", "parametersJsonSchema"])
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_tool_request_is_valid_for_vertex(path: Path, caps: ModelCapabilities) -> None:
    entry = _load(path)
    body = to_gemini_request(_tool_request(entry), parse_model_name(caps.name), caps).body
    assert vertex_violations(body) == []
    declaration = body["tools"][0]["functionDeclarations"][0]
    if caps.parameters_json_schema:
        assert declaration["parametersJsonSchema"] == entry["parameters"]
        jsonschema.validators.validator_for(entry["parameters"]).check_schema(entry["parameters"])
    else:
        assert "parametersJsonSchema" not in declaration


@pytest.mark.parametrize("caps", [CLEANING, JSON_SCHEMA], ids=["responseSchema", "responseJsonSchema"])
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_as_structured_output_is_valid_for_vertex(path: Path, caps: ModelCapabilities) -> None:
    entry = _load(path)
    req = {
        "model": "m",
        "messages": [{"role": "user", "content": "go"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "out", "schema": entry["parameters"], "strict": True}},
    }
    config = to_gemini_request(req, parse_model_name(caps.name), caps).body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert ("responseJsonSchema" in config) is caps.response_json_schema
    assert vertex_violations(to_gemini_request(req, parse_model_name(caps.name), caps).body) == []


def test_pydantic_optional_nested_model_keeps_its_shape() -> None:
    converted = to_gemini_schema(_load(FIXTURES / "tool_schemas" / "pydantic_person_optional_defs.json")["parameters"])
    properties = converted["properties"]
    assert properties["age"] == {"type": "INTEGER", "title": "Age", "nullable": True}
    assert properties["role"] == {"type": "STRING", "title": "Role", "enum": ["admin", "user", "guest"], "default": "user"}
    assert properties["addresses"]["items"]["required"] == ["street", "city"]
    assert properties["primary"]["nullable"] is True
    assert properties["primary"]["properties"]["zip_code"] == {"type": "STRING", "title": "Zip Code", "nullable": True}
    assert converted["required"] == ["name", "addresses"]


def test_discriminated_union_becomes_any_of_objects_with_string_tags() -> None:
    converted = to_gemini_schema(_load(FIXTURES / "tool_schemas" / "zod_discriminated_union.json")["parameters"])
    branches = converted["properties"]["action"]["anyOf"]
    assert [b["properties"]["type"]["enum"] for b in branches] == [["click"], ["type"], ["scroll"]]
    assert branches[2]["properties"]["amount"] == {"type": "INTEGER", "description": "Allowed values: -3, -1, 1, 3."}


def _doubling(levels: int, fan_out: int) -> dict[str, Any]:
    """A schema whose every definition uses the next one ``fan_out`` times: tiny to send,
    ``fan_out ** levels`` nodes once inlined."""
    defs: dict[str, Any] = {
        f"d{i}": {"type": "object", "properties": {f"p{k}": {"$ref": f"#/$defs/d{i + 1}"} for k in range(fan_out)}}
        for i in range(levels)
    }
    defs[f"d{levels}"] = {"type": "string"}
    return {"$defs": defs, "$ref": "#/$defs/d0"}


@pytest.mark.parametrize("levels,fan_out", [(30, 2), (12, 6), (24, 1)])
def test_an_exponentially_expanding_schema_is_refused_quickly(levels: int, fan_out: int) -> None:
    started = time.perf_counter()
    schema = _doubling(levels, fan_out)
    if fan_out == 1:  # a long chain is not exponential: converted, cut at MAX_DEPTH
        assert to_gemini_schema(schema)["type"] == "OBJECT"
        return
    with pytest.raises(InvalidRequest) as caught:
        to_gemini_schema(schema, param="tools[0].function.parameters")
    assert caught.value.param == "tools[0].function.parameters" and "too large" in caught.value.message
    assert time.perf_counter() - started < 1.0


def test_an_exponential_tool_schema_is_a_400_naming_the_tool() -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": _doubling(30, 2)}}
    request = {"model": "old-model", "messages": [{"role": "user", "content": "Hi"}], "tools": [{"type": "function", "function": {"name": "g"}}, tool]}
    with pytest.raises(InvalidRequest) as caught:
        to_gemini_request(request, parse_model_name("old-model"), CLEANING)
    assert caught.value.param == "tools[1].function.parameters"
