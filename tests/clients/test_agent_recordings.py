"""Codex CLI and Claude Code, run for real against the recording server: each completes a task
that needs one tool call (a file appears in its working directory), sends the tool's result back
with the reasoning / thinking signature it received, and still sends the request shapes
recorded in ``tests/fixtures/clients/`` (a changed pin without re-recording fails here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.clients.agent_recordings import FINAL_TEXT, RECORDING_KEY, SCENARIOS, Recording, load_fixture, record
from tests.support.recording_server import REDACTED

pytestmark = pytest.mark.slow


def shape(request: dict[str, Any]) -> dict[str, Any]:
    """What must not drift between recordings: endpoint, header names, body fields, tools, item kinds."""
    body = request["body"]
    items = body.get("input") or body.get("messages") or []
    return {
        "endpoint": (request["method"], request["path"], request["query"]),
        "headers": sorted(request["headers"]),
        "fields": sorted(body),
        "tools": [(tool.get("type"), tool.get("name")) for tool in body.get("tools", [])],
        "items": [(item.get("type", "message"), item.get("role")) for item in items],
    }


def recorded(name: str, tmp_path: Path) -> Recording:
    recording = record(SCENARIOS[name], tmp_path)
    recording.run.assert_ok()
    assert recording.created == SCENARIOS[name].greeting, "the agent did not run the tool call"
    assert FINAL_TEXT in recording.run.stdout
    assert [shape(r) for r in recording.fixture["requests"]] == [shape(r) for r in load_fixture(name)["requests"]]
    return recording


@pytest.mark.parametrize("name", ["codex-exec", "codex-exec-known-model"])
def test_codex_exec_runs_the_call_and_replays_the_reasoning_item(name: str, tmp_path: Path) -> None:
    recording = recorded(name, tmp_path)
    first, follow_up = recording.requests
    assert first.raw_secret_headers["authorization"] == f"Bearer {RECORDING_KEY}"
    assert first.body["stream"] is True and first.body["store"] is False
    assert first.body["include"] == ["reasoning.encrypted_content"]
    call = recording.scenario.answers.call
    replayed = [item for item in follow_up.body["input"] if item["type"] != "message"]
    assert [item["type"] for item in replayed] == ["reasoning", "function_call", "function_call_output"]
    assert replayed[0]["encrypted_content"] == call.encrypted_content
    assert replayed[1]["call_id"] == replayed[2]["call_id"] == call.call_id
    assert recording.fixture["requests"][0]["headers"]["authorization"] == REDACTED


@pytest.mark.parametrize("name", ["claude-code-print", "claude-code-default-model"])
def test_claude_code_runs_the_call_and_replays_the_signed_thinking(name: str, tmp_path: Path) -> None:
    recording = recorded(name, tmp_path)
    first, follow_up = recording.requests
    assert first.raw_secret_headers["x-api-key"] == RECORDING_KEY
    assert first.body["stream"] is True and first.body["model"] == recording.scenario.model
    call = recording.scenario.answers.call
    assistant = follow_up.body["messages"][-2]
    assert assistant["role"] == "assistant"
    assert assistant["content"] == [
        {"type": "thinking", "thinking": call.thinking, "signature": call.signature},
        {"type": "tool_use", "id": call.tool_use_id, "name": call.name, "input": call.input},
    ]
    result = follow_up.body["messages"][-1]["content"][0]
    assert result["type"] == "tool_result" and result["tool_use_id"] == call.tool_use_id
    assert recording.fixture["requests"][0]["headers"]["x-api-key"] == REDACTED
