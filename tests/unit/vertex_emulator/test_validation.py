"""The emulator rejects what Vertex rejects (schema and semantic rules) and accepts every example."""

from __future__ import annotations

import copy
import glob
import json
import os
from typing import Any

import pytest
import requests

from tests.emulator import ModelFacts, Reply, VertexEmulator
from tests.emulator.fixtures import EXAMPLES, error_body, load_json

USER = {"role": "user", "parts": [{"text": "hi"}]}
CALL = {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}
RESPONSE = {"functionResponse": {"name": "get_weather", "response": {"output": "18C"}}}
DECL = {"name": "get_weather", "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}}}


@pytest.fixture(scope="module", autouse=True)
def _flash_lite_test_model(emulator: VertexEmulator) -> None:
    """A Gemini 3 model that thinks by default and takes only LOW/HIGH levels (this module's emulator only)."""
    emulator.add_model(ModelFacts(name="gemini-3-flash-lite-test", thinking="level", levels=("LOW", "HIGH"),
                                  level_message="flash", thinks_by_default=True, gemini3=True, penalties=False, logprobs=False))


def call(emulator: VertexEmulator, key: str, model: str, body: Any, method: str = "generateContent",
         version: str = "v1") -> requests.Response:
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return requests.post(emulator.model_url(model, method, version=version), data=data,
                         headers={"x-goog-api-key": key, "Content-Type": "application/json"}, timeout=5)


def body(**extra: Any) -> dict[str, Any]:
    return {"contents": [USER], **extra}


def with_config(**config: Any) -> dict[str, Any]:
    return body(generationConfig=config)


# (model, request body, expected 400 message fragment)
REJECTED: list[tuple[str, Any, str]] = [
    # structure (Google's JSON parser)
    ("gemini-2.5-flash", body(google={}), 'Unknown name "google": Cannot find field.'),
    ("gemini-2.5-flash", {"contents": [{"role": "user", "parts": [{"text": "hi", "foo": 1}]}]},
     "Unknown name \"foo\" at 'contents[0].parts[0]': Cannot find field."),
    ("gemini-2.5-flash", with_config(temperature="hot"), "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\""),
    ("gemini-2.5-flash", with_config(max_output_tokens="many"), "(TYPE_INT32), \"many\""),
    ("gemini-2.5-flash", with_config(candidateCount=1.5), "(TYPE_INT32), 1.5"),
    ("gemini-2.5-flash", with_config(responseModalities=["SOUND"]), "GenerationConfig.Modality), \"SOUND\""),
    ("gemini-2.5-flash", body(generationConfig=[{"temperature": 1}]),
     'Unknown name "generationConfig": Proto field is not repeating, cannot start list.'),
    ("gemini-2.5-flash", {"contents": [{"role": "user", "parts": [{"text": {"value": "hi"}}]}]},
     "Invalid value at 'contents[0].parts[0]' (text), Starting an object on a scalar field"),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [{"name": "f", "parameters": {"type": "object"}}]}]),
     "(type.googleapis.com/google.cloud.aiplatform.v1.Type), \"object\""),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [{"name": "f", "parameters": {
        "type": "OBJECT", "properties": {"a": {"type": "STRING", "$ref": "#/$defs/A"}}}}]}]),
     "Unknown name \"$ref\" at 'tools[0].function_declarations[0].parameters.properties[0].value'"),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [{"name": "f", "parameters": {"type": "OBJECT", "$schema": "x"}}]}]),
     'Unknown name "$schema"'),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [{"name": "f", "parameters": {"type": "OBJECT", "strict": True}}]}]),
     'Unknown name "strict"'),
    ("gemini-2.5-flash", {"contents": [{"role": "model", "parts": [{"text": "x", "thoughtSignature": "%%%"}]}, USER]},
     "(TYPE_BYTES)"),
    ("gemini-2.5-flash", b"{not json", "Invalid JSON payload received. Unexpected token."),
    # contents and parts
    ("gemini-2.5-flash", {"contents": []}, "at least one contents field is required"),
    ("gemini-2.5-flash", {}, "at least one contents field is required"),
    ("gemini-2.5-flash", {"contents": [{"role": "user", "parts": []}]}, "must include at least one parts field"),
    ("gemini-2.5-flash", {"contents": [{"role": "system", "parts": [{"text": "x"}]}, USER]}, "Please use a valid role: user, model."),
    ("gemini-2.5-flash", {"contents": [{"role": "user", "parts": [{"text": ""}]}]}, "empty text parameter"),
    ("gemini-2.5-flash", {"contents": [{"role": "user", "parts": [{"thought": True}]}]}, "must have a text parameter"),
    ("gemini-2.5-flash", {"contents": [{"role": "user", "parts": [{"text": "a", "inlineData": {"mimeType": "image/png", "data": "AAAA"}}]}]},
     "Oneof field 'data' is already set. Cannot set 'inlineData'"),
    ("gemini-2.5-flash", body(systemInstruction={"parts": []}), "must include at least one parts field"),
    ("gemini-2.5-flash", body(systemInstruction={"parts": [{"inlineData": {"mimeType": "image/png", "data": "AAAA"}}]}),
     "system_instruction must only contain non-empty text parts"),
    ("gemini-2.5-flash", {"contents": [USER, {"role": "model", "parts": [{"text": "prefill"}]}]}, "must end with a user turn"),
    ("gemini-3-flash-preview", {"contents": [USER, {"role": "model", "parts": [{"text": "prefill"}]}]}, "Requests ending with a model turn"),
    ("gemini-2.5-flash-image", {"contents": [USER, {"role": "model", "parts": [{"text": "prefill"}]}]}, "model turn"),
    # function-call turns
    ("gemini-2.5-flash", {"contents": [{"role": "model", "parts": [CALL]}, {"role": "user", "parts": [RESPONSE]}]},
     "function call turn comes immediately after a user turn"),
    ("gemini-2.5-flash", {"contents": [USER, {"role": "user", "parts": [RESPONSE]}]},
     "function response turn comes immediately after a function call turn"),
    ("gemini-2.5-flash", {"contents": [USER, {"role": "model", "parts": [CALL, CALL]}, {"role": "user", "parts": [RESPONSE]}]},
     "number of function response parts is equal to the number of function call parts"),
    ("gemini-2.5-flash", {"contents": [USER, {"role": "model", "parts": [CALL]},
                                       {"role": "user", "parts": [{"functionResponse": {"name": "other", "response": {}}}]}]},
     "same order as the function calls"),
    ("gemini-3-flash-preview", {"contents": [
        USER, {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {}, "id": "call_1"},
                                           "thoughtSignature": "skip_thought_signature_validator"}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "id": "call_2", "response": {}}}]}]},
     "does not match the id of any function call"),
    ("gemini-2.5-flash", {"contents": [
        USER, {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}, "id": "c1"}},
                                          {"functionCall": {"name": "f", "args": {}, "id": "c2"}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "f", "id": "c2", "response": {}}},
                                   {"functionResponse": {"name": "f", "id": "c1", "response": {}}}]}]},
     "same order as the function calls"),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [DECL]}], generationConfig={"responseMimeType": "application/json"}),
     "Function calling with a response mime type: 'application/json' is unsupported"),
    ("gemini-2.5-pro", body(tools=[{"googleSearch": {}}], generationConfig={"responseMimeType": "application/json"}),
     "Tool use with a response mime type: 'application/json' is unsupported"),
    # tools and tool config
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [dict(DECL, name="1bad")]}]), "Invalid function name"),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [dict(DECL, name="has space")]}]), "Invalid function name"),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [DECL, DECL]}]), "duplicate function declaration name `get_weather`"),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [DECL]}, {"functionDeclarations": [DECL]}]), "duplicate function declaration"),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [dict(DECL, parametersJsonSchema={"type": "object"})]}]),
     "sets both parameters and parameters_json_schema"),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [{"name": "f", "parameters": {"type": "STRING"}}]}]),
     "parameters schema should be of type OBJECT"),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [{"name": "f", "parameters": {
        "type": "OBJECT", "properties": {"tags": {"type": "ARRAY"}}}}]}]), "must specify items"),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [DECL], "googleSearch": {}}]), "sets more than one kind of tool"),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [DECL]}, {"googleSearch": {}}]),
     "Multiple tools are supported only when they are all search tools."),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [DECL]}],
                              toolConfig={"functionCallingConfig": {"mode": "AUTO", "allowedFunctionNames": ["get_weather"]}}),
     "allowed_function_names can only be set when the function calling mode is ANY or VALIDATED"),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [DECL]}],
                              toolConfig={"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["nope"]}}),
     "allowed_function_names contains `nope`, which is not declared"),
    ("gemini-2.5-flash", body(safetySettings=[{"category": "HARM_CATEGORY_HARASSMENT"}]), "safety_settings[0] has no threshold"),
    ("gemini-2.5-flash", body(safetySettings=[{"threshold": "OFF"}]), "safety_settings[0] has no category"),
    # thinking
    ("gemini-2.5-flash", with_config(thinkingConfig={"thinkingBudget": 1024, "thinkingLevel": "LOW"}),
     "thinking_budget and thinking_level are both set"),
    ("gemini-3-flash-preview", with_config(thinkingConfig={"thinkingBudget": 1024, "thinkingLevel": "LOW"}),
     "thinking_budget and thinking_level are both set"),
    ("gemini-2.5-flash", with_config(thinkingConfig={"thinkingLevel": "LOW"}), "thinking_level is not supported by this model"),
    ("gemini-3.1-pro-preview", with_config(thinkingConfig={"thinkingLevel": "MINIMAL"}), "thinking_level MINIMAL is not supported"),
    ("gemini-3-pro-preview", with_config(thinkingConfig={"thinkingLevel": "MEDIUM"}), "thinking_level MEDIUM is not supported"),
    ("gemini-3-flash-lite-test", with_config(thinkingConfig={"thinkingLevel": "MEDIUM"}), "Thinking level is unsupported: THINKING_LEVEL_MEDIUM"),
    ("gemini-2.5-pro", with_config(thinkingConfig={"thinkingBudget": 0}), "This model only works in thinking mode"),
    ("gemini-2.5-pro", with_config(thinkingConfig={"thinkingBudget": 64}), "supported values are integers from 128 to 32768"),
    ("gemini-2.5-pro", with_config(thinkingConfig={"thinkingBudget": 40000}), "from 128 to 32768"),
    ("gemini-2.5-flash", with_config(thinkingConfig={"thinkingBudget": 24577}), "from 1 to 24576"),
    ("gemini-2.5-flash-lite", with_config(thinkingConfig={"thinkingBudget": 100}), "from 512 to 24576"),
    ("gemini-2.0-flash-001", with_config(thinkingConfig={"thinkingBudget": 0}), "thinking is not supported by this model"),
    ("gemini-2.0-flash-001", with_config(thinkingConfig={"includeThoughts": True}), "thinking is not supported"),
    # generation config
    ("gemini-2.5-flash-image", with_config(candidateCount=2), "candidate_count 2 is not supported by this model"),
    ("gemini-3-pro-image-preview", with_config(candidateCount=2), "candidate_count 2 is not supported"),
    ("gemini-2.5-flash", with_config(candidateCount=9), "candidate_count must be in the range [1, 8]"),
    ("gemini-2.5-flash", with_config(maxOutputTokens=65536), "from 1 (inclusive) to 65536 (exclusive)"),
    ("gemini-2.0-flash-001", with_config(maxOutputTokens=9000), "from 1 (inclusive) to 8193 (exclusive)"),
    ("gemini-3-flash-preview", with_config(presencePenalty=0.5), "Penalty is not enabled for this model"),
    ("gemini-3-pro-preview", with_config(frequencyPenalty=-0.5), "Penalty is not enabled for this model"),
    ("gemini-2.5-flash", with_config(presencePenalty=2.5), "presence_penalty must be in the range"),
    ("gemini-3-flash-preview", with_config(responseLogprobs=True), "logprobs is not supported by this model"),
    ("gemini-2.5-flash", with_config(logprobs=3), "logprobs can only be set when response_logprobs is true"),
    ("gemini-2.5-flash", with_config(responseLogprobs=True, logprobs=21), "logprobs must be in the range [0, 20]"),
    ("gemini-2.5-flash-image", with_config(mediaResolution="MEDIA_RESOLUTION_LOW"), "media_resolution is not supported"),
    ("gemini-2.5-flash", with_config(responseModalities=["TEXT", "IMAGE"]), "Multi-modal output is not supported."),
    ("gemini-2.5-flash", with_config(responseJsonSchema={"type": "object"}), "response_json_schema is only supported when response_mime_type"),
    ("gemini-2.5-flash", with_config(responseSchema={"type": "OBJECT"}, responseMimeType="text/plain"), "response_schema is only supported"),
    ("gemini-2.5-flash", with_config(responseMimeType="application/json", responseSchema={"type": "OBJECT"},
                                     responseJsonSchema={"type": "object"}), "cannot both be set"),
    ("gemini-2.5-flash", with_config(responseMimeType="text/html"), "allowed mimetypes"),
    ("gemini-2.5-flash", with_config(temperature=2.5), "temperature must be in the range"),
    # thought signatures (Gemini 3)
    ("gemini-3-flash-preview", {"contents": [USER, {"role": "model", "parts": [CALL]}, {"role": "user", "parts": [RESPONSE]}]},
     "Function call is missing a thought_signature"),
    ("gemini-3-flash-preview", {"contents": [USER, {"role": "model", "parts": [dict(CALL, thoughtSignature="AY89a1Zm9yZ2Vk")]},
                                             {"role": "user", "parts": [RESPONSE]}]}, "Invalid thought signature."),
]


