"""gunicorn settings for :mod:`tests.perf.memory_probe`: the repo's ``gunicorn.conf.py`` plus tracemalloc.

The worker starts tracemalloc and watches ``$PERF_TRACE_TRIGGER``: when that file appears (it
holds an output path), the worker writes the allocation sites that grew since its previous
snapshot to that path (per stream, for ``$PERF_TRACE_STREAMS`` streams) and deletes the trigger.
"""

from __future__ import annotations

import gc
import os
import runpy
import tracemalloc
from pathlib import Path
from typing import Any

_REPO_CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
globals().update({name: value for name, value in runpy.run_path(str(_REPO_CONFIG)).items() if not name.startswith("_")})

_FRAMES = 8


def _report(previous: tracemalloc.Snapshot, current: tracemalloc.Snapshot, top: int, streams: int) -> str:
    lines = []
    for key in ("lineno", "filename"):
        stats = current.compare_to(previous, key)
        grown = sum(stat.size_diff for stat in stats)
        lines.append(f"-- tracemalloc growth by {key}: {grown / 1e6:.1f} MB in all, {grown / streams / 1e3:.1f} KB per stream")
        for stat in stats[:top]:
            frame = stat.traceback[0]
            lines.append(f"  {stat.size_diff / streams / 1e3:8.2f} KB/stream {stat.count_diff / streams:7.1f} blocks/stream  {frame.filename}:{frame.lineno}")
    lines.append(_greenlet_stacks(streams))
    return "\n".join(lines) + "\n"


def _greenlet_stacks(streams: int) -> str:
    """Greenlets alive and the C stack bytes they keep on the heap (not seen by tracemalloc)."""
    import greenlet

    alive = [obj for obj in gc.get_objects() if isinstance(obj, greenlet.greenlet) and not obj.dead]
    saved = sum(g._stack_saved for g in alive)
    return f"-- {len(alive)} greenlets alive keep {saved / 1e6:.1f} MB of C stack copies ({saved / streams / 1e3:.1f} KB per stream)"


def _watch(trigger: Path, top: int, streams: int) -> None:
    import gevent

    previous = tracemalloc.take_snapshot()
    while True:
        gevent.sleep(0.05)
        if not trigger.exists():
            continue
        output = Path(trigger.read_text().strip())
        current = tracemalloc.take_snapshot()
        output.write_text(_report(previous, current, top, streams))
        previous = current
        trigger.unlink()


def post_worker_init(worker: Any) -> None:
    import gevent

    tracemalloc.start(_FRAMES)
    trigger = Path(os.environ["PERF_TRACE_TRIGGER"])
    gevent.spawn(_watch, trigger, int(os.environ.get("PERF_TRACE_TOP", "25")), int(os.environ.get("PERF_TRACE_STREAMS", "1000")))
