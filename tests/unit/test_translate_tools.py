"""Function tools, tool_choice and Google Search → Gemini tools and toolConfig."""

from __future__ import annotations

from typing import Any

import pytest

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import ModelCapabilities
from adapter.routing.model_name import parse_model_name
from adapter.translate.request import TranslatedRequest, to_gemini_request
from tests.unit.test_translate_request_walker import vertex_violations

OLD = ModelCapabilities(name="old", search=True)
NEW = ModelCapabilities(name="new", parameters_json_schema=True, search=True, search_with_functions=True)
NO_SEARCH = ModelCapabilities(name="nosearch")
WEATHER = {"type": "object", "properties": {"city": {"type": "string", "description": "City name"}}, "required": ["city"], "additionalProperties": False}


def tool(name: str, parameters: dict[str, Any] | None = WEATHER, description: str | None = "Get the weather.") -> dict[str, Any]:
    function: dict[str, Any] = {"name": name}
    if description is not None:
        function["description"] = description
    if parameters is not None:
        function["parameters"] = parameters
    return {"type": "function", "function": function}


def translate(caps: ModelCapabilities = OLD, model: str | None = None, **fields: Any) -> TranslatedRequest:
    req = {"model": model or caps.name, "messages": [{"role": "user", "content": "hi"}], **fields}
    result = to_gemini_request(req, parse_model_name(req["model"]), caps)
    assert vertex_violations(result.body) == []
    return result


def error(caps: ModelCapabilities = OLD, model: str | None = None, **fields: Any) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        translate(caps, model, **fields)
    return caught.value


def test_all_function_tools_go_in_one_tool_with_cleaned_parameters() -> None:
    body = translate(tools=[tool("get_weather"), tool("ping", parameters=None, description=None)]).body
    assert body["tools"] == [{"functionDeclarations": [
        {"name": "get_weather", "description": "Get the weather.",
         "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING", "description": "City name"}}, "required": ["city"]}},
        {"name": "ping"},
    ]}]
    assert "toolConfig" not in body


def test_models_taking_json_schema_get_the_schema_untouched() -> None:
    body = translate(NEW, tools=[tool("get_weather")]).body
    assert body["tools"][0]["functionDeclarations"][0]["parametersJsonSchema"] is WEATHER


def test_object_without_properties_sends_no_parameters() -> None:
    empty = {"type": "object", "properties": {}, "additionalProperties": False}
    assert translate(tools=[tool("now", empty)]).body["tools"][0]["functionDeclarations"] == [{"name": "now", "description": "Get the weather."}]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("none", {"mode": "NONE"}),
        ("auto", {"mode": "AUTO"}),
        ("required", {"mode": "ANY"}),
        ({"type": "function", "function": {"name": "b"}}, {"mode": "ANY", "allowedFunctionNames": ["b"]}),
        ({"type": "allowed_tools", "allowed_tools": {"mode": "required", "tools": [{"type": "function", "function": {"name": "a"}}]}},
         {"mode": "ANY", "allowedFunctionNames": ["a"]}),
        ({"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": [{"type": "function", "function": {"name": "a"}}]}},
         {"mode": "VALIDATED", "allowedFunctionNames": ["a"]}),
    ],
)
def test_tool_choice(choice: Any, expected: dict[str, Any]) -> None:
    body = translate(tools=[tool("a"), tool("b")], tool_choice=choice).body
    assert body["toolConfig"] == {"functionCallingConfig": expected}


@pytest.mark.parametrize("choice", ["none", "auto"])
def test_harmless_tool_choice_without_tools_is_accepted(choice: str) -> None:
    body = translate(tool_choice=choice).body
    assert "toolConfig" not in body and "tools" not in body


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"tool_choice": "required"}, "tool_choice"),
        ({"tool_choice": {"type": "function", "function": {"name": "a"}}}, "tool_choice"),
        ({"tools": [tool("a")], "tool_choice": {"type": "function", "function": {"name": "zzz"}}}, "tool_choice"),
        ({"tools": [tool("a")], "tool_choice": "sometimes"}, "tool_choice"),
        ({"tools": [tool("a"), tool("a")]}, "tools[1].function.name"),
        ({"tools": [tool("1abc")]}, "tools[0].function.name"),
        ({"tools": [{"type": "custom", "custom": {"name": "x"}}]}, "tools[0].type"),
    ],
)
def test_tool_errors_name_the_parameter(fields: dict[str, Any], param: str) -> None:
    assert error(**fields).param == param