@pytest.mark.parametrize(("model", "request_body", "fragment"), REJECTED,
                         ids=[f"{i:02d}-{row[0]}" for i, row in enumerate(REJECTED)])
def test_bad_bodies_get_google_400s(emulator: VertexEmulator, key: str, model: str, request_body: Any, fragment: str) -> None:
    emulator.enqueue(Reply.error(503))
    answer = call(emulator, key, model, request_body)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT" and error["code"] == 400
    assert fragment in error["message"]
    record = emulator.last_call()
    assert record.outcome == "rejected" and record.status == 400
    assert record.body == (request_body if not isinstance(request_body, bytes) else request_body.decode())
    assert len(emulator.pending()) == 1, "a rejected request must not consume a scripted reply"


def test_several_violations_are_joined(emulator: VertexEmulator, key: str) -> None:
    answer = call(emulator, key, "gemini-2.5-flash", body(google={}, openai={}))
    error = answer.json()["error"]
    assert error["message"].split("\n") == [v["description"] for v in error["details"][0]["fieldViolations"]]
    assert len(error["details"][0]["fieldViolations"]) == 2


@pytest.mark.parametrize(
    ("model", "request_body", "fixture"),
    [
        ("gemini-2.5-flash", body(google={"thinking_config": {}}), "400.unknown-name.top-level"),
        ("gemini-2.5-flash", body(systemInstruction={"parts": [{"text": ["You are terse."]}]}), "400.not-repeating"),
        ("gemini-2.5-flash", {"contents": [{"role": "user", "parts": []}]}, "400.empty-parts"),
        ("gemini-3-pro-preview", with_config(thinkingConfig={"thinkingLevel": "MINIMAL"}), "400.thinking-level-unsupported.pro"),
        ("gemini-3.8-flash", {"contents": [USER, {"role": "model", "parts": [CALL]}, {"role": "user", "parts": [RESPONSE]}]},
         "400.thought-signature-missing"),
        ("gemini-3.8-flash", {"contents": [USER, {"role": "model", "parts": [dict(CALL, thoughtSignature="AY89a1Zm9yZ2Vk")]},
                                           {"role": "user", "parts": [RESPONSE]}]}, "400.thought-signature-invalid"),
    ],
)
def test_errors_match_the_captured_bodies(emulator: VertexEmulator, key: str, model: str, request_body: Any, fixture: str) -> None:
    assert call(emulator, key, model, request_body).json() == error_body(fixture)


