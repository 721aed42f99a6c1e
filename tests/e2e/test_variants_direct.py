"""OpenAI direct mode (``-openai``): Vertex's OpenAI-compatible endpoint behind the gateway.

The request goes nearly as is to ``.../endpoints/openapi/chat/completions`` with ``google/<base>``
and Gemini options under ``extra_body.google``; the reasoning Vertex returns inside
``<think>...</think>`` in ``content`` moves to ``reasoning_content``, whole or streamed, with tags
split across chunks, unclosed tags and text around tags; Vertex's errors keep their status.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest

from tests.conftest import GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator
from tests.support.openai_schema import assert_chat_completion, assert_error
from tests.support.streams import accumulate, check_stream

HELLO = [{"role": "user", "content": "What is 6 * 7?"}]
DIRECT = "chat.completions"


def completion(content: str, *, model: str = "google/gemini-2.5-flash", finish: str = "stop") -> dict[str, Any]:
    """A chat.completion as Vertex's OpenAI-compatible endpoint sends it (keys sorted, wire fact 31)."""
    return {
        "choices": [{"finish_reason": finish, "index": 0, "logprobs": None, "message": {"content": content, "role": "assistant"}}],
        "created": 1795564800,
        "id": "vertex-chatcmpl-1",
        "model": model,
        "object": "chat.completion",
        "system_fingerprint": "",
        "usage": {"completion_tokens": 30, "completion_tokens_details": {"reasoning_tokens": 20}, "prompt_tokens": 7, "total_tokens": 37},
    }


def chunks(pieces: list[str], *, model: str = "google/gemini-2.5-flash") -> list[dict[str, Any]]:
    """Stream chunks carrying ``pieces`` as content deltas, then a finish chunk with usage."""
    envelope = {"created": 1795564800, "id": "vertex-chatcmpl-2", "model": model, "object": "chat.completion.chunk"}
    out = [{**envelope, "choices": [{"delta": {"content": piece, "role": "assistant"}, "finish_reason": None, "index": 0}]} for piece in pieces]
    usage = {"completion_tokens": 12, "prompt_tokens": 7, "total_tokens": 19}
    out.append({**envelope, "choices": [{"delta": {"role": "assistant"}, "finish_reason": "stop", "index": 0}], "usage": usage})
    return out


# (what Vertex puts in content, reasoning the client should see, content the client should see)
WHOLE = [
    ("<think>Six sevens are forty-two.</think>The answer is 42.", "Six sevens are forty-two.", "The answer is 42."),
    ("Sure. <think>6*7=42</think> It is 42.", "6*7=42", "Sure.  It is 42."),
    ("<think>Still thinking when the budget ran out", "Still thinking when the budget ran out", ""),
    ("No tags here, and 3 < 4 > 2.", None, "No tags here, and 3 < 4 > 2."),
]

# (content pieces Vertex streams, reasoning, content)
STREAMED = [
    (["<thi", "nk>Six sev", "ens are 42.</th", "ink>The ans", "wer is 42."], "Six sevens are 42.", "The answer is 42."),
    (["Sure. <", "think>6*7", "=42<", "/think> It", " is 42."], "6*7=42", "Sure.  It is 42."),
    (["<think>", "Out of budget", " mid-thought <"], "Out of budget mid-thought <", ""),
    (["a <b> c ", "<", "/thin", "g>"], None, "a <b> c </thing>"),
    (["<think></think>", "42"], None, "42"),
]


@pytest.fixture
def direct_gateway(gateway_factory: GatewayFactory) -> LiveGateway:
    return gateway_factory(SAFETY_THRESHOLD="BLOCK_ONLY_HIGH")


@pytest.mark.parametrize("content,reasoning,answer", WHOLE)
def test_whole_answer_moves_tagged_reasoning(direct_gateway: LiveGateway, emulator: VertexEmulator, content: str, reasoning: str | None, answer: str) -> None:
    emulator.enqueue(completion(content), method=DIRECT)
    result = direct_gateway.client.chat.completions.create(model="gemini-2.5-flash-openai", messages=HELLO)
    body = result.model_dump(exclude_unset=True)
    assert_chat_completion(body)
    message = body["choices"][0]["message"]
    assert message["content"] == answer
    assert message.get("reasoning_content") == reasoning
    assert (result.model, result.id, result.choices[0].finish_reason) == ("gemini-2.5-flash-openai", "vertex-chatcmpl-1", "stop")
    assert result.usage is not None and result.usage.completion_tokens_details is not None
    assert result.usage.completion_tokens_details.reasoning_tokens == 20


