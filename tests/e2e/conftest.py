"""Fixtures shared by the end-to-end tests that run real gunicorn instances."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.conftest import Credentials, base_env
from tests.e2e.test_gunicorn import ROOT, Served, free_port, wait_for
from tests.emulator import VertexEmulator

StartGunicorn = Callable[..., Served]


@pytest.fixture
def start_gunicorn(emulator: VertexEmulator, credentials: Credentials, tmp_path: Path) -> Iterator[StartGunicorn]:
    """Starts gunicorn instances against the emulator (express keys only, one worker each unless
    told), each with its own port, log and control socket under ``tmp_path``; stops them all."""
    started: list[Served] = []

    def launch(name: str, **overrides: str) -> Served:
        port = free_port()
        env = {**os.environ, **base_env(emulator, credentials, express=True, service_accounts=False), "PORT": str(port)}
        env.update({"WEB_CONCURRENCY": "1", "GRACEFUL_TIMEOUT": "5", "HOME": str(tmp_path), **overrides})
        log = tmp_path / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                                       cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        served = Served(f"http://127.0.0.1:{port}", process, log)
        started.append(served)
        wait_for(served.url + "/", process)
        return served

    yield launch
    for served in started:
        served.process.terminate()
    for served in started:
        try:
            served.process.wait(10)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait(5)
