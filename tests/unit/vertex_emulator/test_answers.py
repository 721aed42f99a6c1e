"""Default answers, payload builders, embeddings, countTokens and the OpenAI-compatible endpoint."""

from __future__ import annotations

import glob
import json
import os
from typing import Any

import openai
import pytest
import requests

from tests.emulator import Reply, VertexEmulator, payloads
from tests.emulator.fixtures import EXAMPLES, load_json, load_sse_events

USER = {"role": "user", "parts": [{"text": "What is 2+2?"}]}


def generate(emulator: VertexEmulator, key: str, model: str, **config: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"contents": [USER], "generationConfig": config} if config else {"contents": [USER]}
    answer = requests.post(emulator.model_url(model), json=body, headers={"x-goog-api-key": key}, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def stream(emulator: VertexEmulator, key: str, model: str, **config: Any) -> list[dict[str, Any]]:
    body = {"contents": [USER], "generationConfig": config}
    answer = requests.post(emulator.model_url(model, "streamGenerateContent"), json=body,
                           headers={"x-goog-api-key": key}, timeout=5)
    assert answer.status_code == 200, answer.text
    events = [json.loads(line[6:]) for line in answer.text.split("\r\n") if line.startswith("data: ")]
    assert events, answer.text
    return events


def parts_of(response: dict[str, Any], index: int = 0) -> list[dict[str, Any]]:
    return response["candidates"][index]["content"]["parts"]


# -- default answers ----------------------------------------------------------------------------------

def test_default_answer_echoes_the_last_user_text(emulator: VertexEmulator, key: str) -> None:
    answer = generate(emulator, key, "gemini-2.0-flash-001")
    assert list(answer) == ["candidates", "usageMetadata", "modelVersion", "createTime", "responseId"]
    assert parts_of(answer) == [{"text": "Hello from gemini-2.0-flash-001! You said: What is 2+2?"}]
    assert list(answer["candidates"][0]) == ["content", "finishReason"]
    usage = answer["usageMetadata"]
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["candidatesTokenCount"]
    assert "thoughtsTokenCount" not in usage and answer["modelVersion"] == "gemini-2.0-flash-001"


def test_thinking_models_count_thoughts_and_show_them_only_when_asked(emulator: VertexEmulator, key: str) -> None:
    hidden = generate(emulator, key, "gemini-2.5-flash")
    assert len(parts_of(hidden)) == 1 and hidden["usageMetadata"]["thoughtsTokenCount"] > 0
    shown = generate(emulator, key, "gemini-2.5-flash", thinkingConfig={"includeThoughts": True})
    assert parts_of(shown)[0]["thought"] is True and "thought" not in parts_of(shown)[1]
    usage = shown["usageMetadata"]
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]
    off = generate(emulator, key, "gemini-2.5-flash", thinkingConfig={"thinkingBudget": 0, "includeThoughts": True})
    assert len(parts_of(off)) == 1 and "thoughtsTokenCount" not in off["usageMetadata"]


def test_gemini_3_signs_the_text_part_and_the_stream_ends_with_a_signed_empty_part(emulator: VertexEmulator, key: str) -> None:
    unary = generate(emulator, key, "gemini-3-pro-preview")
    assert parts_of(unary)[-1]["thoughtSignature"].startswith("AY89a1")
    events = stream(emulator, key, "gemini-3-pro-preview")
    assert all(e["usageMetadata"] == {"trafficType": "ON_DEMAND"} for e in events[:-1])
    final = events[-1]["candidates"][0]
    assert final["content"]["parts"] == [{"text": "", "thoughtSignature": final["content"]["parts"][0]["thoughtSignature"]}]
    assert final["finishReason"] == "STOP" and "promptTokenCount" in events[-1]["usageMetadata"]
    text = "".join(p.get("text", "") for e in events for p in e["candidates"][0]["content"]["parts"])
    assert text == "Hello from gemini-3-pro-preview! You said: What is 2+2?"
    assert len({e["responseId"] for e in events}) == 1


