"""Codex CLI (npm ``@openai/codex``, pinned in ``agents/package.json``) against the gateway:
``codex exec`` with a custom Responses provider completes a task that needs one shell command
and a follow-up, on Gemini 3, with the emulator refusing any function-call turn whose
``thoughtSignature`` did not come back. Codex sends ``store: false``, so the signature can only
come back inside the items it replays. A call to one of the tools Codex groups in a
``namespace`` reaches that tool (Codex runs it by namespace and name), and with a model name
Codex knows (``gpt-5.5``, aliased to Gemini 3) its ``apply_patch`` custom tool edits the files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import API_KEY, GatewayFactory, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.emulator.records import CallRecord
from tests.support.coding_agents import require_front_door, run_codex

pytestmark = pytest.mark.slow

MODEL = "gemini-3-pro-preview"
COMMAND = "printf 'hello from gemini' > hello.txt"
FINAL = "I created hello.txt with a greeting."
PROMPT = "Create a file named hello.txt containing a greeting, using one shell command."
PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+hello from gemini\n*** End Patch\n"


def codex_task(gateway: LiveGateway, emulator: VertexEmulator, tmp_path: Path, call: tuple[str, dict[str, Any]],
               codex_model: str = MODEL) -> list[CallRecord]:
    """Codex on PROMPT while Gemini 3 answers ``call`` (signed), then FINAL; the Vertex calls made."""
    require_front_door(gateway.app, "/v1/responses", "issue 14")
    emulator.enqueue(payloads.function_call_response([call], MODEL, thought="One tool call will do."), model=MODEL)
    emulator.enqueue(payloads.text_response(FINAL, MODEL), model=MODEL)
    workdir, home = tmp_path / "work", tmp_path / "home"
    workdir.mkdir()
    home.mkdir()
    run = run_codex(workdir, home, base_url=gateway.url, api_key=API_KEY, model=codex_model, prompt=PROMPT)
    run.assert_ok()
    assert FINAL in run.stdout
    assert emulator.pending() == []
    calls = emulator.calls_for(model=MODEL)
    assert [record.outcome for record in calls] == ["ok", "ok"]
    return calls


def replayed_parts(record: CallRecord) -> list[dict[str, Any]]:
    return [part for content in record.body["contents"] for part in content["parts"]]


def test_codex_exec_runs_a_command_and_follows_up_with_the_signature(gateway: LiveGateway, emulator: VertexEmulator, tmp_path: Path) -> None:
    call = ("exec_command", {"cmd": COMMAND})
    calls = codex_task(gateway, emulator, tmp_path, call)

    assert (tmp_path / "work" / "hello.txt").read_text(encoding="utf-8") == "hello from gemini"
    signed = payloads.function_call_response([call], MODEL)["candidates"][0]["content"]["parts"][0]
    parts = replayed_parts(calls[1])
    call_part = next(part for part in parts if "functionCall" in part)
    assert call_part["functionCall"]["name"] == "exec_command" and call_part["functionCall"]["args"] == {"cmd": COMMAND}
    assert call_part["thoughtSignature"] == signed["thoughtSignature"]
    answer = next(part["functionResponse"] for part in parts if "functionResponse" in part)
    assert answer["name"] == "exec_command" and "exited with code 0" in str(answer["response"])


def test_codex_runs_a_namespaced_tool_through_its_namespace(gateway: LiveGateway, emulator: VertexEmulator, tmp_path: Path) -> None:
    calls = codex_task(gateway, emulator, tmp_path, ("close_agent", {"target": "no-such-agent"}))

    declared = [d["name"] for tool in calls[0].body["tools"] for d in tool.get("functionDeclarations", [])]
    assert {"exec_command", "close_agent", "spawn_agent"} <= set(declared)
    answer = next(part["functionResponse"] for part in replayed_parts(calls[1]) if "functionResponse" in part)
    assert answer["name"] == "close_agent"
    assert "unsupported call" not in str(answer["response"]) and "no-such-agent" in str(answer["response"])


def test_codex_with_its_full_tool_set_applies_a_patch_through_the_custom_tool(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, tmp_path: Path
) -> None:
    gateway = gateway_factory(MODEL_ALIASES=f"gpt-5.5={MODEL}")
    calls = codex_task(gateway, emulator, tmp_path, ("apply_patch", {"input": PATCH}), codex_model="gpt-5.5")

    assert (tmp_path / "work" / "hello.txt").read_text(encoding="utf-8") == "hello from gemini\n"
    declared = {d["name"]: d for tool in calls[0].body["tools"] for d in tool.get("functionDeclarations", [])}
    assert "lark grammar" in declared["apply_patch"]["description"] and "tool_search" in declared
    parts = replayed_parts(calls[1])
    call_part = next(part for part in parts if "functionCall" in part)
    assert call_part["functionCall"] == {**call_part["functionCall"], "name": "apply_patch", "args": {"input": PATCH}}
    assert call_part["thoughtSignature"]
    assert any(part.get("functionResponse", {}).get("name") == "apply_patch" for part in parts)
