"""Other chat parameters end to end: logprobs, n > 1 (whole and streamed), metadata-like
parameters, parameters Gemini cannot honour, image output and the image-editing loop,
prefill, and empty answers."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from tests.conftest import GatewayFactory, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.streams import comparable
from tests.support.surface import answer, create, error_of, stream

ASK = [{"role": "user", "content": "Name a colour."}]
IMAGE_MODEL = "gemini-2.5-flash-image"


@pytest.fixture
def gateway(gateway_factory: GatewayFactory) -> LiveGateway:
    return gateway_factory(service_accounts=False)


def _raw_create(gateway: LiveGateway, **body: Any) -> tuple[dict[str, Any], dict[str, str]]:
    response = gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": ASK, **body})
    assert response.status_code == 200, response.text
    return response.json(), dict(response.headers)


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("top", [None, 3])
def test_logprobs(client: openai.OpenAI, emulator: VertexEmulator, top: int | None, streamed: bool) -> None:
    extra = {"top_logprobs": top} if top is not None else {}
    result = answer(client, streamed, model="gemini-2.5-flash", messages=ASK, logprobs=True, **extra)
    choice = result["choices"][0]
    tokens = choice["logprobs"]["content"]
    assert "".join(token["token"] for token in tokens) == choice["message"]["content"]
    for token in tokens:
        assert token["bytes"] == list(token["token"].encode("utf-8"))
        assert token["logprob"] < 0
        assert len(token["top_logprobs"]) == (top or 1)
        assert token["top_logprobs"][0]["token"] == token["token"]
    config = emulator.last_call().body["generationConfig"]
    assert config["responseLogprobs"] is True
    assert config.get("logprobs") == top


def test_logprobs_whole_and_streamed_agree(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    reply = payloads.logprobs_response("Blue is calm", top=2)
    emulator.enqueue(reply, reply)
    whole = comparable(create(client, model="gemini-2.5-flash", messages=ASK, logprobs=True, top_logprobs=2))
    assert answer(client, True, model="gemini-2.5-flash", messages=ASK, logprobs=True, top_logprobs=2) == whole


@pytest.mark.parametrize(
    "body,param",
    [
        ({"model": "gemini-3-flash-preview", "logprobs": True}, "logprobs"),
        ({"top_logprobs": 2}, "top_logprobs"),
        ({"logit_bias": {"1234": 5}}, "logit_bias"),
        ({"audio": {"voice": "alloy", "format": "mp3"}, "modalities": ["text"]}, "audio"),
        ({"modalities": ["text", "audio"]}, "modalities[1]"),
        ({"prediction": {"type": "content", "content": "Blue"}}, "prediction"),
        ({"modalities": ["text", "image"]}, "modalities"),
        ({"model": IMAGE_MODEL, "n": 2}, "n"),
        ({"n": 9}, "n"),
    ],
)
def test_parameters_gemini_cannot_honour_are_400s(gateway: LiveGateway, emulator: VertexEmulator, body: dict[str, Any], param: str) -> None:
    error = error_of(gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": ASK, **body}))
    assert error["param"] == param
    assert error["type"] == "invalid_request_error"
    assert emulator.calls == []


def test_empty_logit_bias_is_fine(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    _raw_create(gateway, logit_bias={})
    assert emulator.last_call().outcome == "ok"


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-3-flash-preview"])
def test_n_choices_whole(client: openai.OpenAI, emulator: VertexEmulator, model: str) -> None:
    completion = create(client, model=model, messages=ASK, n=2)
    assert [choice["index"] for choice in completion["choices"]] == [0, 1]
    assert completion["choices"][0]["message"]["content"] != completion["choices"][1]["message"]["content"]
    assert emulator.last_call().body["generationConfig"]["candidateCount"] == 2


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-3-flash-preview"])
def test_n_choices_streamed(client: openai.OpenAI, emulator: VertexEmulator, model: str) -> None:
    whole = comparable(create(client, model=model, messages=ASK, n=2))
    chunks = stream(client, model=model, messages=ASK, n=2)
    finishes = [(choice["index"], choice["finish_reason"]) for chunk in chunks for choice in chunk["choices"] if choice["finish_reason"]]
    assert sorted(finishes) == [(0, "stop"), (1, "stop")]
    assert all(len(chunk["choices"]) <= 1 for chunk in chunks)
    texts = {
        index: "".join(choice["delta"].get("content") or "" for chunk in chunks for choice in chunk["choices"] if choice["index"] == index)
        for index in (0, 1)
    }
    assert texts == {index: whole["choices"][index]["message"]["content"] for index in (0, 1)}


def test_n_choices_with_tool_calls_keep_their_own_indexes(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    call = payloads.function_call_response([("get_weather", {"city": "Oslo"})])["candidates"][0]
    second = {**payloads.function_call_response([("get_weather", {"city": "Bergen"}), ("get_time", {})])["candidates"][0], "index": 1}
    reply = payloads.response([call, second], payloads.usage(10, 10), "gemini-2.5-flash")
    emulator.enqueue(reply, reply)
    tools = [{"type": "function", "function": {"name": name}} for name in ("get_weather", "get_time")]
    whole = create(client, model="gemini-2.5-flash", messages=ASK, tools=tools, n=2)
    chunks = stream(client, model="gemini-2.5-flash", messages=ASK, tools=tools, n=2)
    calls: dict[int, list[int]] = {0: [], 1: []}
    for chunk in chunks:
        for choice in chunk["choices"]:
            calls[choice["index"]].extend(delta["index"] for delta in choice["delta"].get("tool_calls", ()))
    assert calls == {0: [0], 1: [0, 1]}
    assert [len(choice["message"]["tool_calls"]) for choice in whole["choices"]] == [1, 2]
    assert {choice["finish_reason"] for choice in whole["choices"]} == {"tool_calls"}


def test_metadata_parameters_are_accepted(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    metadata = {"team": "search", "run-id": "r_42", "Owner": "Ann", "note": "has spaces"}
    body, headers = _raw_create(gateway, user="user-1", metadata=metadata, store=True, service_tier="flex", safety_identifier="s1", prompt_cache_key="k")
    assert body["choices"][0]["finish_reason"] == "stop"
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    assert call.body["labels"] == {"team": "search", "run-id": "r_42"}
    assert "metadata: 2 entries dropped" in headers["X-Gateway-Rewrites"]
    assert "user-1" not in json.dumps(call.body)


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
def test_image_output_and_the_editing_loop(client: openai.OpenAI, emulator: VertexEmulator, streamed: bool) -> None:
    emulator.enqueue(payloads.image_response("Here is a red square."))
    first = answer(client, streamed, model=IMAGE_MODEL, messages=[{"role": "user", "content": "Draw a red square."}], modalities=["text", "image"])
    content = first["choices"][0]["message"]["content"]
    image = f"![image](data:image/png;base64,{payloads.TINY_PNG_BASE64})"
    assert content == f"Here is a red square.\n\n{image}"
    assert emulator.last_call().body["generationConfig"]["responseModalities"] == ["TEXT", "IMAGE"]
    messages = [
        {"role": "user", "content": "Draw a red square."},
        {"role": "assistant", "content": content},
        {"role": "user", "content": "Now make it blue."},
    ]
    answer(client, streamed, model=IMAGE_MODEL, messages=messages, modalities=["text", "image"])
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    assert call.body["contents"][1] == {
        "role": "model",
        "parts": [{"text": "Here is a red square.\n\n"}, {"inlineData": {"mimeType": "image/png", "data": payloads.TINY_PNG_BASE64}}],
    }


def test_text_only_modalities_on_an_image_model(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    create(client, model=IMAGE_MODEL, messages=ASK, modalities=["text"])
    assert emulator.last_call().body["generationConfig"]["responseModalities"] == ["TEXT"]


PREFILL = [{"role": "user", "content": "Write a haiku about rain."}, {"role": "assistant", "content": "Soft rain on the roof"}]


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
def test_prefill_is_kept_where_the_model_accepts_it(gateway: LiveGateway, emulator: VertexEmulator, streamed: bool) -> None:
    answer(gateway.client, streamed, model="gemini-2.0-flash-001", messages=PREFILL)
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    assert call.body["contents"][-1] == {"role": "model", "parts": [{"text": "Soft rain on the roof"}]}


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-3-flash-preview"])
def test_prefill_is_moved_where_the_model_refuses_it(gateway: LiveGateway, emulator: VertexEmulator, model: str) -> None:
    response = gateway.post("/v1/chat/completions", {"model": model, "messages": PREFILL})
    assert response.status_code == 200, response.text
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    assert [content["role"] for content in call.body["contents"]] == ["user"]
    text = "".join(part["text"] for part in call.body["contents"][0]["parts"])
    assert text.startswith("Write a haiku about rain.") and text.endswith("Soft rain on the roof")
    assert "prefill" in response.headers["X-Gateway-Rewrites"]


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("content", [{"role": "model"}, None], ids=["role_only", "no_content"])
def test_empty_stop_candidate_is_an_empty_answer(client: openai.OpenAI, emulator: VertexEmulator, streamed: bool, content: dict[str, Any] | None) -> None:
    candidate = {"finishReason": "STOP"} if content is None else {"content": content, "finishReason": "STOP"}
    emulator.enqueue(payloads.response([candidate], payloads.usage(5), "gemini-2.5-flash"))
    result = answer(client, streamed, model="gemini-2.5-flash", messages=ASK)
    choice = result["choices"][0]
    assert (choice["message"]["content"], choice["finish_reason"]) == ("", "stop")
    assert result["usage"]["prompt_tokens"] == 5


def test_a_64_bit_seed_reaches_vertex_as_32_bits(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    _, headers = _raw_create(gateway, seed=2**40 + 3)
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    assert call.body["generationConfig"]["seed"] == 3
    assert "seed=1099511627779 -> 3" in headers["X-Gateway-Rewrites"]


def test_a_max_tokens_above_the_model_limit_is_capped_not_refused(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    response = gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 200_000})
    assert response.status_code == 200
    assert emulator.last_call("generateContent").body["generationConfig"]["maxOutputTokens"] == 65535
    assert "max_tokens=200000 -> maxOutputTokens=65535" in response.headers["X-Gateway-Rewrites"]