def test_parallel_tool_calls_false_is_accepted_with_a_note() -> None:
    result = translate(tools=[tool("a")], parallel_tool_calls=False)
    assert [d["name"] for d in result.body["tools"][0]["functionDeclarations"]] == ["a"]
    assert result.rewrites == ("parallel_tool_calls=false not enforced: Gemini has no such switch",)


@pytest.mark.parametrize(
    ("model", "fields"),
    [("old-search", {}), ("old", {"web_search_options": {}}), ("old", {"web_search_options": {"search_context_size": "low"}})],
)
def test_search_is_its_own_tool(model: str, fields: dict[str, Any]) -> None:
    assert translate(OLD, model, **fields).body["tools"] == [{"googleSearch": {}}]


def test_search_with_functions_where_the_model_accepts_it() -> None:
    body = translate(NEW, "new-search", tools=[tool("a")]).body
    declaration = {"name": "a", "description": "Get the weather.", "parametersJsonSchema": WEATHER}
    assert body["tools"] == [{"functionDeclarations": [declaration]}, {"googleSearch": {}}]


@pytest.mark.parametrize(
    ("caps", "model", "fields", "param"),
    [
        (NO_SEARCH, "nosearch-search", {}, "model"),
        (NO_SEARCH, "nosearch", {"web_search_options": {}}, "web_search_options"),
        (OLD, "old-search", {"tools": [tool("a")]}, "tools"),
    ],
)
def test_search_errors(caps: ModelCapabilities, model: str, fields: dict[str, Any], param: str) -> None:
    assert error(caps, model, **fields).param == param


JSON_TOOLS = ModelCapabilities(name="json-tools", search=True, search_with_functions=True, json_with_tools=True)
JSON_OBJECT = {"type": "json_object"}
JSON_SCHEMA = {"type": "json_schema", "json_schema": {"name": "w", "schema": WEATHER}}


@pytest.mark.parametrize(
    ("fields", "model"),
    [
        ({"tools": [tool("f")], "response_format": JSON_OBJECT}, None),
        ({"tools": [tool("f")], "response_format": JSON_SCHEMA, "tool_choice": "auto"}, None),
        ({"tools": [tool("f")], "response_format": JSON_OBJECT, "tool_choice": "required"}, None),
        ({"response_format": JSON_OBJECT}, "old-search"),
        ({"response_format": JSON_SCHEMA, "web_search_options": {}}, None),
    ],
)
def test_json_output_with_tools_is_refused_before_gemini_3(fields: dict[str, Any], model: str | None) -> None:
    assert error(OLD, model, **fields).param == "response_format"


@pytest.mark.parametrize(
    ("caps", "fields"),
    [
        (OLD, {"tools": [tool("f")], "response_format": JSON_OBJECT, "tool_choice": "none"}),
        (OLD, {"tools": [tool("f")], "response_format": {"type": "text"}}),
        (OLD, {"response_format": JSON_SCHEMA}),
        (JSON_TOOLS, {"tools": [tool("f")], "response_format": JSON_SCHEMA, "web_search_options": {}}),
    ],
)
def test_json_output_with_tools_where_vertex_accepts_it(caps: ModelCapabilities, fields: dict[str, Any]) -> None:
    body = translate(caps, **fields).body
    assert ("tools" in body) is ("tools" in fields or "web_search_options" in fields)
    wants_json = fields["response_format"]["type"] != "text"
    assert body.get("generationConfig", {}).get("responseMimeType") == ("application/json" if wants_json else None)
