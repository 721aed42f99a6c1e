"""Read the installed packages' entry points once while gevent patches the worker.

``gevent.monkey.patch_all`` announces each module it patches to plugins registered as entry
points, and every announcement calls ``importlib.metadata.entry_points(group=...)``, which reads
the metadata of every installed distribution again: 25 calls. With 171 distributions installed
(the test machine) that was 4,275 file reads and 0.24-0.30 s of each worker's start-up (a
Docker image has ~30 distributions: ~50 ms). Inside :func:`entry_points_read_once` the first
call reads them all and later calls select from that reading; the plugins gevent finds are the
same (``tests/unit/test_entry_points_once.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from typing import Any


@contextmanager
def entry_points_read_once() -> Iterator[None]:
    """Within the block, ``importlib.metadata.entry_points`` reads the distributions once."""
    read = metadata.entry_points
    everything: list[Any] = []

    def selected(**params: Any) -> Any:
        if not params:
            return read()
        if not everything:
            everything.append(read())
        return everything[0].select(**params)

    metadata.entry_points = selected  # type: ignore[assignment]
    try:
        yield
    finally:
        metadata.entry_points = read