def test_stream_of_a_2_5_model_ends_with_the_last_delta(emulator: VertexEmulator, key: str) -> None:
    events = stream(emulator, key, "gemini-2.5-flash", thinkingConfig={"includeThoughts": True})
    assert events[0]["candidates"][0]["content"]["parts"][0]["thought"] is True
    assert events[-1]["candidates"][0]["finishReason"] == "STOP"
    assert "thoughtSignature" not in json.dumps(events)


def test_candidate_count_gives_indexed_candidates(emulator: VertexEmulator, key: str) -> None:
    answer = generate(emulator, key, "gemini-2.5-flash", candidateCount=3)
    assert [c.get("index") for c in answer["candidates"]] == [None, 1, 2]
    assert len({parts_of(answer, i)[0]["text"] for i in range(3)}) == 3
    events = stream(emulator, key, "gemini-2.5-flash", candidateCount=2)
    assert {c.get("index", 0) for e in events for c in e["candidates"]} == {0, 1}


def test_logprobs_follow_the_schema_shape(emulator: VertexEmulator, key: str) -> None:
    candidate = generate(emulator, key, "gemini-2.5-flash", responseLogprobs=True, logprobs=3)["candidates"][0]
    assert list(candidate) == ["content", "finishReason", "avgLogprobs", "logprobsResult"]
    result = candidate["logprobsResult"]
    assert len(result["topCandidates"]) == len(result["chosenCandidates"])
    assert all(len(top["candidates"]) == 3 for top in result["topCandidates"])
    assert "".join(c["token"] for c in result["chosenCandidates"]) == parts_of({"candidates": [candidate]})[0]["text"]


def test_image_output(emulator: VertexEmulator, key: str) -> None:
    answer = generate(emulator, key, "gemini-2.5-flash-image", responseModalities=["TEXT", "IMAGE"])
    assert parts_of(answer)[-1] == {"inlineData": {"mimeType": "image/png", "data": payloads.TINY_PNG_BASE64}}


def test_json_mode_answers_match_the_schema(emulator: VertexEmulator, key: str) -> None:
    schema = {"type": "object", "$defs": {"Color": {"enum": ["red", "blue"], "type": "string"}},
              "properties": {"name": {"type": "string"}, "colors": {"type": "array", "items": {"$ref": "#/$defs/Color"}},
                             "age": {"anyOf": [{"type": "integer"}, {"type": "null"}]}},
              "required": ["name", "colors", "age"]}
    answer = generate(emulator, key, "gemini-2.5-flash", responseMimeType="application/json", responseJsonSchema=schema)
    assert json.loads(parts_of(answer)[0]["text"]) == {"name": "example", "colors": ["red"], "age": 1}
    enum = generate(emulator, key, "gemini-2.5-flash", responseMimeType="text/x.enum",
                    responseSchema={"type": "STRING", "enum": ["yes", "no"]})
    assert parts_of(enum)[0]["text"] == "yes"


def test_function_results_are_echoed(emulator: VertexEmulator, key: str) -> None:
    body = {"contents": [USER, {"role": "model", "parts": [{"functionCall": {"name": "calc", "args": {}}}]},
                         {"role": "user", "parts": [{"functionResponse": {"name": "calc", "response": {"output": 4}}}]}]}
    answer = requests.post(emulator.model_url("gemini-2.5-flash"), json=body, headers={"x-goog-api-key": key}, timeout=5)
    assert parts_of(answer.json())[0]["text"].endswith("function results for calc")


def test_count_tokens(emulator: VertexEmulator, key: str) -> None:
    body = load_json("generate/count-tokens.request.json")
    answer = requests.post(emulator.model_url("gemini-2.5-flash", "countTokens"), json=body,
                           headers={"x-goog-api-key": key}, timeout=5).json()
    assert list(answer) == list(load_json("generate/count-tokens.response.json"))
    assert answer["totalTokens"] > 0


