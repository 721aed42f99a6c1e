"""gunicorn settings for :mod:`tests.perf.timeline`: the repo's ``gunicorn.conf.py`` plus a timeline.

The worker's app is wrapped: each request records when the app started and finished it and
the client connection it came on (``X-Perf-Connection``), and ``gc.callbacks`` record every
collection's generation and duration. ``GET /perf-timeline`` answers what was recorded (JSON)
and starts afresh.
"""

from __future__ import annotations

import gc
import runpy
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import orjson

_REPO_CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
_REPO = runpy.run_path(str(_REPO_CONFIG))
globals().update({name: value for name, value in _REPO.items() if not name.startswith("_")})

DUMP_PATH = "/perf-timeline"


class Timeline:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.requests: list[tuple[float, float, int]] = []
        self.collections: list[tuple[int, float]] = []
        self._gc_started = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.collections.append((info["generation"], time.perf_counter() - self._gc_started))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["PATH_INFO"] == DUMP_PATH:
            body = orjson.dumps({"requests": self.requests, "collections": self.collections})
            self.requests, self.collections = [], []
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        started = time.perf_counter()
        result = self.app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        self.requests.append((started, time.perf_counter(), int(environ.get("HTTP_X_PERF_CONNECTION", "-1"))))
        return [body]


def post_worker_init(worker: Any) -> None:
    worker.wsgi = Timeline(worker.wsgi)
    _REPO["post_worker_init"](worker)
