"""The tool shapes Codex CLI sends (tests/fixtures/clients/): a ``namespace`` of functions and a
client-run ``tool_search`` are declared to Gemini as functions, and calls to a namespace's tools
come back carrying the namespace, whole and streamed, as Codex needs to run them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import load_capabilities
from adapter.routing.model_name import parse_model_name
from adapter.schemas.responses import RESPONSE_REQUEST_SCHEMA
from adapter.translate.responses.events import EventTranslator
from adapter.translate.responses.head import response_head
from adapter.translate.responses.output import OutputOptions
from adapter.translate.responses.request import to_gemini_request
from adapter.translate.responses.response import to_response
from adapter.translate.responses.tools import TOOL_SEARCH_PARAMETERS
from adapter.validation import load_body
from tests.clients.agent_recordings import load_fixture
from tests.support.openai_schema import assert_valid
from tests.support.responses_stream import check_events

MODEL = "gemini-3-pro-preview"
TARGET = {"type": "object", "properties": {"target": {"type": "string"}}, "required": ["target"]}
NAMESPACE = {
    "type": "namespace", "name": "multi_agent_v1", "description": "Sub-agents.",
    "tools": [{"type": "function", "name": "close_agent", "description": "Close one.", "parameters": TARGET},
              {"type": "custom", "name": "note_agent", "description": "Free text."}],
}
TOOL_SEARCH = {"type": "tool_search", "execution": "client", "description": "Find tools."}
SHELL = {"type": "function", "name": "exec_command", "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}}}


def translate(body: dict[str, Any]) -> Any:
    req = load_body(RESPONSE_REQUEST_SCHEMA, {"model": MODEL, "input": "Hi", **body})
    route = parse_model_name(MODEL)
    return req, to_gemini_request(req, route, load_capabilities().lookup(route.base))


def declarations(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for tool in body.get("tools", []) for d in tool.get("functionDeclarations", [])]


def test_namespace_tools_are_declared_by_their_own_names_and_remember_their_namespace() -> None:
    _, out = translate({"tools": [SHELL, NAMESPACE]})
    assert [d["name"] for d in declarations(out.body)] == ["exec_command", "close_agent", "note_agent"]
    assert declarations(out.body)[1]["description"] == "Close one."
    assert out.namespaces == {"close_agent": "multi_agent_v1", "note_agent": "multi_agent_v1"}
    assert out.custom_names == frozenset({"note_agent"})


@pytest.mark.parametrize(("tool", "parameters"), [
    (TOOL_SEARCH, TOOL_SEARCH_PARAMETERS),
    ({**TOOL_SEARCH, "parameters": TARGET}, TARGET),
])
def test_client_tool_search_is_a_function_the_client_answers(tool: dict[str, Any], parameters: dict[str, Any]) -> None:
    _, out = translate({"tools": [tool]})
    (declaration,) = declarations(out.body)
    assert declaration["name"] == "tool_search" and declaration["description"] == "Find tools."
    assert declaration.get("parametersJsonSchema", declaration.get("parameters")) is not None
    assert json.dumps(parameters["properties"]) in json.dumps(declaration)


@pytest.mark.parametrize(("tools", "param"), [
    ([{**TOOL_SEARCH, "execution": "server"}], "tools[0].execution"),
    ([SHELL, {**NAMESPACE, "tools": [{**SHELL}]}], "tools[1].tools[0].name"),
    ([{**NAMESPACE, "tools": []}], "tools[0].tools"),
    ([{**NAMESPACE, "tools": [{"type": "web_search"}]}], "tools[0].tools[0].type"),
])
def test_tool_shapes_gemini_cannot_serve_are_a_400_naming_the_field(tools: list[dict[str, Any]], param: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        translate({"tools": tools})
    assert raised.value.param == param


@pytest.mark.parametrize("name", ["codex-exec", "codex-exec-known-model"])
def test_every_recorded_codex_request_translates(name: str) -> None:
    for request in load_fixture(name)["requests"]:
        body = {**request["body"], "model": MODEL}
        req, out = translate(body)
        assert "exec_command" in [d["name"] for d in declarations(out.body)]
        assert_valid(response_head(req, response_id="resp_1", created_at=1, model=MODEL), "Response")


def gemini_call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    part = {"functionCall": {"name": name, "args": args, "id": "call_7"}, "thoughtSignature": "c2lnbmF0dXJl"}
    return {"candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2, "totalTokenCount": 5}}


OPTIONS = OutputOptions(custom_names=frozenset({"note_agent"}), namespaces={"close_agent": "multi_agent_v1", "note_agent": "multi_agent_v1"})
HEAD = response_head({"model": MODEL, "input": "Hi", "tools": [NAMESPACE]}, response_id="resp_1", created_at=1, model=MODEL)


@pytest.mark.parametrize(("name", "kind"), [("close_agent", "function_call"), ("note_agent", "custom_tool_call"), ("exec_command", "function_call")])
def test_calls_to_namespace_tools_carry_the_namespace_whole_and_streamed(name: str, kind: str) -> None:
    answer = gemini_call(name, {"target": "a1"} if name != "note_agent" else {"input": "hello"})
    (item,) = to_response(answer, HEAD, OPTIONS)["output"]
    translator = EventTranslator(HEAD, OPTIONS)
    events = translator.feed(answer) + translator.finish()
    check_events(events)
    done = [e["item"] for e in events if e["type"] == "response.output_item.done"]
    assert done == [item]
    assert item["type"] == kind and item["name"] == name
    assert item.get("namespace") == OPTIONS.namespaces.get(name)
