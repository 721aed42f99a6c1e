"""How deeply a JSON value nests, checked before anything serialises it.

orjson refuses to write values nested more than 255 levels, Python's ``json`` raises
RecursionError near 1000, and Gemini has no use for either: a request whose free-form JSON
(tool ``parameters``, a ``response_format`` schema, tool-call ``arguments``) nests deeper than
:data:`MAX_JSON_DEPTH` is refused with a 400 naming the field. Both checks are iterative.
"""

from __future__ import annotations

import re
from typing import Any

MAX_JSON_DEPTH = 64
"""Arrays and objects inside one another (a JSON Schema level is usually two)."""
DEPTH_PHRASE = f"nests arrays and objects more than {MAX_JSON_DEPTH} levels deep"

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``value`` (decoded JSON) nests arrays and objects more than ``limit`` levels."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if type(node) is dict:
            children: Any = node.values()
        elif type(node) is list:
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if type(child) in (dict, list))
    return False


def text_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the JSON text ``text`` opens more than ``limit`` arrays and objects at once."""
    if text.count("{") + text.count("[") <= limit:
        return False
    depth = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False
