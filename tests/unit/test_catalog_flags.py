"""Each capability flag changes what goes upstream, through ``to_gemini_request`` with a modified
table (an operator file, as ``MODEL_CAPABILITIES_FILE`` gives one).

Every row names a flag, the value that turns it on and the one that turns it off, an OpenAI
request, and what the Vertex body (or the error) looks like either way. The probe model starts
from the conservative defaults, so only the flag under test differs between the two sides.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import CapabilityTable, load_capabilities
from adapter.routing.catalog import ModelLists, catalog_ids, check_variant, table_lists
from adapter.routing.model_name import parse_model_name
from adapter.translate.request import TranslatedRequest, to_gemini_request
from adapter.translate.signatures import BYPASS_SIGNATURE

PROBE = "probe-model"
USER = {"role": "user", "content": "Hi"}
TOOL: dict[str, Any] = {"type": "function", "function": {"name": "lookup", "parameters": {
    "type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}}}
SCHEMA = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}}
CALL_HISTORY = [
    USER,
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{\"q\": \"x\"}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "found"},
]
BUDGET = {"kind": "budget", "min": 128, "max": 4096, "can_disable": True}
LEVELS = {"kind": "level", "levels": ["LOW", "HIGH"]}

Check = Callable[[TranslatedRequest], bool]


def table_with(tmp_path: Path, flags: dict[str, Any], *, model: str = PROBE) -> CapabilityTable:
    extra = tmp_path / "capabilities.json"
    extra.write_text(json.dumps({"models": {model: {"listed": True, **flags}}}), encoding="utf-8")
    return load_capabilities(extra)


def translate(table: CapabilityTable, req: dict[str, Any], model: str = PROBE) -> TranslatedRequest:
    route = parse_model_name(model)
    return to_gemini_request({"model": model, **req}, route, table.lookup(route.base))


def config(result: TranslatedRequest) -> dict[str, Any]:
    return dict(result.body.get("generationConfig") or {})


def tool_kinds(result: TranslatedRequest) -> list[str]:
    return [kind for tool in result.body.get("tools", []) for kind in tool]


def declaration(result: TranslatedRequest) -> dict[str, Any]:
    return dict(result.body["tools"][0]["functionDeclarations"][0])


def first_call_part(result: TranslatedRequest) -> dict[str, Any]:
    return dict(result.body["contents"][1]["parts"][0])


ROWS: list[tuple[str, Any, Any, dict[str, Any], Check | str, Check | str]] = [
    # flag, on, off, request, check with the flag on, check (or refused param) with it off
    ("thinking", BUDGET, None, {"messages": [USER], "reasoning_effort": "high"},
     lambda r: config(r)["thinkingConfig"] == {"thinkingBudget": 4096},
     lambda r: "thinkingConfig" not in config(r)),
    ("thinking", LEVELS, None, {"messages": [USER], "reasoning_effort": "medium"},
     lambda r: config(r)["thinkingConfig"] == {"thinkingLevel": "HIGH"},
     lambda r: "thinkingConfig" not in config(r)),
    ("thought_summaries", True, False, {"messages": [USER]},
     lambda r: config(r)["thinkingConfig"] == {"includeThoughts": True},
     lambda r: "thinkingConfig" not in config(r)),
    ("thought_signatures_required", True, False, {"messages": CALL_HISTORY},
     lambda r: first_call_part(r).get("thoughtSignature") == BYPASS_SIGNATURE,
     lambda r: "thoughtSignature" not in first_call_part(r)),
    ("penalties", True, False, {"messages": [USER], "presence_penalty": 0.5, "frequency_penalty": -0.5},
     lambda r: (config(r)["presencePenalty"], config(r)["frequencyPenalty"]) == (0.5, -0.5),
     "presence_penalty"),
    ("max_candidates", 4, 1, {"messages": [USER], "n": 3},
     lambda r: config(r)["candidateCount"] == 3,
     "n"),
    ("trailing_model_turn", True, False, {"messages": [USER, {"role": "assistant", "content": "Sure,"}]},
     lambda r: r.body["contents"][-1] == {"role": "model", "parts": [{"text": "Sure,"}]},
     lambda r: r.body["contents"][-1]["role"] == "user" and "Sure," in r.body["contents"][-1]["parts"][-1]["text"]),
    ("media_resolution", True, False, {"messages": [{"role": "user", "content": [IMAGE]}]},
     lambda r: config(r)["mediaResolution"] == "MEDIA_RESOLUTION_LOW",
     lambda r: "mediaResolution" not in config(r) and any("detail" in note for note in r.rewrites)),
    ("image_output", True, False, {"messages": [USER]},
     lambda r: config(r)["responseModalities"] == ["TEXT", "IMAGE"],
     lambda r: "responseModalities" not in config(r)),
    ("image_output", True, False, {"messages": [USER], "modalities": ["text", "image"]},
     lambda r: config(r)["responseModalities"] == ["TEXT", "IMAGE"],
     "modalities"),
    ("parameters_json_schema", True, False, {"messages": [USER], "tools": [TOOL]},
     lambda r: declaration(r)["parametersJsonSchema"] == TOOL["function"]["parameters"],
     lambda r: declaration(r)["parameters"]["type"] == "OBJECT" and "parametersJsonSchema" not in declaration(r)),
    ("response_json_schema", True, False,
     {"messages": [USER], "response_format": {"type": "json_schema", "json_schema": {"name": "o", "schema": SCHEMA}}},
     lambda r: config(r)["responseJsonSchema"] == SCHEMA and "responseSchema" not in config(r),
     lambda r: config(r)["responseSchema"]["type"] == "OBJECT" and "responseJsonSchema" not in config(r)),
    ("logprobs", True, False, {"messages": [USER], "logprobs": True, "top_logprobs": 3},
     lambda r: (config(r)["responseLogprobs"], config(r)["logprobs"]) == (True, 3),
     "logprobs"),
    ("search", True, False, {"messages": [USER], "web_search_options": {}},
     lambda r: tool_kinds(r) == ["googleSearch"],
     "web_search_options"),
    ("json_with_tools", True, False, {"messages": [USER], "tools": [TOOL], "response_format": {"type": "json_object"}},
     lambda r: tool_kinds(r) == ["functionDeclarations"] and config(r)["responseMimeType"] == "application/json",
     "response_format"),
]


@pytest.mark.parametrize("flag,on,off,req,when_on,when_off", ROWS, ids=[f"{row[0]}-{i}" for i, row in enumerate(ROWS)])
def test_flag_changes_the_upstream_request(
    tmp_path: Path, flag: str, on: Any, off: Any, req: dict[str, Any], when_on: Check | str, when_off: Check | str
) -> None:
    for value, expectation in ((on, when_on), (off, when_off)):
        table = table_with(tmp_path, {flag: value})
        if isinstance(expectation, str):
            with pytest.raises(InvalidRequest) as caught:
                translate(table, req)
            assert caught.value.param == expectation
        else:
            result = translate(table, req)
            assert expectation(result), f"{flag}={value!r}: upstream body {json.dumps(result.body)[:600]}"


def test_search_with_functions_sends_both_tools_or_refuses(tmp_path: Path) -> None:
    req = {"messages": [USER], "tools": [TOOL]}
    allowed = table_with(tmp_path, {"search": True, "search_with_functions": True})
    result = translate(allowed, req, f"{PROBE}-search")
    assert tool_kinds(result) == ["functionDeclarations", "googleSearch"]
    refused = table_with(tmp_path, {"search": True, "search_with_functions": False})
    with pytest.raises(InvalidRequest) as caught:
        translate(refused, req, f"{PROBE}-search")
    assert caught.value.param == "tools"
    assert tool_kinds(translate(refused, {"messages": [USER]}, f"{PROBE}-search")) == ["googleSearch"]


@pytest.mark.parametrize(
    "thinking,variant,expected",
    [
        (BUDGET, "-nothinking", {"thinkingBudget": 0}),
        ({**BUDGET, "can_disable": False}, "-nothinking", {"thinkingBudget": 128}),
        (BUDGET, "-max", {"thinkingBudget": 4096}),
        (LEVELS, "-nothinking", {"thinkingLevel": "LOW"}),
        (LEVELS, "-max", {"thinkingLevel": "HIGH"}),
    ],
)
def test_thinking_variants_follow_the_thinking_flag(tmp_path: Path, thinking: dict[str, Any], variant: str, expected: dict[str, Any]) -> None:
    table = table_with(tmp_path, {"thinking": thinking})
    assert config(translate(table, {"messages": [USER]}, PROBE + variant))["thinkingConfig"] == expected


def test_variants_are_refused_without_their_flag(tmp_path: Path) -> None:
    table = table_with(tmp_path, {})
    for suffix in ("-search", "-nothinking", "-max", "-openai"):
        route = parse_model_name(PROBE + suffix)
        with pytest.raises(InvalidRequest) as caught:
            check_variant(route, table.lookup(PROBE), table)
        assert caught.value.param == "model" and suffix in caught.value.message


@pytest.mark.parametrize(
    "flags,express_ids,absent",
    [
        ({"express": True}, {PROBE, f"[EXPRESS] {PROBE}"}, set()),
        ({"express": False}, set(), {PROBE, f"[EXPRESS] {PROBE}"}),
        ({"direct": True}, {f"[PAY]{PROBE}-openai", f"{PROBE}-openai"}, set()),
        ({"direct": False}, set(), {f"[PAY]{PROBE}-openai", f"{PROBE}-openai"}),
        ({"search": True, "thinking": LEVELS}, {f"{PROBE}-search", f"[PAY]{PROBE}-nothinking", f"[PAY]{PROBE}-max"}, set()),
    ],
)
def test_express_direct_and_variant_flags_shape_the_catalog(
    tmp_path: Path, flags: dict[str, Any], express_ids: set[str], absent: set[str]
) -> None:
    table = table_with(tmp_path, {**flags, "express": flags.get("express", True)})
    ids = set(catalog_ids(table_lists(table), table, has_express=True, has_service_accounts=True))
    assert express_ids <= ids
    assert not absent & ids


def test_listed_flag_puts_a_model_in_the_shipped_catalog(tmp_path: Path) -> None:
    assert PROBE in table_lists(table_with(tmp_path, {})).service_account
    unlisted = table_with(tmp_path, {"listed": False})
    assert PROBE not in table_lists(unlisted).service_account
    assert PROBE not in catalog_ids(table_lists(unlisted), unlisted, has_express=False, has_service_accounts=True)
    remote = ModelLists(service_account=(PROBE,), express=())
    assert PROBE in catalog_ids(remote, unlisted, has_express=False, has_service_accounts=True)