@pytest.mark.parametrize(("model", "count", "dimensions"), [("gemini-embedding-001", 1, 3072), ("text-embedding-005", 3, 768)])
def test_embeddings(emulator: VertexEmulator, key: str, model: str, count: int, dimensions: int) -> None:
    instances = [{"task_type": "RETRIEVAL_QUERY", "content": f"text {i}"} for i in range(count)]
    url = emulator.model_url(model, "predict")
    full = requests.post(url, json={"instances": instances}, headers={"x-goog-api-key": key}, timeout=5).json()
    assert [len(p["embeddings"]["values"]) for p in full["predictions"]] == [dimensions] * count
    short = requests.post(url, json={"instances": instances, "parameters": {"outputDimensionality": 8}},
                          headers={"x-goog-api-key": key}, timeout=5).json()
    prediction = short["predictions"][0]["embeddings"]
    assert list(prediction) == ["statistics", "values"] and len(prediction["values"]) == 8
    assert isinstance(prediction["statistics"]["token_count"], float) and prediction["statistics"]["truncated"] is False
    again = requests.post(url, json={"instances": instances, "parameters": {"outputDimensionality": 8}},
                          headers={"x-goog-api-key": key}, timeout=5).json()
    assert again["predictions"] == short["predictions"], "embeddings are deterministic"
    assert list(short) == ["predictions", "metadata"] and short["metadata"]["billableCharacterCount"] > 0


# -- payload builders -----------------------------------------------------------------------------------

RESPONSES = sorted(os.path.relpath(p, EXAMPLES) for p in glob.glob(str(EXAMPLES / "generate" / "*.response.json"))
                   if "count-tokens" not in p)


@pytest.mark.parametrize("fixture", RESPONSES)
def test_splitting_then_merging_gives_the_response_back(fixture: str) -> None:
    response = load_json(fixture)
    events = payloads.to_stream_events(response)
    assert payloads.merge_stream_events(events) == response
    assert all(e["usageMetadata"] == {"trafficType": "ON_DEMAND"} for e in events[:-1])


@pytest.mark.parametrize(("stream_fixture", "unary_fixture"), [
    ("stream/function-call.parallel.gemini-3.sse", "generate/function-call.parallel.gemini-3.response.json"),
    ("stream/function-call.parallel.gemini-2.5.sse", "generate/function-call.parallel.gemini-2.5.response.json"),
])
def test_splitting_reproduces_captured_streams(stream_fixture: str, unary_fixture: str) -> None:
    assert payloads.to_stream_events(load_json(unary_fixture)) == load_sse_events(stream_fixture)


def test_merging_a_captured_gemini_3_stream_gives_the_unary_answer() -> None:
    merged = payloads.merge_stream_events(load_sse_events("stream/thoughts-then-text.gemini-3.sse"))
    assert merged == load_json("generate/thoughts.gemini-3.response.json")


BUILT = [
    payloads.text_response("hi"), payloads.thought_response("hmm", "hi"),
    payloads.function_call_response([("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Tokyo"})], "gemini-3.8-flash"),
    payloads.function_call_response([("get_weather", {"city": "Paris"})]),
    payloads.grounded_response([("Chicago is ", []), ("cloudy, 9°C.", [0])], [("https://vertexaisearch.cloud.google.com/r/1", "weather.com")]),
    payloads.logprobs_response("a b c"), payloads.blocked_prompt_response(), payloads.blocked_prompt_response("MODEL_ARMOR"),
    payloads.safety_blocked_response(), payloads.safety_blocked_response("Sure, the first"), payloads.max_tokens_response(),
    payloads.max_tokens_response(thinking_exhausted=True), payloads.malformed_function_call_response(),
    payloads.malformed_function_call_response("Malformed function call: x(1,"), payloads.image_response(),
    payloads.image_response(model="gemini-3-pro-image-preview"),
]


@pytest.mark.parametrize("response", BUILT, ids=[f"built-{i}" for i in range(len(BUILT))])
def test_built_payloads_are_served_and_round_trip(emulator: VertexEmulator, key: str, response: dict[str, Any]) -> None:
    emulator.enqueue(response)
    assert requests.post(emulator.model_url("gemini-2.5-flash"), json={"contents": [USER]},
                         headers={"x-goog-api-key": key}, timeout=5).json() == response
    assert payloads.merge_stream_events(payloads.to_stream_events(response)) == response


