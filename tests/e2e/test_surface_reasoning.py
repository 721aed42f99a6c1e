"""Reasoning end to end: every ``reasoning_effort`` on 2.5 and Gemini 3 models (the exact
``thinkingConfig`` Vertex receives, and ``X-Gateway-Rewrites`` when a value had to move),
thought summaries as ``reasoning_content`` (whole and streamed), the ``thinking_config``
passthrough and its validation."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from tests.conftest import GatewayFactory, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.surface import create, error_of, stream

ASK = [{"role": "user", "content": "Why is the sky blue?"}]
THOUGHTS = {"includeThoughts": True}


@pytest.fixture
def gateway(gateway_factory: GatewayFactory) -> LiveGateway:
    return gateway_factory(service_accounts=False)


@pytest.mark.parametrize(
    "model,effort,config,moved",
    [
        ("gemini-2.5-flash", "none", {"thinkingBudget": 0}, False),
        ("gemini-2.5-flash", "minimal", {**THOUGHTS, "thinkingBudget": 1024}, False),
        ("gemini-2.5-flash", "low", {**THOUGHTS, "thinkingBudget": 1024}, False),
        ("gemini-2.5-flash", "medium", {**THOUGHTS, "thinkingBudget": 8192}, False),
        ("gemini-2.5-flash", "high", {**THOUGHTS, "thinkingBudget": 24576}, False),
        ("gemini-2.5-flash", "xhigh", {**THOUGHTS, "thinkingBudget": 24576}, True),
        ("gemini-2.5-pro", "none", {**THOUGHTS, "thinkingBudget": 128}, True),
        ("gemini-2.5-pro", "high", {**THOUGHTS, "thinkingBudget": 24576}, False),
        ("gemini-2.5-flash-lite", "minimal", {**THOUGHTS, "thinkingBudget": 1024}, False),
        ("gemini-3-flash-preview", "none", {**THOUGHTS, "thinkingLevel": "MINIMAL"}, True),
        ("gemini-3-flash-preview", "minimal", {**THOUGHTS, "thinkingLevel": "MINIMAL"}, False),
        ("gemini-3-flash-preview", "low", {**THOUGHTS, "thinkingLevel": "LOW"}, False),
        ("gemini-3-flash-preview", "medium", {**THOUGHTS, "thinkingLevel": "MEDIUM"}, False),
        ("gemini-3-flash-preview", "high", {**THOUGHTS, "thinkingLevel": "HIGH"}, False),
        ("gemini-3-pro-preview", "none", {**THOUGHTS, "thinkingLevel": "LOW"}, True),
        ("gemini-3-pro-preview", "minimal", {**THOUGHTS, "thinkingLevel": "LOW"}, True),
        ("gemini-3-pro-preview", "low", {**THOUGHTS, "thinkingLevel": "LOW"}, False),
        ("gemini-3-pro-preview", "medium", {**THOUGHTS, "thinkingLevel": "HIGH"}, True),
        ("gemini-3-pro-preview", "high", {**THOUGHTS, "thinkingLevel": "HIGH"}, False),
    ],
)
def test_reasoning_effort(client: openai.OpenAI, emulator: VertexEmulator, model: str, effort: str, config: dict[str, Any], moved: bool) -> None:
    raw = client.chat.completions.with_raw_response.create(model=model, messages=ASK, reasoning_effort=effort)
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    assert call.body["generationConfig"]["thinkingConfig"] == config
    rewrites = raw.headers.get("X-Gateway-Rewrites", "")
    assert (f"reasoning_effort={effort}" in rewrites) is moved, rewrites
    thought = raw.parse().choices[0].message.model_dump().get("reasoning_content")
    assert bool(thought) is (config.get("includeThoughts") is True and config != {**THOUGHTS, "thinkingLevel": "MINIMAL"})


def test_without_effort_thought_summaries_are_still_asked_for(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    create(client, model="gemini-2.5-flash", messages=ASK)
    assert emulator.last_call().body["generationConfig"]["thinkingConfig"] == THOUGHTS


def test_model_without_thinking_gets_no_thinking_config(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    raw = client.chat.completions.with_raw_response.create(model="gemini-2.0-flash-001", messages=ASK, reasoning_effort="high")
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    assert "thinkingConfig" not in call.body.get("generationConfig", {})
    assert "reasoning_effort=high dropped" in raw.headers["X-Gateway-Rewrites"]


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-3-flash-preview"])
def test_reasoning_content_whole_and_streamed(client: openai.OpenAI, emulator: VertexEmulator, model: str) -> None:
    reply = payloads.thought_response("**Scattering**\n\nRayleigh scattering favours short wavelengths.", "Because of Rayleigh scattering.", model)
    emulator.enqueue(reply, reply)
    message = create(client, model=model, messages=ASK)["choices"][0]["message"]
    assert message["reasoning_content"] == "**Scattering**\n\nRayleigh scattering favours short wavelengths."
    assert message["content"] == "Because of Rayleigh scattering."
    chunks = stream(client, model=model, messages=ASK)
    kinds = [key for chunk in chunks for choice in chunk["choices"] for key in ("reasoning_content", "content") if choice["delta"].get(key)]
    assert kinds[0] == "reasoning_content" and "content" in kinds
    assert kinds == sorted(kinds, key=lambda kind: kind == "content"), "all reasoning must come before the answer"
    streamed = "".join(choice["delta"].get("reasoning_content") or "" for chunk in chunks for choice in chunk["choices"])
    assert streamed == message["reasoning_content"]


@pytest.mark.parametrize(
    "extra_body,model,config",
    [
        ({"google": {"thinking_config": {"thinking_budget": 2048, "include_thoughts": False}}}, "gemini-2.5-flash", {"thinkingBudget": 2048}),
        ({"extra_body": {"google": {"thinking_config": {"thinkingBudget": -1}}}}, "gemini-2.5-pro", {**THOUGHTS, "thinkingBudget": -1}),
        ({"thinking_config": {"thinking_level": "low", "include_thoughts": True}}, "gemini-3-pro-preview", {**THOUGHTS, "thinkingLevel": "LOW"}),
        ({"extra_body": {"thinking_config": {"thinking_budget": 0}}}, "gemini-2.5-flash", {"thinkingBudget": 0}),
        ({"google": {"thinking_config": {"thinking_level": "HIGH"}}, "reasoning_effort": "low"}, "gemini-3-flash-preview", {**THOUGHTS, "thinkingLevel": "HIGH"}),
    ],
    ids=["google", "extra_body_google", "top_level", "extra_body", "overrides_effort"],
)
def test_thinking_config_passthrough(client: openai.OpenAI, emulator: VertexEmulator, extra_body: dict[str, Any], model: str, config: dict[str, Any]) -> None:
    create(client, model=model, messages=ASK, extra_body=extra_body)
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    assert call.body["generationConfig"]["thinkingConfig"] == config


@pytest.mark.parametrize(
    "extra,model,param",
    [
        ({"google": {"thinking_config": {"thinking_budget": 1024, "thinking_level": "low"}}}, "gemini-2.5-flash", "google.thinking_config.thinking_level"),
        ({"google": {"thinking_config": {"thinking_level": "low"}}}, "gemini-2.5-flash", "google.thinking_config.thinking_level"),
        ({"google": {"thinking_config": {"thinking_budget": 1024}}}, "gemini-3-flash-preview", "google.thinking_config.thinking_budget"),
        ({"google": {"thinking_config": {"thinking_budget": 50000}}}, "gemini-2.5-flash", "google.thinking_config.thinking_budget"),
        ({"extra_body": {"google": {"thinking_config": {"thinking_budget": 0}}}}, "gemini-2.5-pro", "extra_body.google.thinking_config.thinking_budget"),
        ({"thinking_config": {"thinking_level": "MEDIUM"}}, "gemini-3-pro-preview", "thinking_config.thinking_level"),
        ({"thinking_config": {"include_thoughts": "yes"}}, "gemini-2.5-flash", "thinking_config.include_thoughts"),
        ({"thinking_config": "high"}, "gemini-2.5-flash", "thinking_config"),
        ({"google": {"thinking_config": {"thinking_budget": 1024}}}, "gemini-2.0-flash-001", "google.thinking_config.thinking_budget"),
    ],
    ids=["budget_and_level", "level_on_budget_model", "budget_on_level_model", "budget_too_big", "zero_where_it_cannot_turn_off",
         "level_the_model_lacks", "not_a_boolean", "not_an_object", "model_without_thinking"],
)
def test_thinking_config_validation(gateway: LiveGateway, emulator: VertexEmulator, extra: dict[str, Any], model: str, param: str) -> None:
    error = error_of(gateway.post("/v1/chat/completions", {"model": model, "messages": ASK, **extra}))
    assert error["param"] == param
    assert emulator.calls == []


def test_assistant_reasoning_in_history_is_not_sent_as_text(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    messages = [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!", "reasoning_content": "Greet the user back."},
        {"role": "user", "content": "Why is the sky blue?"},
    ]
    create(client, model="gemini-3-flash-preview", messages=messages)
    call = emulator.last_call()
    assert call.outcome == "ok", call.error_message
    assert call.body["contents"][1] == {"role": "model", "parts": [{"text": "Hello!"}]}
    assert "Greet the user back" not in str(call.body)
