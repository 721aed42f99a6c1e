"""The thinking variants (``-nothinking``, ``-max``) and how names the gateway does not offer fail.

``-nothinking`` turns thinking off (budget 0), or asks for the lowest level or budget where the
model cannot turn it off; ``-max`` asks for the model's largest budget or highest level. The
exact ``thinkingConfig`` Vertex receives is checked, streamed and not. A variant the model does
not support is a 400 naming the models that do; an unknown suffix is not stripped, so Vertex's
404 reaches the client.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest

from tests.conftest import LiveGateway
from tests.emulator import VertexEmulator
from tests.support.openai_schema import assert_chat_completion, assert_error
from tests.support.streams import accumulate, check_stream

HELLO = [{"role": "user", "content": "Think about 17 * 23"}]

# (client model name, upstream model, exact thinkingConfig Vertex receives, reasoning shown to the user)
THINKING_VARIANTS = [
    ("gemini-2.5-flash-nothinking", "gemini-2.5-flash", {"thinkingBudget": 0}, False),
    ("gemini-2.5-flash-max", "gemini-2.5-flash", {"includeThoughts": True, "thinkingBudget": 24576}, True),
    ("[PAY]gemini-2.5-pro-nothinking", "gemini-2.5-pro", {"includeThoughts": True, "thinkingBudget": 128}, True),
    ("[EXPRESS] gemini-2.5-pro-max", "gemini-2.5-pro", {"includeThoughts": True, "thinkingBudget": 32768}, True),
    ("gemini-3-flash-preview-nothinking", "gemini-3-flash-preview", {"includeThoughts": True, "thinkingLevel": "MINIMAL"}, False),
    ("[PAY]gemini-3-flash-preview-max", "gemini-3-flash-preview", {"includeThoughts": True, "thinkingLevel": "HIGH"}, True),
    ("gemini-3-pro-preview-nothinking", "gemini-3-pro-preview", {"includeThoughts": True, "thinkingLevel": "LOW"}, True),
    ("gemini-3-pro-preview-max", "gemini-3-pro-preview", {"includeThoughts": True, "thinkingLevel": "HIGH"}, True),
    ("  [express]   gemini-3.1-pro-preview-MAX ", "gemini-3.1-pro-preview", {"includeThoughts": True, "thinkingLevel": "HIGH"}, True),
]


@pytest.mark.parametrize("model,upstream,config,reasons", THINKING_VARIANTS)
def test_thinking_variant_whole_answer(gateway: LiveGateway, emulator: VertexEmulator, model: str, upstream: str, config: dict[str, Any], reasons: bool) -> None:
    completion = gateway.client.chat.completions.create(model=model, messages=HELLO, reasoning_effort="medium")
    body = completion.model_dump(exclude_unset=True)
    assert_chat_completion(body)
    assert completion.model == model
    call = emulator.last_call("generateContent")
    assert call.model == upstream and call.outcome == "ok"
    assert call.body["generationConfig"]["thinkingConfig"] == config
    assert bool(body["choices"][0]["message"].get("reasoning_content")) == reasons
    assert "variant" in gateway.post("/v1/chat/completions", {"model": model, "messages": HELLO, "reasoning_effort": "low"}).headers["X-Gateway-Rewrites"]


@pytest.mark.parametrize("model,upstream,config,reasons", THINKING_VARIANTS[::2])
def test_thinking_variant_stream(gateway: LiveGateway, emulator: VertexEmulator, model: str, upstream: str, config: dict[str, Any], reasons: bool) -> None:
    stream = gateway.client.chat.completions.create(model=model, messages=HELLO, stream=True, stream_options={"include_usage": True})
    chunks = [chunk.model_dump(exclude_unset=True) for chunk in stream]
    check_stream(chunks, include_usage=True)
    call = emulator.last_call("streamGenerateContent")
    assert call.model == upstream
    assert call.body["generationConfig"]["thinkingConfig"] == config
    whole = accumulate(chunks)
    assert bool(whole["choices"][0]["message"].get("reasoning_content")) == reasons
    assert whole["choices"][0]["message"]["content"].startswith(f"Hello from {upstream}!")


@pytest.mark.parametrize(
    "model,feature,able,unable",
    [
        ("gemini-2.0-flash-001-nothinking", "thinking control", "gemini-2.5-flash", "gemini-2.0-flash-001"),
        ("[PAY]gemini-2.5-flash-image-max", "thinking control", "gemini-3-pro-preview", "gemini-2.5-flash-image"),
        ("gemini-2.0-flash-lite-001-search", "Google Search grounding", "gemini-2.0-flash-001", "gemini-2.0-flash-lite-001"),
        ("gemini-2.5-flash-image-openai", "OpenAI-compatible endpoint", "gemini-2.5-pro", "gemini-2.5-flash-image"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_unsupported_variant_is_a_400_listing_models_that_support_it(
    gateway: LiveGateway, emulator: VertexEmulator, model: str, feature: str, able: str, unable: str, stream: bool
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        answer = gateway.client.chat.completions.create(model=model, messages=HELLO, stream=stream)
        if stream:
            list(answer)
    message = caught.value.message
    assert feature in message
    listed = message.split("Models that do:")[1]
    assert able in listed and f" {unable}," not in listed and not listed.rstrip(".").endswith(unable)
    raw = gateway.post("/v1/chat/completions", {"model": model, "messages": HELLO, "stream": stream})
    assert raw.status_code == 400
    body = raw.json()
    assert_error(body)
    assert (body["error"]["param"], body["error"]["code"]) == ("model", "model_variant_not_supported")
    assert emulator.calls == []


@pytest.mark.parametrize(
    "model,code",
    [
        ("gemini-2.5-flash-nothinking-max", "invalid_model"),
        ("gemini-2.5-flash-search-search", "invalid_model"),
        ("[EXPRESS]", "invalid_model"),
        ("[EXPRESS] gemini-2.5-flash-openai", "model_variant_not_supported"),
    ],
)
def test_contradictory_names_are_refused(gateway: LiveGateway, emulator: VertexEmulator, model: str, code: str) -> None:
    raw = gateway.post("/v1/chat/completions", {"model": model, "messages": HELLO})
    assert raw.status_code == 400
    body = raw.json()
    assert_error(body)
    assert (body["error"]["param"], body["error"]["code"]) == ("model", code)
    assert emulator.calls == []


@pytest.mark.parametrize("model", ["gemini-2.5-flash-thinking", "gemini-2.5-flash-search-turbo", "[PAY]gemini-2.5-pro-latest"])
@pytest.mark.parametrize("stream", [False, True])
def test_unknown_suffix_goes_to_vertex_as_is_and_its_404_reaches_the_client(
    gateway: LiveGateway, emulator: VertexEmulator, model: str, stream: bool
) -> None:
    upstream = model.removeprefix("[PAY]")
    with pytest.raises(openai.NotFoundError) as caught:
        answer = gateway.client.chat.completions.create(model=model, messages=HELLO, stream=stream)
        if stream:
            list(answer)
    assert upstream in caught.value.message
    call = emulator.last_call()
    assert (call.model, call.outcome, call.status) == (upstream, "not_found", 404)
    raw = gateway.post("/v1/chat/completions", {"model": model, "messages": HELLO, "stream": stream})
    assert raw.status_code == 404
    body = raw.json()
    assert_error(body)
    assert body["error"]["type"] == "not_found_error"
