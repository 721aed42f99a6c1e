"""Access to the Vertex wire-format fixtures under ``tests/fixtures/vertex`` (repo-relative)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

VERTEX_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vertex"
EXAMPLES = VERTEX_FIXTURES / "examples"


def example_path(relative: str) -> Path:
    """Path of an example file, e.g. ``"generate/text.response.json"``."""
    path = (EXAMPLES / relative).resolve()
    if EXAMPLES.resolve() not in path.parents:
        raise ValueError(f"fixture path escapes the examples folder: {relative}")
    return path


@functools.lru_cache(maxsize=256)
def _load_text(relative: str) -> str:
    return example_path(relative).read_text(encoding="utf-8")


def load_json(relative: str) -> Any:
    """A fresh copy of a JSON example (callers may modify it)."""
    return json.loads(_load_text(relative))


def load_sse_events(relative: str) -> list[dict[str, Any]]:
    """The JSON events of an ``.sse`` example, in order."""
    events = []
    for line in _load_text(relative).splitlines():
        if line.startswith("data:"):
            events.append(json.loads(line[len("data:"):].strip()))
    return events


def error_body(name: str) -> dict[str, Any]:
    """An error body from ``examples/errors`` by file stem, e.g. ``"429.resource-exhausted"``."""
    return load_json(f"errors/{name}.json")


@functools.lru_cache(maxsize=2)
def discovery(version: str) -> dict[str, Any]:
    """The discovery extract for ``v1`` or ``v1beta1`` (shared, do not modify)."""
    return json.loads((VERTEX_FIXTURES / f"schemas.{version}.json").read_text(encoding="utf-8"))
