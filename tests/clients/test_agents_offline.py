"""Codex CLI and Claude Code, configured as ``tests/support/coding_agents.py`` runs them, never
leave loopback: run in an empty network namespace with a DNS logger as the only resolver, each
completes its recorded task without a single DNS query or a request to anything but the model
endpoint. (Without the offline settings the logger sees ab.chatgpt.com, api.github.com and
api.anthropic.com.) Needs root and ``unshare``; skipped, saying why, elsewhere."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.coding_agents import agent_binary

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CASES = [("codex-exec", "codex", "POST /v1/responses"), ("claude-code-print", "claude", "POST /v1/messages")]


def isolated_run(scenario: str) -> dict[str, object]:
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        pytest.skip("needs root and util-linux's unshare to give the agent an empty network namespace")
    argv = [unshare, "--net", "--mount", "--", sys.executable, "-m", "tests.support.offline_probe", scenario]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if done.stderr.startswith("unshare:"):
        pytest.skip(f"no network namespace here: {done.stderr.strip()[:300]}")
    assert done.returncode == 0 and done.stdout, done.stderr[-3000:]
    report: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return report


@pytest.mark.parametrize(("scenario", "binary", "endpoint"), CASES, ids=[case[0] for case in CASES])
def test_the_agent_completes_its_task_without_leaving_loopback(scenario: str, binary: str, endpoint: str) -> None:
    agent_binary(binary)
    report = isolated_run(scenario)
    assert report["returncode"] == 0 and report["completed"], report["stderr_tail"]
    assert report["dns_queries"] == []
    assert report["endpoints"] == [endpoint, endpoint]