def test_builders_follow_vertex_conventions() -> None:
    gemini3 = payloads.function_call_response([("f", {}), ("g", {})], "gemini-3-flash-preview")
    first, second = parts_of(gemini3)
    assert first["thoughtSignature"].startswith("AY89a1") and "thoughtSignature" not in second
    assert first["functionCall"]["id"].startswith("call_") and second["functionCall"]["id"] != first["functionCall"]["id"]
    assert "id" not in parts_of(payloads.function_call_response([("f", {})]))[0]["functionCall"]
    grounded = payloads.grounded_response([("東京は", []), ("晴れ。", [0])], [("https://x", "x")])
    support = grounded["candidates"][0]["groundingMetadata"]["groundingSupports"][0]["segment"]
    text = parts_of(grounded)[0]["text"].encode("utf-8")
    assert text[support["startIndex"]:support["endIndex"]].decode("utf-8") == support["text"]
    zero = payloads.grounded_response([("Start.", [0])], [("https://x", "x")])
    assert "startIndex" not in zero["candidates"][0]["groundingMetadata"]["groundingSupports"][0]["segment"]
    assert "candidates" not in payloads.blocked_prompt_response()
    assert payloads.malformed_function_call_response()["candidates"][0] == {"finishReason": "MALFORMED_FUNCTION_CALL"}
    assert payloads.max_tokens_response(thinking_exhausted=True)["candidates"][0]["content"] == {"role": "model"}


