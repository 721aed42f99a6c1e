"""What each gunicorn process holds: the master spawns workers and never serves, so it loads no
gevent (adapter/lazy_worker.py), while the worker it spawned runs under gevent and answers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from tests.conftest import API_KEY
from tests.e2e.conftest import StartGunicorn

pytestmark = pytest.mark.slow


def _mapped_files(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(child) for task in tasks.iterdir() for child in (task / "children").read_text().split()]


def test_the_master_loads_no_gevent_while_its_worker_serves_under_gevent(start_gunicorn: StartGunicorn) -> None:
    served = start_gunicorn("lazy-worker")
    answer = requests.get(served.url + "/v1/models", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10)
    assert answer.status_code == 200 and answer.json()["object"] == "list"
    deadline = time.monotonic() + 10
    while not (workers := _children(served.process.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) == 1
    assert "gevent" not in _mapped_files(served.process.pid)
    assert "gevent" in _mapped_files(workers[0])