@pytest.mark.parametrize("pieces,reasoning,answer", STREAMED)
def test_stream_moves_tagged_reasoning_across_chunks(direct_gateway: LiveGateway, emulator: VertexEmulator, pieces: list[str], reasoning: str | None, answer: str) -> None:
    emulator.enqueue(Reply.stream(chunks(pieces)), method=DIRECT)
    stream = direct_gateway.client.chat.completions.create(model="[PAY]gemini-2.5-flash-openai", messages=HELLO, stream=True, stream_options={"include_usage": True})
    got = [chunk.model_dump(exclude_unset=True) for chunk in stream]
    check_stream(got, include_usage=True)
    assert {chunk["model"] for chunk in got} == {"[PAY]gemini-2.5-flash-openai"}
    for chunk in got:
        for choice in chunk["choices"]:
            assert "<think>" not in (choice["delta"].get("content") or "") + (choice["delta"].get("reasoning_content") or "")
    message = accumulate(got)["choices"][0]["message"]
    assert (message["content"] or "") == answer
    assert message.get("reasoning_content") == reasoning
    assert got[-1]["usage"]["total_tokens"] == 19


def test_request_goes_nearly_as_is_to_the_openai_endpoint(direct_gateway: LiveGateway, emulator: VertexEmulator) -> None:
    result = direct_gateway.client.chat.completions.create(
        model="gemini-2.5-flash-openai", messages=HELLO, temperature=0.3, max_tokens=200, seed=7, store=True,
        extra_body={"google": {"thinking_config": {"thinking_budget": 1024}}},
    )
    assert_chat_completion(result.model_dump(exclude_unset=True))
    call = emulator.last_call(DIRECT)
    assert call.project in ("proj-alpha", "proj-beta")
    assert call.path == f"/v1beta1/projects/{call.project}/locations/global/endpoints/openapi/chat/completions"
    assert call.credential[0] == "service_account" and call.outcome == "ok"
    body = call.body
    assert body["model"] == "google/gemini-2.5-flash"
    assert (body["messages"], body["temperature"], body["max_tokens"], body["seed"]) == (HELLO, 0.3, 200, 7)
    assert "store" not in body
    google = body["extra_body"]["google"]
    assert google["thought_tag_marker"] == "think"
    assert google["thinking_config"] == {"thinking_budget": 1024, "include_thoughts": True}
    assert {s["threshold"] for s in google["safety_settings"]} == {"BLOCK_ONLY_HIGH"}
    assert result.choices[0].message.content == "Hello from gemini-2.5-flash! You said: What is 6 * 7?"
    assert getattr(result.choices[0].message, "reasoning_content").startswith("**Considering the request**")


@pytest.mark.parametrize(
    "model,thinking",
    [
        ("gemini-2.5-flash-nothinking-openai", {"thinking_budget": 0}),
        ("gemini-2.5-pro-max-openai", {"include_thoughts": True, "thinking_budget": 32768}),
        ("[PAY]gemini-3-flash-preview-openai-max", {"include_thoughts": True, "thinking_level": "high"}),
        ("gemini-3-pro-preview-openai-nothinking", {"include_thoughts": True, "thinking_level": "low"}),
    ],
)
def test_thinking_variants_in_direct_mode(direct_gateway: LiveGateway, emulator: VertexEmulator, model: str, thinking: dict[str, Any]) -> None:
    stream = direct_gateway.client.chat.completions.create(model=model, messages=HELLO, stream=True)
    got = [chunk.model_dump(exclude_unset=True) for chunk in stream]
    check_stream(got, include_usage=False)
    assert emulator.last_call(DIRECT).body["extra_body"]["google"]["thinking_config"] == thinking


@pytest.mark.parametrize("effort", ["xhigh", "max"])
def test_efforts_vertex_refuses_become_a_thinking_budget(direct_gateway: LiveGateway, emulator: VertexEmulator, effort: str) -> None:
    emulator.enqueue(completion("42"), method=DIRECT)
    raw = direct_gateway.client.chat.completions.with_raw_response.create(model="gemini-2.5-pro-openai", messages=HELLO, reasoning_effort=effort)
    assert raw.parse().choices[0].message.content == "42"
    sent = emulator.last_call(DIRECT).body
    assert "reasoning_effort" not in sent
    assert sent["extra_body"]["google"]["thinking_config"] == {"include_thoughts": True, "thinking_budget": 32768}
    assert raw.headers["X-Gateway-Rewrites"] == f"reasoning_effort '{effort}' sent as thinking_budget 32768"


