"""Structured output end to end: ``response_format`` json_object / json_schema / text, and the
SDK's ``chat.completions.parse()`` with Pydantic models (nested models, enums, optional fields,
lists), whole and streamed."""

from __future__ import annotations

import enum
import json
from typing import Any, Optional

import jsonschema
import openai
import pytest
from pydantic import BaseModel

from tests.conftest import GatewayFactory, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.streams import comparable
from tests.support.surface import answer, create, error_of

ASK = [{"role": "user", "content": "Describe a small town."}]
TOWN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "population": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "mayor": {"type": ["string", "null"]},
    },
    "required": ["name", "population", "tags", "mayor"],
    "additionalProperties": False,
}


class Kind(str, enum.Enum):
    village = "village"
    town = "town"
    city = "city"


class Street(BaseModel):
    name: str
    length_km: float
    one_way: bool


class Mayor(BaseModel):
    name: str
    party: Optional[str]


class Town(BaseModel):
    name: str
    kind: Kind
    population: int
    mayor: Optional[Mayor]
    streets: list[Street]
    twin_towns: list[str]
    motto: Optional[str] = None


SCRIPTED_TOWN = {
    "name": "Eze",
    "kind": "village",
    "population": 2400,
    "mayor": {"name": "S. Lantéri", "party": None},
    "streets": [{"name": "Rue Principale", "length_km": 0.4, "one_way": True}, {"name": "Chemin", "length_km": 1.5, "one_way": False}],
    "twin_towns": ["Ischia"],
    "motto": None,
}


@pytest.fixture
def gateway(gateway_factory: GatewayFactory) -> LiveGateway:
    return gateway_factory(service_accounts=False)


def _content(result: dict[str, Any]) -> str:
    content: str = result["choices"][0]["message"]["content"]
    return content


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-3-flash-preview", "gemini-2.0-flash-001"])
def test_json_object(client: openai.OpenAI, emulator: VertexEmulator, model: str, streamed: bool) -> None:
    result = answer(client, streamed, model=model, messages=ASK, response_format={"type": "json_object"})
    assert isinstance(json.loads(_content(result)), dict)
    config = emulator.last_call().body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert "responseJsonSchema" not in config and "responseSchema" not in config


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("model,field", [("gemini-2.5-flash", "responseJsonSchema"), ("gemini-3-flash-preview", "responseJsonSchema"), ("gemini-2.0-flash-001", "responseSchema")])
def test_json_schema(client: openai.OpenAI, emulator: VertexEmulator, model: str, field: str, streamed: bool) -> None:
    response_format = {"type": "json_schema", "json_schema": {"name": "town", "schema": TOWN_SCHEMA, "strict": True}}
    result = answer(client, streamed, model=model, messages=ASK, response_format=response_format)
    jsonschema.validate(json.loads(_content(result)), TOWN_SCHEMA)
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    config = call.body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert set(config) & {"responseJsonSchema", "responseSchema"} == {field}
    if field == "responseJsonSchema":
        assert config[field] == TOWN_SCHEMA
    else:
        assert config[field]["properties"]["mayor"] == {"type": "STRING", "nullable": True}


def test_text_format_sends_nothing(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    client.chat.completions.create(model="gemini-2.5-flash", messages=ASK, response_format={"type": "text"})
    assert "responseMimeType" not in emulator.last_call().body.get("generationConfig", {})


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-3-flash-preview", "gemini-2.0-flash-001"])
def test_parse_with_pydantic_default_answer(client: openai.OpenAI, emulator: VertexEmulator, model: str) -> None:
    completion = client.chat.completions.parse(model=model, messages=ASK, response_format=Town)
    town = completion.choices[0].message.parsed
    assert isinstance(town, Town)
    assert town.kind is Kind.village and town.streets and isinstance(town.streets[0], Street)
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    assert call.body["generationConfig"]["responseMimeType"] == "application/json"


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
def test_parse_with_pydantic_scripted_answer(client: openai.OpenAI, emulator: VertexEmulator, streamed: bool) -> None:
    emulator.enqueue(payloads.text_response(json.dumps(SCRIPTED_TOWN, ensure_ascii=False), "gemini-2.5-flash"))
    if streamed:
        with client.chat.completions.stream(model="gemini-2.5-flash", messages=ASK, response_format=Town) as events:
            completion = events.get_final_completion()
    else:
        completion = client.chat.completions.parse(model="gemini-2.5-flash", messages=ASK, response_format=Town)
    assert completion.choices[0].message.parsed == Town.model_validate(SCRIPTED_TOWN)
    sent = emulator.last_call().body["generationConfig"]["responseJsonSchema"]
    assert set(sent["$defs"]) == {"Kind", "Mayor", "Street"}
    assert sent["properties"]["streets"] == {"items": {"$ref": "#/$defs/Street"}, "title": "Streets", "type": "array"}


LOOKUP = {"type": "function", "function": {"name": "lookup_town", "parameters": {"type": "object", "properties": {"name": {"type": "string"}}}}}


@pytest.mark.parametrize(
    "model,extra",
    [
        ("gemini-2.5-flash", {"tools": [LOOKUP]}),
        ("gemini-2.5-pro", {"tools": [LOOKUP], "tool_choice": "required"}),
        ("gemini-2.5-flash-search", {}),
        ("gemini-2.0-flash-001", {"web_search_options": {}}),
    ],
)
def test_json_output_with_tools_before_gemini_3_is_a_clear_400(gateway: LiveGateway, emulator: VertexEmulator, model: str, extra: dict[str, Any]) -> None:
    body = {"model": model, "messages": ASK, "response_format": {"type": "json_object"}, **extra}
    error = error_of(gateway.post("/v1/chat/completions", body))
    assert error["param"] == "response_format"
    assert "Gemini 3" in error["message"]
    assert emulator.calls == []


@pytest.mark.parametrize(
    "model,extra",
    [("gemini-3-flash-preview", {"tools": [LOOKUP]}), ("gemini-3-pro-preview", {"web_search_options": {}}), ("gemini-2.5-flash", {"tools": [LOOKUP], "tool_choice": "none"})],
)
def test_json_output_with_tools_where_vertex_takes_it(client: openai.OpenAI, emulator: VertexEmulator, model: str, extra: dict[str, Any]) -> None:
    response_format = {"type": "json_schema", "json_schema": {"name": "town", "schema": TOWN_SCHEMA}}
    result = create(client, model=model, messages=ASK, response_format=response_format, **extra)
    jsonschema.validate(json.loads(_content(comparable(result))), TOWN_SCHEMA)
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    assert call.body["tools"] and call.body["generationConfig"]["responseMimeType"] == "application/json"
