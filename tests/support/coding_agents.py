"""Running the real coding agents, Codex CLI and Claude Code (pinned in
``tests/clients/agents/package.json``), non-interactively and fully offline against a base URL
on loopback: the gateway, or the recording server of ``recording_server.py``.

Offline means: no login, no telemetry or analytics, no update or plugin checks, no other host
than the base URL (checked by running each agent in an empty network namespace with a DNS
logger; see /work/notes/client-findings.md). Each run gets its own home and config directory
under the test's temporary directory, so nothing on the machine is read or written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

AGENTS_DIR = Path(__file__).resolve().parents[1] / "clients" / "agents"
BIN_DIR = AGENTS_DIR / "node_modules" / ".bin"
AGENT_KEY_ENV = "GATEWAY_API_KEY"

CODEX_CONFIG = """\
model = "{model}"
model_provider = "gateway"
approval_policy = "never"
check_for_update_on_startup = false

[model_providers.gateway]
name = "Vertex gateway"
base_url = "{base_url}/v1"
env_key = "{key_env}"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0

[analytics]
enabled = false

[features]
plugins = false
"""

CLAUDE_OFFLINE_ENV = {
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "DISABLE_AUTOUPDATER": "1",
    "CLAUDE_CODE_MAX_RETRIES": "0",
}


def unavailable(reason: str) -> None:
    """Skip where the agents cannot be installed; in CI (where .ci/run installs them) fail."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def require_front_door(app: Flask, path: str, issue: str) -> None:
    """Skip, naming the issue, while the gateway has no route for ``path``."""
    if not any(rule.rule == path for rule in app.url_map.iter_rules()):
        pytest.skip(f"POST {path} is not built yet ({issue})")


def agent_binary(name: str) -> str:
    if shutil.which("node") is None:
        unavailable(f"Node.js is not installed: {name} cannot be run here")
    binary = BIN_DIR / name
    if not binary.exists():
        unavailable(f"{name} is not installed: run `npm ci` in {AGENTS_DIR} (.ci/run does)")
    return str(binary)


@dataclass(frozen=True)
class AgentRun:
    returncode: int
    stdout: str
    stderr: str

    def assert_ok(self) -> None:
        assert self.returncode == 0, f"exit {self.returncode}\nstdout:\n{self.stdout[-3000:]}\nstderr:\n{self.stderr[-3000:]}"


def base_env(home: Path) -> dict[str, str]:
    """PATH and a private HOME only: no proxy, no key or config of the machine leaks in."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8", "TERM": "dumb"}


def run(argv: list[str], workdir: Path, env: dict[str, str], timeout: float) -> AgentRun:
    done = subprocess.run(argv, cwd=workdir, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    return AgentRun(done.returncode, done.stdout, done.stderr)


def write_codex_home(home: Path, base_url: str, model: str) -> Path:
    codex_home = home / "codex"
    codex_home.mkdir(parents=True, exist_ok=True)
    config = CODEX_CONFIG.format(model=model, base_url=base_url, key_env=AGENT_KEY_ENV)
    (codex_home / "config.toml").write_text(config, encoding="utf-8")
    return codex_home


def run_codex(workdir: Path, home: Path, *, base_url: str, api_key: str, model: str, prompt: str, timeout: float = 120) -> AgentRun:
    """``codex exec`` in ``workdir``, allowed to write there, answering from ``base_url``."""
    env = {**base_env(home), "CODEX_HOME": str(write_codex_home(home, base_url, model)), AGENT_KEY_ENV: api_key}
    argv = [agent_binary("codex"), "exec", "--skip-git-repo-check", "--sandbox", "workspace-write", "--color", "never", prompt]
    return run(argv, workdir, env, timeout)


def claude_model_env(model: str | None) -> dict[str, str]:
    """The model for every Claude Code request; ``None`` leaves its own (``claude-…``) defaults."""
    if model is None:
        return {}
    return {"ANTHROPIC_MODEL": model, "ANTHROPIC_SMALL_FAST_MODEL": model, "ANTHROPIC_DEFAULT_HAIKU_MODEL": model}


def run_claude(workdir: Path, home: Path, *, base_url: str, api_key: str, model: str | None, prompt: str, timeout: float = 120) -> AgentRun:
    """``claude -p`` in ``workdir`` with its Bash tool allowed, answering from ``base_url``."""
    env = {
        **base_env(home),
        **CLAUDE_OFFLINE_ENV,
        **claude_model_env(model),
        "CLAUDE_CONFIG_DIR": str(home / "claude"),
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": api_key,
    }
    argv = [agent_binary("claude"), "-p", "--allowedTools", "Bash", "--output-format", "text", prompt]
    return run(argv, workdir, env, timeout)
