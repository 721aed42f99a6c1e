"""Parameters → generationConfig, thinkingConfig, safetySettings and labels, per model capabilities."""

from __future__ import annotations

from typing import Any

import pytest

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import ModelCapabilities, load_capabilities
from adapter.routing.model_name import parse_model_name
from adapter.translate.generation import HARM_CATEGORIES
from adapter.translate.request import TranslatedRequest, to_gemini_request
from tests.unit.test_translate_request_walker import vertex_violations

TABLE = load_capabilities()


def translate(model: str, caps: ModelCapabilities | None = None, **fields: Any) -> TranslatedRequest:
    route = parse_model_name(model)
    req = {"model": model, "messages": [{"role": "user", "content": "hi"}], **fields}
    result = to_gemini_request(req, route, caps or TABLE.lookup(route.base))
    assert vertex_violations(result.body) == []
    return result


def config(model: str, **fields: Any) -> dict[str, Any]:
    return translate(model, **fields).body.get("generationConfig", {})


def error(model: str, caps: ModelCapabilities | None = None, **fields: Any) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        translate(model, caps, **fields)
    return caught.value


# --- sampling and limits ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, {"thinkingConfig": {"includeThoughts": True}}),
        ({"temperature": 0.2, "top_p": 0.9, "top_k": 40, "seed": 7},
         {"temperature": 0.2, "topP": 0.9, "topK": 40, "seed": 7, "thinkingConfig": {"includeThoughts": True}}),
        ({"max_tokens": 100}, {"maxOutputTokens": 100, "thinkingConfig": {"includeThoughts": True}}),
        ({"max_tokens": 100, "max_completion_tokens": 50}, {"maxOutputTokens": 50, "thinkingConfig": {"includeThoughts": True}}),
        ({"stop": "END"}, {"stopSequences": ["END"], "thinkingConfig": {"includeThoughts": True}}),
        ({"stop": ["a", "", "b"]}, {"stopSequences": ["a", "b"], "thinkingConfig": {"includeThoughts": True}}),
        ({"n": 1}, {"thinkingConfig": {"includeThoughts": True}}),
        ({"n": 3}, {"candidateCount": 3, "thinkingConfig": {"includeThoughts": True}}),
        ({"presence_penalty": 0.5, "frequency_penalty": -0.5},
         {"presencePenalty": 0.5, "frequencyPenalty": -0.5, "thinkingConfig": {"includeThoughts": True}}),
        ({"logprobs": True, "top_logprobs": 3}, {"responseLogprobs": True, "logprobs": 3, "thinkingConfig": {"includeThoughts": True}}),
        ({"logprobs": True, "top_logprobs": 0}, {"responseLogprobs": True, "thinkingConfig": {"includeThoughts": True}}),
        ({"logprobs": False}, {"thinkingConfig": {"includeThoughts": True}}),
        ({"response_format": {"type": "text"}}, {"thinkingConfig": {"includeThoughts": True}}),
        ({"response_format": {"type": "json_object"}}, {"responseMimeType": "application/json", "thinkingConfig": {"includeThoughts": True}}),
    ],
)
def test_generation_config_on_gemini_2_5_flash(fields: dict[str, Any], expected: dict[str, Any]) -> None:
    assert config("gemini-2.5-flash", **fields) == expected


@pytest.mark.parametrize(
    ("seed", "sent", "noted"),
    [(7, 7, False), (-5, -5, False), (2**31 - 1, 2**31 - 1, False), (-(2**31), -(2**31), False),
     (2**31, -(2**31), True), (2**40 + 3, 3, True), (-(2**63), 0, True)],
)
def test_seeds_fit_vertex_32_bits(seed: int, sent: int, noted: bool) -> None:
    result = translate("gemini-2.0-flash-001", seed=seed)
    assert result.body["generationConfig"] == {"seed": sent}
    assert any(note.startswith(f"seed={seed} ->") for note in result.rewrites) is noted


def test_plain_model_without_thinking_gets_no_generation_config() -> None:
    assert "generationConfig" not in translate("gemini-2.0-flash-001").body


