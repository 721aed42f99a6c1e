"""The Vercel AI SDK (``ai`` with ``@ai-sdk/openai`` and ``@ai-sdk/openai-compatible``, pinned
in ``node/package.json``) against the gateway from Node: the OpenAI provider's default model
speaks the Responses API, the OpenAI-compatible provider speaks Chat Completions; each runs
generateText, streamText and one tool over two steps on Gemini 3 (signatures sent back). Every
answer the SDK received is checked against OpenAI's schemas. Skipped, with the reason, where Node
or the packages are missing (``.ci/run`` installs them with ``npm ci``)."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

from tests.clients.test_node_client import NODE_DIR, node_binary
from tests.conftest import API_KEY, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.openai_schema import assert_chat_completion, assert_valid
from tests.support.responses_stream import check_events
from tests.support.streams import check_stream, parse_sse

pytestmark = pytest.mark.slow

TOOL_MODEL = "gemini-3-flash-preview"


@pytest.fixture(params=["openai", "compatible"])
def ai_sdk_run(request: pytest.FixtureRequest, gateway: LiveGateway, emulator: VertexEmulator) -> dict[str, Any]:
    """One provider's run: what the SDK returned, and every answer it received."""
    node = node_binary("ai")
    call = payloads.function_call_response([("get_weather", {"city": "Paris"})], TOOL_MODEL)
    emulator.enqueue(call, model=TOOL_MODEL, method="generateContent")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), "GATEWAY_URL": gateway.url + "/v1", "GATEWAY_KEY": API_KEY, "PROVIDER": request.param}
    done = subprocess.run([node, "ai_sdk_check.mjs"], cwd=NODE_DIR, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    result["provider"] = request.param
    return result


def check_answer(answer: dict[str, Any]) -> str:
    """Validates one HTTP answer the SDK received; names what it was."""
    assert answer["status"] == 200, answer["body"]
    streamed = answer["contentType"].startswith("text/event-stream")
    if answer["path"].endswith("/responses"):
        if streamed:
            check_events(parse_sse(answer["body"]))
        else:
            assert_valid(json.loads(answer["body"]), "Response")
        return "responses stream" if streamed else "responses"
    assert answer["path"].endswith("/chat/completions")
    if streamed:
        check_stream(parse_sse(answer["body"]), include_usage=True)
    else:
        assert_chat_completion(json.loads(answer["body"]))
    return "chat stream" if streamed else "chat"


API_OF = {"openai": "responses", "compatible": "chat"}


def test_generate_stream_and_one_tool(ai_sdk_run: dict[str, Any], emulator: VertexEmulator) -> None:
    run = ai_sdk_run
    assert "Hello from the AI SDK" in run["text"]["text"]
    assert run["text"]["finishReason"] == "stop" and run["text"]["usage"]["totalTokens"] > 0
    assert len(run["stream"]["pieces"]) > 1 and "Streamed by the AI SDK" in "".join(run["stream"]["pieces"])
    assert run["stream"]["finishReason"] == "stop"
    first, second = run["tool"]["steps"]
    assert first["calls"] == [{"name": "get_weather", "input": {"city": "Paris"}}]
    assert first["results"] == [{"city": "Paris", "celsius": 21}]
    assert "get_weather" in second["text"] and run["tool"]["text"] == second["text"]
    replayed = emulator.last_call("generateContent", model=TOOL_MODEL).body["contents"]
    assert replayed[1]["parts"][0]["functionCall"]["name"] == "get_weather" and replayed[1]["parts"][0]["thoughtSignature"]


def test_every_answer_is_valid_on_the_providers_api(ai_sdk_run: dict[str, Any]) -> None:
    api = API_OF[ai_sdk_run["provider"]]
    kinds = [check_answer(answer) for answer in ai_sdk_run["answers"]]
    assert kinds == [api, f"{api} stream", api, api]
