"""Codex CLI (npm ``@openai/codex``, pinned in ``agents/package.json``) against the gateway:
``codex exec`` with a custom Responses provider completes a task that needs one shell command
and a follow-up, on Gemini 3, with the emulator refusing any function-call turn whose
``thoughtSignature`` did not come back. Codex sends ``store: false``, so the signature can only
come back inside the items it replays."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import API_KEY, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.coding_agents import require_front_door, run_codex

pytestmark = pytest.mark.slow

MODEL = "gemini-3-pro-preview"
COMMAND = "printf 'hello from gemini' > hello.txt"
FINAL = "I created hello.txt with a greeting."
PROMPT = "Create a file named hello.txt containing a greeting, using one shell command."


def test_codex_exec_runs_a_command_and_follows_up_with_the_signature(gateway: LiveGateway, emulator: VertexEmulator, tmp_path: Path) -> None:
    require_front_door(gateway.app, "/v1/responses", "issue 14")
    first = payloads.function_call_response([("exec_command", {"cmd": COMMAND})], MODEL, thought="One shell command will do.")
    emulator.enqueue(first, payloads.text_response(FINAL, MODEL), model=MODEL)
    workdir, home = tmp_path / "work", tmp_path / "home"
    workdir.mkdir()
    home.mkdir()

    run = run_codex(workdir, home, base_url=gateway.url, api_key=API_KEY, model=MODEL, prompt=PROMPT)

    run.assert_ok()
    assert (workdir / "hello.txt").read_text(encoding="utf-8") == "hello from gemini"
    assert FINAL in run.stdout
    assert emulator.pending() == []
    calls = emulator.calls_for(model=MODEL)
    assert [call.outcome for call in calls] == ["ok", "ok"]
    signed = first["candidates"][0]["content"]["parts"][1]
    replayed = [part for content in calls[1].body["contents"] for part in content["parts"]]
    call_part = next(part for part in replayed if "functionCall" in part)
    assert call_part["functionCall"]["name"] == "exec_command"
    assert call_part["thoughtSignature"] == signed["thoughtSignature"]
    answer = next(part["functionResponse"] for part in replayed if "functionResponse" in part)
    assert answer["name"] == "exec_command" and "exited with code 0" in str(answer["response"])
