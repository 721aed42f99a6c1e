"""Claude Code (npm ``@anthropic-ai/claude-code``, pinned in ``agents/package.json``) against
the gateway: ``claude -p`` with ``ANTHROPIC_BASE_URL`` completes a prompt that needs one Bash
call, on Gemini 3, with the emulator refusing any function-call turn whose ``thoughtSignature``
did not come back; and with Claude Code's own default model name, reached through MODEL_ALIASES."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import API_KEY, GatewayFactory
from tests.emulator import VertexEmulator, payloads
from tests.support.coding_agents import require_front_door, run_claude

pytestmark = pytest.mark.slow

MODEL = "gemini-3-pro-preview"
DEFAULT_CLAUDE_MODEL = "claude-opus-5-5"
COMMAND = "printf 'hello from gemini' > hello.txt"
FINAL = "I created hello.txt with a greeting."
PROMPT = "Create a file named hello.txt containing a greeting, using one shell command."


@pytest.mark.parametrize("model", [MODEL, None], ids=["gemini-model", "claude-default-via-alias"])
def test_claude_code_runs_bash_and_follows_up_with_the_signature(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, tmp_path: Path, model: str | None
) -> None:
    gateway = gateway_factory(MODEL_ALIASES=f"{DEFAULT_CLAUDE_MODEL}={MODEL}")
    require_front_door(gateway.app, "/v1/messages", "issue 15")
    first = payloads.function_call_response([("Bash", {"command": COMMAND, "description": "Create hello.txt"})], MODEL, thought="One command.")
    emulator.enqueue(first, payloads.text_response(FINAL, MODEL), model=MODEL)
    workdir, home = tmp_path / "work", tmp_path / "home"
    workdir.mkdir()
    home.mkdir()

    run = run_claude(workdir, home, base_url=gateway.url, api_key=API_KEY, model=model, prompt=PROMPT)

    run.assert_ok()
    assert (workdir / "hello.txt").read_text(encoding="utf-8") == "hello from gemini"
    assert FINAL in run.stdout
    assert emulator.pending() == []
    calls = emulator.calls_for(model=MODEL)
    assert [call.outcome for call in calls] == ["ok", "ok"]
    signed = first["candidates"][0]["content"]["parts"][1]
    replayed = [part for content in calls[1].body["contents"] for part in content["parts"]]
    call_part = next(part for part in replayed if "functionCall" in part)
    assert call_part["functionCall"]["name"] == "Bash"
    assert call_part["thoughtSignature"] == signed["thoughtSignature"]
    assert any("functionResponse" in part for part in replayed)
