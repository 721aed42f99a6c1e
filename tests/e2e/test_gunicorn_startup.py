"""Start-up with a configuration that cannot run: the deployment command prints one clear line
naming the variable and exits non-zero, without a traceback and without starting a worker."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.e2e.test_gunicorn import ROOT, free_port

pytestmark = pytest.mark.slow


def _start(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "API_KEY"}
    env.update({"PORT": str(free_port()), "CREDENTIALS_DIR": "/nonexistent-credentials-dir", **overrides})
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)


def _env_example_api_key() -> str:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return next(line.split("=", 1)[1] for line in lines if line.startswith("API_KEY="))


@pytest.mark.parametrize(
    "overrides,variable",
    [({}, "API_KEY"), ({"API_KEY": "  "}, "API_KEY"), ({"API_KEY": "k", "HEADER_TIMEOUT": "soon"}, "HEADER_TIMEOUT")],
    ids=["unset", "blank", "unparsable"],
)
def test_a_configuration_error_is_one_line_and_a_non_zero_exit(overrides: dict[str, str], variable: str) -> None:
    result = _start(**overrides)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if "[ERROR]" in line]
    assert len(errors) == 1 and f"Configuration error: {variable}" in errors[0]
    assert "Booting worker" not in output


def test_the_env_example_ships_no_api_key_so_a_copied_file_cannot_start_open() -> None:
    assert _env_example_api_key() == ""
    result = _start(API_KEY=_env_example_api_key())
    assert result.returncode != 0
    assert "API_KEY is not set" in result.stdout + result.stderr