@pytest.mark.parametrize(
    ("model", "fields", "param"),
    [
        ("gemini-2.5-flash-image", {"n": 2}, "n"),
        ("gemini-3-pro-preview", {"presence_penalty": 0.5}, "presence_penalty"),
        ("gemini-3-pro-preview", {"frequency_penalty": -1}, "frequency_penalty"),
        ("gemini-3-pro-preview", {"logprobs": True}, "logprobs"),
        ("gemini-2.5-flash", {"modalities": ["text", "image"]}, "modalities"),
        ("gemini-2.5-flash", {"logit_bias": {"50256": -100}}, "logit_bias"),
        ("gemini-2.5-flash", {"audio": {"voice": "alloy", "format": "wav"}}, "audio"),
        ("gemini-2.5-flash", {"prediction": {"type": "content", "content": "x"}}, "prediction"),
        ("gemini-2.5-flash", {"response_format": {"type": "yaml"}}, "response_format.type"),
    ],
)
def test_parameters_the_model_cannot_honour_are_refused(model: str, fields: dict[str, Any], param: str) -> None:
    assert error(model, **fields).param == param


def test_zero_penalties_are_dropped_with_a_note_where_unsupported() -> None:
    result = translate("gemini-3-pro-preview", presence_penalty=0, frequency_penalty=0.0)
    assert "presencePenalty" not in result.body["generationConfig"]
    assert [note for note in result.rewrites if "penalty" in note] == [
        "presence_penalty=0 dropped: the model does not support it",
        "frequency_penalty=0 dropped: the model does not support it",
    ]


def test_empty_logit_bias_is_accepted() -> None:
    assert translate("gemini-2.5-flash", logit_bias={}).rewrites == ()


@pytest.mark.parametrize(
    ("model", "modalities", "expected"),
    [
        ("gemini-2.5-flash-image", None, ["TEXT", "IMAGE"]),
        ("gemini-2.5-flash-image", ["text"], ["TEXT"]),
        ("gemini-2.5-flash-image", ["image", "text"], ["IMAGE", "TEXT"]),
        ("gemini-2.5-flash", ["text"], None),
    ],
)
def test_response_modalities(model: str, modalities: list[str] | None, expected: list[str] | None) -> None:
    fields = {"modalities": modalities} if modalities is not None else {}
    assert config(model, **fields).get("responseModalities") == expected


# --- structured output ------------------------------------------------------------------------

