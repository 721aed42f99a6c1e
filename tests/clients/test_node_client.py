"""The ``openai`` npm package (pinned in ``node/package.json``) against the gateway from Node:
chat, stream, tools over two turns, embeddings, Responses (create and stream) and an error. Skipped, with the reason, where
Node or the installed package is missing (``.ci/run`` installs it with ``npm ci``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import API_KEY, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.openai_schema import assert_chat_completion, assert_embedding_list, assert_error, assert_valid
from tests.support.responses_stream import check_events
from tests.support.streams import accumulate, check_stream

NODE_DIR = Path(__file__).resolve().parent / "node"


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def node_binary(package: str = "openai") -> str:
    """The node executable, once ``package`` is installed under ``node/``."""
    node = shutil.which("node")
    if node is None:
        unavailable(f"Node.js is not installed: the {package} npm package cannot be tested here")
    if not (NODE_DIR / "node_modules" / package / "package.json").is_file():
        unavailable(f"the {package} npm package is not installed: run `npm ci` in {NODE_DIR} (.ci/run does)")
    return str(node)


@pytest.fixture
def node_result(gateway: LiveGateway, emulator: VertexEmulator) -> dict[str, Any]:
    node = node_binary()
    emulator.enqueue(payloads.function_call_response([("get_weather", {"city": "Paris"})], "gemini-3-flash-preview"), model="gemini-3-flash-preview", method="generateContent")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), "GATEWAY_URL": gateway.url + "/v1", "GATEWAY_KEY": API_KEY}
    done = subprocess.run([node, "client_check.mjs"], cwd=NODE_DIR, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.mark.slow
def test_node_sdk_chat_stream_tools_embeddings_responses_and_errors(node_result: dict[str, Any], emulator: VertexEmulator) -> None:
    chat = node_result["chat"]
    assert_chat_completion(chat["completion"])
    assert "Hello from Node" in chat["completion"]["choices"][0]["message"]["content"]
    assert chat["credential"] == "express#0" and chat["requestId"]

    chunks = node_result["stream"]
    check_stream(chunks, include_usage=True)
    assert "Hello from Node" in accumulate(chunks)["choices"][0]["message"]["content"]

    first, second = node_result["tools"]["first"], node_result["tools"]["second"]
    assert_chat_completion(first)
    assert_chat_completion(second)
    assert first["choices"][0]["finish_reason"] == "tool_calls"
    call = first["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["name"] == "get_weather" and json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    assert "get_weather" in second["choices"][0]["message"]["content"]
    replayed = emulator.last_call("generateContent", model="gemini-3-flash-preview").body["contents"]
    assert replayed[1]["parts"][0]["functionCall"]["name"] == "get_weather" and replayed[1]["parts"][0]["thoughtSignature"]
    assert replayed[2]["parts"][0]["functionResponse"]["response"]

    embeddings = node_result["embeddings"]
    assert_embedding_list(embeddings)
    assert [len(item["embedding"]) for item in embeddings["data"]] == [8, 8]

    responses = node_result["responses"]
    assert_valid(responses["created"], "Response")
    assert "Hello from Node Responses" in responses["outputText"]
    check_events(responses["events"])
    completed = responses["events"][-1]
    assert completed["type"] == "response.completed"
    assert "Streamed to Node Responses" in completed["response"]["output"][-1]["content"][0]["text"]

    error = node_result["error"]
    assert error["status"] == 400
    assert_error(error["body"])
    assert error["body"]["error"]["param"] == "temperature"
