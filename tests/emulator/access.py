"""Reading request bodies that may spell fields in lowerCamelCase or snake_case (wire fact 5)."""

from __future__ import annotations

import functools
import re
from typing import Any, Mapping


@functools.lru_cache(maxsize=512)
def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def get(obj: Any, name: str, default: Any = None) -> Any:
    """``obj[name]`` or ``obj[snake(name)]`` (``name`` is the camelCase spelling)."""
    if not isinstance(obj, Mapping):
        return default
    if name in obj:
        return obj[name]
    return obj.get(snake(name), default)


def has(obj: Any, name: str) -> bool:
    return isinstance(obj, Mapping) and (obj.get(name) is not None or obj.get(snake(name)) is not None)


def as_list(value: Any) -> list[Any]:
    """A repeated field: None -> [], a single value -> [value] (wire fact 6)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def role(content: Any) -> str:
    """A content's role; Vertex treats a missing role as ``user``."""
    value = get(content, "role")
    return "user" if value in (None, "") else str(value)


def parts(content: Any) -> list[Any]:
    return [part for part in as_list(get(content, "parts")) if isinstance(part, Mapping)]


def function_calls(content: Any) -> list[Mapping[str, Any]]:
    """The parts of ``content`` that hold a functionCall."""
    return [part for part in parts(content) if has(part, "functionCall")]


def function_responses(content: Any) -> list[Mapping[str, Any]]:
    return [part for part in parts(content) if has(part, "functionResponse")]


def as_int(value: Any, default: int = 0) -> int:
    """An int32/int64 JSON value (number or numeric string)."""
    if value is None or isinstance(value, bool):
        return default
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def as_float(value: Any, default: float = 0.0) -> float:
    if value is None or isinstance(value, bool):
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default