def test_flash_level_error_matches_its_capture(emulator: VertexEmulator, key: str) -> None:
    answer = call(emulator, key, "gemini-3-flash-lite-test", with_config(thinkingConfig={"thinkingLevel": "MINIMAL"}))
    assert answer.json() == error_body("400.thinking-level-unsupported.flash")


ACCEPTED: list[tuple[str, Any]] = [
    ("gemini-2.5-flash", {"contents": {"role": "user", "parts": {"text": "single objects for repeated fields"}}}),
    ("gemini-2.5-flash", {"contents": [{"parts": [{"text": "no role means user"}]}]}),
    ("gemini-2.5-flash", {"contents": [USER], "generation_config": {"max_output_tokens": "64", "thinking_config": {"include_thoughts": True}}}),
    ("gemini-2.5-flash", with_config(thinkingConfig={"thinkingBudget": -1})),
    ("gemini-2.5-flash", with_config(thinkingConfig={"thinkingBudget": 0})),
    ("gemini-2.5-flash-lite", with_config(thinkingConfig={"thinkingBudget": 0})),
    ("gemini-2.5-pro", with_config(thinkingConfig={"thinkingBudget": 128})),
    ("gemini-3.1-pro-preview", with_config(thinkingConfig={"thinkingLevel": "MEDIUM"})),
    ("gemini-3-flash-preview", with_config(thinkingConfig={"thinkingLevel": "MINIMAL"})),
    ("gemini-2.0-flash-001", {"contents": [USER, {"role": "model", "parts": [{"text": "Sure,"}]}]}),
    ("gemini-2.0-flash-001", with_config(presencePenalty=0.5, frequencyPenalty=0.5, candidateCount=2)),
    ("gemini-3-flash-preview", with_config(presencePenalty=0.0)),
    ("gemini-2.5-flash", with_config(responseLogprobs=True, logprobs=5)),
    ("gemini-2.5-flash-image", with_config(responseModalities=["TEXT", "IMAGE"])),
    ("gemini-2.5-flash", with_config(responseMimeType="text/x.enum", responseSchema={"type": "STRING", "enum": ["a", "b"]})),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [{"name": "ns.tool:v1-x", "parametersJsonSchema": {
        "type": "object", "$defs": {}, "additionalProperties": False}}]}])),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [dict(DECL, parameters={
        "type": "OBJECT", "title": "T", "properties": {"c": {"type": "STRING", "default": "x", "nullable": True}},
        "additionalProperties": False, "anyOf": [{"type": "OBJECT"}], "maxItems": 3, "minLength": "2"})]}])),
    ("gemini-3-flash-preview", body(tools=[{"functionDeclarations": [DECL]}, {"googleSearch": {}}])),
    ("gemini-2.5-flash", body(tools=[{"googleSearch": {}}, {"urlContext": {}}])),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [DECL]}],
                              toolConfig={"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}})),
    ("gemini-2.5-flash", body(tools=[{"functionDeclarations": [DECL]}], toolConfig={"functionCallingConfig": {"mode": "NONE"}},
                              generationConfig={"responseMimeType": "application/json"})),
    ("gemini-3-flash-preview", body(tools=[{"functionDeclarations": [DECL]}], generationConfig={"responseMimeType": "application/json"})),
    ("gemini-2.5-flash", {"contents": [USER, {"role": "model", "parts": [{"text": "x", "thought": True}, CALL]},
                                       {"role": "user", "parts": [RESPONSE, {"text": "and a note"}]}]}),
    ("gemini-3-flash-preview", {"contents": [
        USER, {"role": "model", "parts": [dict(CALL, thoughtSignature="context_engineering_is_the_way_to_go"), CALL]},
        {"role": "user", "parts": [RESPONSE, RESPONSE]}]}),
    ("gemini-3-flash-preview", {"contents": [
        {"role": "user", "parts": [{"text": "older turn"}]}, {"role": "model", "parts": [CALL]},
        {"role": "user", "parts": [RESPONSE]}, {"role": "model", "parts": [{"text": "done"}]}, USER]}),
]


