"""The leaf rules of the JSON Schema → Vertex ``Schema`` conversion (pure).

:mod:`adapter.translate.schema_cleanup` walks the schema (references, unions, properties,
items); the functions here turn what one node says about itself (type, annotations, enum,
format, bounds, default) into fragments of the Vertex node.
"""

from __future__ import annotations

from typing import Any, Mapping

GeminiSchema = dict[str, Any]

TYPES: dict[str, str] = {
    "string": "STRING",
    "number": "NUMBER",
    "integer": "INTEGER",
    "boolean": "BOOLEAN",
    "array": "ARRAY",
    "object": "OBJECT",
    "null": "NULL",
}
TEXT_KEYS = ("title", "description")
_FORMATS: dict[str, frozenset[str]] = {
    "STRING": frozenset({"enum", "date-time"}),
    "INTEGER": frozenset({"int32", "int64"}),
    "NUMBER": frozenset({"float", "double"}),
}
_NUMBER_KEYS = ("minimum", "maximum")
_COUNT_KEYS = ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties")
_VALUE_KEYS = ("default", "example")
_VALUE_TYPES: dict[type, str] = {bool: "BOOLEAN", int: "INTEGER", float: "NUMBER"}


def annotation_fields(node: Mapping[str, Any]) -> dict[str, Any]:
    """The node's non-empty ``title`` and ``description``."""
    return {key: node[key] for key in TEXT_KEYS if isinstance(node.get(key), str) and node[key]}


def enum_values(node: Mapping[str, Any]) -> tuple[list[Any] | None, bool]:
    """The enum (``const`` as an enum of one) without ``null``, and whether ``null`` was in it."""
    if "const" in node:
        values = [node["const"]]
    elif isinstance(node.get("enum"), list):
        values = node["enum"]
    else:
        return None, False
    kept = [v for v in values if v is not None]
    return kept or None, len(kept) < len(values)


def infer_type(node: Mapping[str, Any], enum: list[Any] | None) -> str:
    """The Vertex type of a node that names none: from its structure or its enum values."""
    if isinstance(node.get("properties"), Mapping):
        return "OBJECT"
    if "items" in node or "prefixItems" in node:
        return "ARRAY"
    kinds = {type(value) for value in enum or ()}
    return _VALUE_TYPES.get(kinds.pop(), "STRING") if len(kinds) == 1 else "STRING"


def enum_fragment(gemini_type: str, enum: list[Any] | None, description: str | None) -> GeminiSchema:
    """``enum`` for a string; for other types the allowed values go into the description."""
    if enum is None:
        return {}
    if gemini_type == "STRING":
        return {"enum": [v if isinstance(v, str) else _display(v) for v in enum]}
    allowed = "Allowed values: " + ", ".join(_display(v) for v in enum) + "."
    return {"description": f"{description} {allowed}" if description else allowed}


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def scalar_fragment(gemini_type: str, node: Mapping[str, Any]) -> GeminiSchema:
    """``format`` (where Vertex takes it), numeric bounds, counts, scalar default and example."""
    fragment: GeminiSchema = {}
    fmt = node.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS.get(gemini_type, ()):
        fragment["format"] = fmt
    for key in _NUMBER_KEYS:
        value = node.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            fragment[key] = value
    for key in _COUNT_KEYS:
        value = node.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            fragment[key] = value
    for key in _VALUE_KEYS:
        if isinstance(node.get(key), (str, int, float)):
            fragment[key] = node[key]
    return fragment