PYDANTIC = {
    "$defs": {"Step": {"properties": {"explanation": {"title": "Explanation", "type": "string"}}, "required": ["explanation"],
                       "title": "Step", "type": "object", "additionalProperties": False}},
    "properties": {"steps": {"items": {"$ref": "#/$defs/Step"}, "title": "Steps", "type": "array"},
                   "final_answer": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Final Answer"}},
    "required": ["steps", "final_answer"], "title": "Math", "type": "object", "additionalProperties": False,
}
JSON_SCHEMA_FORMAT = {"type": "json_schema", "json_schema": {"name": "Math", "schema": PYDANTIC, "strict": True}}


def test_json_schema_goes_untouched_where_the_model_takes_json_schema() -> None:
    generation = config("gemini-2.5-flash", response_format=JSON_SCHEMA_FORMAT)
    assert generation["responseMimeType"] == "application/json"
    assert generation["responseJsonSchema"] is PYDANTIC


def test_json_schema_is_converted_for_older_models() -> None:
    generation = config("gemini-2.0-flash-001", response_format=JSON_SCHEMA_FORMAT)
    assert generation == {"responseMimeType": "application/json", "responseSchema": {
        "type": "OBJECT", "title": "Math", "required": ["steps", "final_answer"],
        "properties": {
            "steps": {"type": "ARRAY", "title": "Steps", "items": {
                "type": "OBJECT", "title": "Step", "properties": {"explanation": {"type": "STRING", "title": "Explanation"}}, "required": ["explanation"]}},
            "final_answer": {"type": "STRING", "title": "Final Answer", "nullable": True},
        },
    }}


def test_json_schema_without_a_schema_asks_for_json_only() -> None:
    assert config("gemini-2.0-flash-001", response_format={"type": "json_schema", "json_schema": {"name": "x"}}) == {"responseMimeType": "application/json"}


# --- media resolution -------------------------------------------------------------------------


def _image(detail: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": detail}}


@pytest.mark.parametrize(
    ("details", "expected"),
    [(["low"], "MEDIA_RESOLUTION_LOW"), (["high"], "MEDIA_RESOLUTION_HIGH"), (["low", "high"], "MEDIA_RESOLUTION_HIGH"), (["auto"], None)],
)
def test_image_detail_sets_media_resolution(details: list[str], expected: str | None) -> None:
    messages = [{"role": "user", "content": [_image(d) for d in details]}]
    assert config("gemini-2.5-flash", messages=messages).get("mediaResolution") == expected


def test_image_detail_is_ignored_with_a_note_where_unsupported() -> None:
    result = translate("unknown-model", messages=[{"role": "user", "content": [_image("high")]}])
    assert "generationConfig" not in result.body
    assert result.rewrites == ("image detail ignored: the model has no media resolution setting",)


# --- reasoning --------------------------------------------------------------------------------

BUDGET_ON = {"includeThoughts": True}


@pytest.mark.parametrize(
    ("model", "effort", "expected", "note"),
    [
        ("gemini-2.5-flash", "none", {"thinkingBudget": 0}, None),
        ("gemini-2.5-flash", "minimal", {**BUDGET_ON, "thinkingBudget": 1024}, None),
        ("gemini-2.5-flash", "low", {**BUDGET_ON, "thinkingBudget": 1024}, None),
        ("gemini-2.5-flash", "medium", {**BUDGET_ON, "thinkingBudget": 8192}, None),
        ("gemini-2.5-flash", "high", {**BUDGET_ON, "thinkingBudget": 24576}, None),
        ("gemini-2.5-flash", "xhigh", {**BUDGET_ON, "thinkingBudget": 24576}, "reasoning_effort=xhigh -> thinkingBudget=24576"),
        ("gemini-2.5-flash", "max", {**BUDGET_ON, "thinkingBudget": 24576}, None),
        ("gemini-2.5-flash-lite", "none", {"thinkingBudget": 0}, None),
        ("gemini-2.5-pro", "none", {**BUDGET_ON, "thinkingBudget": 128}, "reasoning_effort=none -> thinkingBudget=128"),
        ("gemini-2.5-pro", "high", {**BUDGET_ON, "thinkingBudget": 24576}, None),
        ("gemini-2.5-pro", "max", {**BUDGET_ON, "thinkingBudget": 32768}, None),
        ("gemini-3-pro-preview", "none", {**BUDGET_ON, "thinkingLevel": "LOW"}, "reasoning_effort=none -> thinkingLevel=LOW"),
        ("gemini-3-pro-preview", "minimal", {**BUDGET_ON, "thinkingLevel": "LOW"}, "reasoning_effort=minimal -> thinkingLevel=LOW"),
        ("gemini-3-pro-preview", "low", {**BUDGET_ON, "thinkingLevel": "LOW"}, None),
        ("gemini-3-pro-preview", "medium", {**BUDGET_ON, "thinkingLevel": "HIGH"}, "reasoning_effort=medium -> thinkingLevel=HIGH"),
        ("gemini-3-pro-preview", "high", {**BUDGET_ON, "thinkingLevel": "HIGH"}, None),
        ("gemini-3.1-pro-preview", "medium", {**BUDGET_ON, "thinkingLevel": "MEDIUM"}, None),
        ("gemini-3.1-pro-preview", "minimal", {**BUDGET_ON, "thinkingLevel": "LOW"}, "reasoning_effort=minimal -> thinkingLevel=LOW"),
        ("gemini-3-flash-preview", "none", {**BUDGET_ON, "thinkingLevel": "MINIMAL"}, "reasoning_effort=none -> thinkingLevel=MINIMAL"),
        ("gemini-3-flash-preview", "minimal", {**BUDGET_ON, "thinkingLevel": "MINIMAL"}, None),
        ("gemini-3-flash-preview", "medium", {**BUDGET_ON, "thinkingLevel": "MEDIUM"}, None),
        ("gemini-2.0-flash-001", "high", None, "reasoning_effort=high dropped"),
        ("gemini-3-pro-image-preview", "low", BUDGET_ON, "reasoning_effort=low dropped"),
    ],
)
def test_reasoning_effort(model: str, effort: str, expected: dict[str, Any] | None, note: str | None) -> None:
    result = translate(model, reasoning_effort=effort)
    assert result.body.get("generationConfig", {}).get("thinkingConfig") == expected
    if note is None:
        assert result.rewrites == ()
    else:
        assert len(result.rewrites) == 1 and result.rewrites[0].startswith(note)


@pytest.mark.parametrize(
    ("model", "fields", "expected", "noted"),
    [
        ("gemini-2.5-flash-nothinking", {}, {"thinkingBudget": 0}, False),
        ("gemini-2.5-pro-nothinking", {}, {**BUDGET_ON, "thinkingBudget": 128}, True),
        ("gemini-2.5-flash-max", {}, {**BUDGET_ON, "thinkingBudget": 24576}, False),
        ("gemini-2.5-pro-max", {}, {**BUDGET_ON, "thinkingBudget": 32768}, False),
        ("gemini-3-pro-preview-max", {}, {**BUDGET_ON, "thinkingLevel": "HIGH"}, False),
        ("gemini-3-flash-preview-nothinking", {}, {**BUDGET_ON, "thinkingLevel": "MINIMAL"}, True),
        ("gemini-2.5-flash-nothinking", {"reasoning_effort": "high"}, {"thinkingBudget": 0}, True),
        ("gemini-2.5-flash-max", {"google": {"thinking_config": {"thinking_budget": 100}}}, {**BUDGET_ON, "thinkingBudget": 24576}, True),
    ],
)
def test_model_variants_set_thinking(model: str, fields: dict[str, Any], expected: dict[str, Any], noted: bool) -> None:
    result = translate(model, **fields)
    assert result.body["generationConfig"]["thinkingConfig"] == expected
    assert bool(result.rewrites) is noted


def test_thinking_variant_on_a_model_without_thinking_control_is_dropped_with_a_note() -> None:
    result = translate("gemini-2.0-flash-001-max", reasoning_effort="low")
    assert "generationConfig" not in result.body
    assert result.rewrites == (
        "reasoning_effort=low dropped: the model has no thinking control",
        "model variant -max dropped: the model has no thinking control",
    )


@pytest.mark.parametrize(
    ("model", "fields", "expected"),
    [
        ("gemini-2.5-flash", {"google": {"thinking_config": {"thinking_budget": 2048, "include_thoughts": False}}}, {"thinkingBudget": 2048}),
        ("gemini-2.5-flash", {"extra_body": {"google": {"thinking_config": {"thinkingBudget": -1}}}}, {**BUDGET_ON, "thinkingBudget": -1}),
        ("gemini-2.5-flash", {"extra_body": {"thinking_config": {"thinking_budget": 0}}}, {"thinkingBudget": 0}),
        ("gemini-2.5-flash", {"thinking_config": {"include_thoughts": True}}, BUDGET_ON),
        ("gemini-3-pro-preview", {"thinking_config": {"thinking_level": "low"}}, {**BUDGET_ON, "thinkingLevel": "LOW"}),
        ("gemini-3-flash-preview", {"google": {"thinking_config": {"thinkingLevel": "MINIMAL", "includeThoughts": False}}}, {"thinkingLevel": "MINIMAL"}),
    ],
)
def test_explicit_thinking_config_gives_full_control(model: str, fields: dict[str, Any], expected: dict[str, Any]) -> None:
    assert config(model, **fields)["thinkingConfig"] == expected


def test_explicit_thinking_config_wins_over_reasoning_effort() -> None:
    result = translate("gemini-2.5-flash", reasoning_effort="high", google={"thinking_config": {"thinking_budget": 512}})
    assert result.body["generationConfig"]["thinkingConfig"] == {**BUDGET_ON, "thinkingBudget": 512}
    assert result.rewrites == ("reasoning_effort=high ignored: thinking_config is given",)


@pytest.mark.parametrize(
    ("model", "fields", "param"),
    [
        ("gemini-2.5-pro", {"google": {"thinking_config": {"thinking_budget": 50}}}, "google.thinking_config.thinking_budget"),
        ("gemini-2.5-pro", {"google": {"thinking_config": {"thinking_budget": 0}}}, "google.thinking_config.thinking_budget"),
        ("gemini-2.5-flash", {"thinking_config": {"thinking_budget": 99999}}, "thinking_config.thinking_budget"),
        ("gemini-2.5-flash", {"thinking_config": {"thinking_level": "LOW"}}, "thinking_config.thinking_level"),
        ("gemini-3-pro-preview", {"thinking_config": {"thinking_budget": 1024}}, "thinking_config.thinking_budget"),
        ("gemini-3-pro-preview", {"extra_body": {"google": {"thinking_config": {"thinking_level": "medium"}}}},
         "extra_body.google.thinking_config.thinking_level"),
        ("gemini-3-pro-preview", {"thinking_config": {"thinking_budget": -1, "thinking_level": "LOW"}}, "thinking_config.thinking_budget"),
        ("gemini-2.5-flash", {"thinking_config": {"budget": 1024}}, "thinking_config.budget"),
        ("gemini-2.5-flash", {"thinking_config": {"include_thoughts": "yes"}}, "thinking_config.include_thoughts"),
        ("gemini-2.0-flash-001", {"thinking_config": {"thinking_budget": 1024}}, "thinking_config.thinking_budget"),
    ],
)
def test_bad_explicit_thinking_config_is_refused(model: str, fields: dict[str, Any], param: str) -> None:
    assert error(model, **fields).param == param


def test_include_thoughts_is_dropped_where_the_model_returns_no_summaries() -> None:
    result = translate("gemini-2.0-flash-001", thinking_config={"include_thoughts": True})
    assert "generationConfig" not in result.body
    assert result.rewrites == ("thinking_config.include_thoughts dropped: the model returns no thought summaries",)


# --- safety and labels ------------------------------------------------------------------------


@pytest.mark.parametrize("threshold", ["OFF", "BLOCK_NONE", "BLOCK_ONLY_HIGH"])
def test_safety_settings_cover_every_category(threshold: str) -> None:
    route = parse_model_name("gemini-2.5-flash")
    body = to_gemini_request({"model": "m", "messages": [{"role": "user", "content": "x"}]}, route, TABLE.lookup(route.base), safety_threshold=threshold).body
    assert body["safetySettings"] == [{"category": c, "threshold": threshold} for c in HARM_CATEGORIES]


def test_metadata_becomes_labels_and_invalid_entries_are_dropped_without_echoing_them() -> None:
    metadata = {"team": "search-infra", "env": "prod_1", "Bad Key": "x", "user": "Alice@example.com", "9lives": "cat"}
    result = translate("gemini-2.5-flash", metadata=metadata)
    assert result.body["labels"] == {"team": "search-infra", "env": "prod_1"}
    assert len(result.rewrites) == 1 and result.rewrites[0].startswith("metadata: 3 entries dropped")
    assert "Alice" not in result.rewrites[0] and "Bad Key" not in result.rewrites[0]


@pytest.mark.parametrize("field", ["user", "store", "service_tier", "stream_options", "verbosity"])
def test_metadata_like_fields_are_ignored(field: str) -> None:
    plain = translate("gemini-2.5-flash")
    fields: dict[str, Any] = {field: "x"}
    assert translate("gemini-2.5-flash", **fields).body == plain.body


@pytest.mark.parametrize(
    ("model", "fields", "sent", "noted"),
    [
        ("gemini-2.5-flash", {"max_tokens": 100_000}, 65535, True),
        ("gemini-2.5-flash", {"max_completion_tokens": 2048, "max_tokens": 10}, 2048, False),
        ("gemini-2.0-flash-001", {"max_completion_tokens": 20_000}, 8192, True),
        ("gemini-3-pro-preview", {"max_tokens": 65536}, 65536, False),
        ("some-unknown-model", {"max_tokens": 1_000_000}, 1_000_000, False),
    ],
)
def test_max_tokens_is_capped_at_the_model_maximum(model: str, fields: dict[str, Any], sent: int, noted: bool) -> None:
    translated = translate(model, **fields)
    assert translated.body["generationConfig"]["maxOutputTokens"] == sent
    assert any("maxOutputTokens" in note for note in translated.rewrites) == noted
