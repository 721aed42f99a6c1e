"""What Codex CLI and Claude Code send: each scenario runs the real agent against the recording
server (``tests/support/recording_server.py``) on one small task that needs one tool call and a
follow-up, and returns the sanitized requests. ``tests/fixtures/clients/*.json`` hold these
recordings; re-record them after changing a pinned agent version with

    python -m tests.clients.record_agents
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from tests.support import canned_messages, canned_responses, coding_agents
from tests.support.agent_answers import ClaudeAnswers, CodexAnswers
from tests.support.recording_server import RecordedRequest, RecordingServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clients"
PACKAGE_JSON = coding_agents.AGENTS_DIR / "package.json"
RECORDING_KEY = "sk-recording-key-0b7e"
PROMPT = "Create a file named hello.txt containing a greeting, using one shell command."
FINAL_TEXT = "Created hello.txt."
DROPPED_HEADERS = frozenset({"host", "content-length"})

Runner = Callable[..., coding_agents.AgentRun]


@dataclass(frozen=True)
class Scenario:
    name: str
    package: str
    model: str
    answers: CodexAnswers | ClaudeAnswers
    runner: Runner
    greeting: str

    @property
    def fixture(self) -> Path:
        return FIXTURES / f"{self.name}.json"


def codex_scenario(name: str, model: str) -> Scenario:
    greeting = "hello from codex"
    call = canned_responses.CannedCall("exec_command", {"cmd": f"printf '{greeting}' > hello.txt"})
    return Scenario(name, "@openai/codex", model, CodexAnswers(call, FINAL_TEXT), coding_agents.run_codex, greeting)


def claude_scenario(name: str, model: str) -> Scenario:
    greeting = "hello from claude"
    call = canned_messages.CannedToolUse("Bash", {"command": f"printf '{greeting}' > hello.txt", "description": "Create hello.txt"})
    return Scenario(name, "@anthropic-ai/claude-code", model, ClaudeAnswers(call, FINAL_TEXT), coding_agents.run_claude, greeting)


SCENARIOS = {
    scenario.name: scenario
    for scenario in (
        codex_scenario("codex-exec", "gemini-3-pro-preview"),
        codex_scenario("codex-exec-known-model", "gpt-5.5"),
        claude_scenario("claude-code-print", "gemini-3-pro-preview"),
        claude_scenario("claude-code-default-model", "claude-opus-5-5"),
    )
}


@dataclass(frozen=True)
class Recording:
    scenario: Scenario
    run: coding_agents.AgentRun
    requests: list[RecordedRequest]
    created: str | None
    fixture: dict[str, Any]


def pinned_version(package: str) -> str:
    version: str = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))["dependencies"][package]
    return version


def sanitized(value: Any, replacements: dict[str, str]) -> Any:
    """``value`` with temporary paths and the random loopback port replaced by placeholders."""
    text = json.dumps(value)
    for old, new in replacements.items():
        text = text.replace(old, new)
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", text)
    return json.loads(text)


def fixture_of(scenario: Scenario, requests: list[RecordedRequest], replacements: dict[str, str]) -> dict[str, Any]:
    records = []
    for request in requests:
        record = request.to_fixture()
        record["headers"] = {k: v for k, v in record["headers"].items() if k not in DROPPED_HEADERS}
        records.append(sanitized(record, replacements))
    return {
        "client": scenario.package,
        "version": pinned_version(scenario.package),
        "model": scenario.model,
        "prompt": PROMPT,
        "note": "Recorded by tests/clients/record_agents.py against tests/support/recording_server.py; secrets redacted.",
        "requests": records,
    }


def record(scenario: Scenario, tmp: Path) -> Recording:
    """Run the scenario's agent in ``tmp`` against a fresh recording server."""
    workdir, home = tmp / "work", tmp / "home"
    workdir.mkdir(parents=True)
    home.mkdir(parents=True)
    with RecordingServer(scenario.answers) as server:
        run = scenario.runner(workdir, home, base_url=server.url, api_key=RECORDING_KEY, model=scenario.model, prompt=PROMPT)
    target = workdir / "hello.txt"
    created = target.read_text(encoding="utf-8") if target.exists() else None
    replacements = {str(workdir): "<workdir>", str(home): "<home>", str(tmp): "<tmp>"}
    return Recording(scenario, run, server.requests, created, fixture_of(scenario, server.requests, replacements))


def load_fixture(name: str) -> dict[str, Any]:
    fixture: dict[str, Any] = json.loads(SCENARIOS[name].fixture.read_text(encoding="utf-8"))
    return fixture