@pytest.mark.parametrize(("model", "request_body"), ACCEPTED, ids=[f"{i:02d}-{row[0]}" for i, row in enumerate(ACCEPTED)])
def test_valid_variants_are_accepted(emulator: VertexEmulator, key: str, model: str, request_body: Any) -> None:
    answer = call(emulator, key, model, request_body)
    assert answer.status_code == 200, answer.text
    assert emulator.last_call().outcome == "ok"


EXAMPLE_REQUESTS = sorted(os.path.relpath(p, EXAMPLES) for p in glob.glob(str(EXAMPLES / "generate" / "*.request*.json")))


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
@pytest.mark.parametrize("example", EXAMPLE_REQUESTS)
def test_every_example_request_is_accepted(emulator: VertexEmulator, key: str, example: str, version: str) -> None:
    request_body = load_json(example)
    text = json.dumps(request_body)
    model = "gemini-3.8-flash" if "thinkingLevel" in text or "thoughtSignature" in text else "gemini-2.5-flash"
    if "call_463646" in text:
        emulator.enqueue(Reply.from_fixture("generate/function-call.parallel.gemini-3.response.json"))
        assert call(emulator, key, model, body(), version=version).status_code == 200
    method = "countTokens" if "count-tokens" in example else "generateContent"
    answer = call(emulator, key, model, request_body, method, version)
    assert answer.status_code == 200, answer.text