@pytest.mark.parametrize(
    "status,sdk_error",
    [(400, openai.BadRequestError), (404, openai.NotFoundError), (429, openai.RateLimitError)],
)
@pytest.mark.parametrize("stream", [False, True])
def test_upstream_errors_keep_their_status(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, status: int, sdk_error: type[openai.APIStatusError], stream: bool
) -> None:
    live = gateway_factory(express=False, MAX_RETRIES="0")
    emulator.enqueue(Reply.error(status), method=DIRECT)
    raw = live.post("/v1/chat/completions", {"model": "gemini-2.5-flash-openai", "messages": HELLO, "stream": stream})
    assert raw.status_code == status
    body = raw.json()
    assert_error(body)
    assert body["error"]["message"] == emulator.calls_for(DIRECT, outcome="scripted_error")[0].error_message
    emulator.enqueue(Reply.error(status), method=DIRECT)
    with pytest.raises(sdk_error):
        answer = live.client.chat.completions.create(model="gemini-2.5-flash-openai", messages=HELLO, stream=stream)
        if stream:
            list(answer)


@pytest.mark.parametrize("stream", [False, True])
def test_a_403_is_the_gateways_credential_refused_not_the_clients(gateway_factory: GatewayFactory, emulator: VertexEmulator, stream: bool) -> None:
    live = gateway_factory(express=False, MAX_RETRIES="0")
    emulator.enqueue(Reply.error(403), method=DIRECT)
    raw = live.post("/v1/chat/completions", {"model": "gemini-2.5-flash-openai", "messages": HELLO, "stream": stream})
    assert raw.status_code == 502
    body = raw.json()
    assert_error(body)
    assert (body["error"]["type"], body["error"]["code"]) == ("api_error", "upstream_auth_failed")
    assert emulator.calls_for(DIRECT, outcome="scripted_error")[0].error_message.rstrip(".") in body["error"]["message"]


def test_direct_mode_needs_service_accounts(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False)
    raw = live.post("/v1/chat/completions", {"model": "gemini-2.5-flash-openai", "messages": HELLO})
    assert raw.status_code == 503
    body = raw.json()
    assert_error(body)
    assert body["error"]["code"] == "credentials_not_configured"
    assert "gemini-2.5-flash-openai" not in [model.id for model in live.client.models.list()]
    assert emulator.calls == []


@pytest.mark.parametrize("mode", ["whole", "stream", "dry run"])
def test_direct_mode_reports_what_it_dropped(direct_gateway: LiveGateway, emulator: VertexEmulator, mode: str) -> None:
    if mode != "stream":
        emulator.enqueue(completion("42"), method=DIRECT)
    body = {"model": "gemini-2.5-pro-max-openai", "messages": HELLO, "store": True, "reasoning_effort": "low", "stream": mode == "stream"}
    response = direct_gateway.post("/v1/chat/completions", body, headers={"X-Dry-Run": "1"} if mode == "dry run" else None)
    assert response.status_code == 200
    expected = ["store dropped (not supported by Vertex AI)", "reasoning_effort dropped: the -max variant sets the thinking"]
    assert response.headers["X-Gateway-Rewrites"] == "; ".join(expected)
    if mode == "dry run":
        assert response.json()["rewrites"] == expected
    elif mode == "whole":
        assert_chat_completion(response.json())


def test_direct_mode_streams_even_with_fake_streaming(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    """FAKE_STREAMING applies to Gemini calls; Vertex's OpenAI-compatible endpoint always streams."""
    live = gateway_factory(FAKE_STREAMING="true")
    emulator.enqueue(Reply.stream(chunks(["Forty", "-two"])), method=DIRECT)
    got = [chunk.model_dump(exclude_unset=True) for chunk in live.client.chat.completions.create(model="gemini-2.5-flash-openai", messages=HELLO, stream=True)]
    check_stream(got, include_usage=False)
    assert accumulate(got)["choices"][0]["message"]["content"] == "Forty-two"
    assert emulator.last_call(DIRECT).body["stream"] is True
