"""``GET /debug/runtime``: process figures for soak tests (off unless ``DEBUG_RUNTIME_STATS``).

It reports the worker's pid, open file descriptors, resident memory, live greenlets and
threads, never anything about credentials or requests. Counting greenlets walks the garbage
collector's objects (tens of milliseconds on a busy worker, during which the worker serves
nothing), so the route exists only when the operator turns it on, and needs the API key.
"""

from __future__ import annotations

import gc
import os
import threading
from typing import Any

from flask import Blueprint, Response

from ..auth import check_api_key
from ..http import json_response


def _fd_count() -> int | None:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None


def _rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _greenlet_count() -> int | None:
    try:
        from greenlet import greenlet
    except ImportError:  # pragma: no cover - greenlet comes with gevent
        return None
    return sum(1 for obj in gc.get_objects() if isinstance(obj, greenlet))


def _gevent_threadpool_size() -> int | None:
    """Workers of gevent's thread pool (name resolution): each holds two idle greenlets."""
    try:
        from gevent import get_hub
        from gevent.monkey import is_module_patched
    except ImportError:  # pragma: no cover
        return None
    if not is_module_patched("threading"):
        return None
    return int(get_hub().threadpool.size)


def runtime_stats() -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "fds": _fd_count(),
        "rss_bytes": _rss_bytes(),
        "greenlets": _greenlet_count(),
        "threads": threading.active_count(),
        "gevent_threadpool": _gevent_threadpool_size(),
    }


def make_blueprint(api_key: str) -> Blueprint:
    """The ``/debug/runtime`` route, behind the client API key (a new blueprint per app)."""
    bp = Blueprint("runtime_stats", __name__, url_prefix="/debug")

    @bp.before_request
    def require_api_key() -> None:
        check_api_key(api_key)

    @bp.get("/runtime")
    def runtime() -> Response:
        return json_response(runtime_stats())

    return bp