def test_signatures_the_emulator_issued_are_accepted(emulator: VertexEmulator, key: str) -> None:
    answer = call(emulator, key, "gemini-3-flash-preview", body(tools=[{"functionDeclarations": [DECL]}]))
    signed_text = answer.json()["candidates"][0]["content"]["parts"][0]
    follow_up = {"contents": [USER, {"role": "model", "parts": [signed_text]}, USER]}
    assert call(emulator, key, "gemini-3-flash-preview", follow_up).status_code == 200
    history = copy.deepcopy(follow_up)
    history["contents"][1]["parts"][0]["thoughtSignature"] = emulator.issue_signature()
    assert call(emulator, key, "gemini-3-flash-preview", history).status_code == 200


@pytest.mark.parametrize(
    ("model", "method", "request_body", "fragment"),
    [
        ("gemini-embedding-001", "predict", {"instances": [{"content": "a"}, {"content": "b"}]}, "at most 1 instance"),
        ("text-embedding-005", "predict", {"instances": [{"content": "a"}] * 251}, "at most 250 instance"),
        ("text-embedding-005", "predict", {"instances": [{"content": "a"}], "parameters": {"outputDimensionality": 1024}},
         "between 1 and 768"),
        ("text-embedding-005", "predict", {"instances": [{"text": "a"}]}, "`content` string"),
        ("gemini-2.5-flash", "predict", {"instances": [{"content": "a"}]}, "Gemini cannot be accessed through Vertex Predict"),
        ("text-embedding-005", "generateContent", body(), "does not support generateContent"),
        ("gemini-2.5-flash", "countTokens", {"contents": []}, "at least one contents field"),
    ],
)
def test_other_methods_validate_too(emulator: VertexEmulator, key: str, model: str, method: str, request_body: Any, fragment: str) -> None:
    answer = call(emulator, key, model, request_body, method)
    assert answer.status_code == 400
    assert fragment in answer.json()["error"]["message"]


def test_unknown_model_is_404_with_googles_message(emulator: VertexEmulator, key: str) -> None:
    answer = call(emulator, key, "gemini-9.9-flash", body())
    assert answer.status_code == 404
    assert answer.json()["error"]["message"].startswith("Publisher Model `projects/")
    assert "models/gemini-9.9-flash` was not found or your project does not have access to it" in answer.json()["error"]["message"]
    assert emulator.last_call().outcome == "not_found"


def test_a_restricted_model_set(key: str) -> None:
    with VertexEmulator(models=["gemini-2.5-flash"]) as small:
        small.register_express_key(key)
        assert call(small, key, "gemini-2.5-flash", body()).status_code == 200
        assert call(small, key, "gemini-2.5-pro", body()).status_code == 404