def test_served_signatures_are_accepted_later(emulator: VertexEmulator, key: str) -> None:
    reply = payloads.function_call_response([("get_weather", {"city": "Paris"})], "gemini-3-flash-preview")
    emulator.enqueue(reply)
    url = emulator.model_url("gemini-3-flash-preview")
    tools = [{"functionDeclarations": [{"name": "get_weather", "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}}}]}]
    call_part = requests.post(url, json={"contents": [USER], "tools": tools}, headers={"x-goog-api-key": key}, timeout=5).json()
    follow_up = {"contents": [USER, call_part["candidates"][0]["content"],
                              {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "id": parts_of(reply)[0]["functionCall"]["id"],
                                                                              "response": {"output": "18C"}}}]}], "tools": tools}
    assert requests.post(url, json=follow_up, headers={"x-goog-api-key": key}, timeout=5).status_code == 200


# -- OpenAI-compatible endpoint ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def openai_client(emulator: VertexEmulator) -> openai.OpenAI:
    account = emulator.new_service_account("oa-project")
    return openai.OpenAI(base_url=emulator.openai_base_url("oa-project"), api_key=emulator.access_token(account), max_retries=0)


THINK = {"extra_body": {"google": {"thinking_config": {"include_thoughts": True}, "thought_tag_marker": "think"}}}


def test_openai_compat_wraps_thoughts_in_think_tags(emulator: VertexEmulator, openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(model="google/gemini-2.5-flash", extra_body=THINK,
                                                       messages=[{"role": "user", "content": "Is 391 prime?"}])
    content = completion.choices[0].message.content or ""
    assert content.startswith("<think>**Considering") and content.endswith("</think>Hello from gemini-2.5-flash! You said: Is 391 prime?")
    assert completion.usage is not None and completion.usage.completion_tokens_details.reasoning_tokens > 0
    assert emulator.last_call("chat.completions").model == "gemini-2.5-flash"


def test_openai_compat_stream_ends_with_done(emulator: VertexEmulator, openai_client: openai.OpenAI) -> None:
    chunks = list(openai_client.chat.completions.create(model="google/gemini-2.5-flash", stream=True, extra_body=THINK,
                                                        messages=[{"role": "user", "content": "hi"}]))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("<think>") and "</think>Hello from" in text
    assert chunks[1].choices[0].delta.content.startswith("</think>")
    assert chunks[-1].choices[0].finish_reason == "stop" and chunks[-1].usage is not None
    raw = requests.post(emulator.openai_base_url("oa-project") + "/chat/completions", json={
        "model": "google/gemini-2.0-flash-001", "stream": True, "messages": [{"role": "user", "content": "hi"}]},
        headers={"Authorization": emulator.last_call().headers["Authorization"]}, timeout=5)
    assert raw.content.endswith(b"\n\ndata: [DONE]\n\n") and b"\r\n" not in raw.content


def test_openai_compat_errors_are_wrapped_in_an_array(emulator: VertexEmulator, openai_client: openai.OpenAI) -> None:
    headers = {"Authorization": f"Bearer {openai_client.api_key}"}
    url = emulator.openai_base_url("oa-project") + "/chat/completions"
    answer = requests.post(url, json=load_json("openai-compat/chat.request.top-level-google.json") | {"reasoning_effort": "none"},
                           headers=headers, timeout=5)
    assert answer.status_code == 400 and answer.json() == load_json("openai-compat/error.400.reasoning-effort.json")
    bad_model = requests.post(url, json={"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "x"}]},
                              headers=headers, timeout=5)
    assert bad_model.status_code == 400 and isinstance(bad_model.json(), list)
    with pytest.raises(openai.NotFoundError):
        openai_client.chat.completions.create(model="google/gemini-9.9-flash", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.PermissionDeniedError):
        openai.OpenAI(base_url=emulator.openai_base_url("not-mine"), api_key=openai_client.api_key, max_retries=0) \
            .chat.completions.create(model="google/gemini-2.5-flash", messages=[{"role": "user", "content": "x"}])


def test_openai_compat_examples_are_accepted(emulator: VertexEmulator, openai_client: openai.OpenAI) -> None:
    headers = {"Authorization": f"Bearer {openai_client.api_key}"}
    url = emulator.openai_base_url("oa-project") + "/chat/completions"
    emulator.enqueue(Reply.unary(load_json("openai-compat/chat.tools.response.json")))
    for name in ("chat.request.json", "chat.request.top-level-google.json", "chat.tools.request.json", "chat.tools.followup.request.json"):
        assert requests.post(url, json=load_json(f"openai-compat/{name}"), headers=headers, timeout=5).status_code == 200, name


def test_openai_compat_gemini_3_tool_calls_need_their_signature(emulator: VertexEmulator, openai_client: openai.OpenAI) -> None:
    request = load_json("openai-compat/chat.tools.request.json") | {"tool_choice": "required"}
    completion = openai_client.chat.completions.create(**request)
    call = completion.choices[0].message.tool_calls[0]
    assert completion.choices[0].finish_reason == "tool_calls" and json.loads(call.function.arguments) == {"city": "example"}
    signature = call.model_extra["extra_content"]["google"]["thought_signature"]
    history = [{"role": "user", "content": "Weather?"},
               {"role": "assistant", "tool_calls": [{"id": call.id, "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
               {"role": "tool", "tool_call_id": call.id, "content": "18C"}]
    with pytest.raises(openai.BadRequestError) as refused:
        openai_client.chat.completions.create(model="google/gemini-3.8-flash", messages=history)
    assert "missing a thought_signature" in refused.value.response.json()[0]["error"]["message"]
    history[1]["tool_calls"][0]["extra_content"] = {"google": {"thought_signature": signature}}
    assert openai_client.chat.completions.create(model="google/gemini-3.8-flash", messages=history).choices[0].message.content


def test_openai_compat_scripted_stream(emulator: VertexEmulator, openai_client: openai.OpenAI) -> None:
    lines = (EXAMPLES / "openai-compat/chat.stream.sse").read_text().split("\n\n")
    events = [json.loads(line[6:]) for line in lines if line.startswith("data: {")]
    emulator.enqueue(Reply.stream(events), method="chat.completions")
    chunks = list(openai_client.chat.completions.create(model="google/gemini-2.5-flash", stream=True,
                                                        messages=[{"role": "user", "content": "Is 391 prime?"}]))
    assert [c.id for c in chunks] == [e["id"] for e in events]
