"""A deterministic JSON value that satisfies a schema (for default structured-output answers).

Handles both Vertex ``Schema`` (``OBJECT``, ``anyOf``, ``nullable``...) and JSON Schema (``$ref``
into ``$defs``/``definitions``, type lists, ``const``, ``enum``), enough for the schemas the
OpenAI SDK's ``parse()`` produces from Pydantic models.
"""

from __future__ import annotations

from typing import Any, Mapping

_MAX_DEPTH = 12


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref") or schema.get("ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return schema
    target: Any = root
    for key in ref[2:].split("/"):
        target = target.get(key, {}) if isinstance(target, Mapping) else {}
    return target if isinstance(target, Mapping) else {}


def _type_of(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    return str(kind).lower()


def _object(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int) -> dict[str, Any]:
    properties = schema.get("properties") or {}
    required = schema.get("required")
    names = list(properties) if required is None else [name for name in properties if name in required]
    return {name: sample_value(properties[name], root, depth + 1) for name in names}


def sample_value(schema: Any, root: Mapping[str, Any] | None = None, depth: int = 0) -> Any:
    """A value valid for ``schema`` (``root`` resolves ``$ref``)."""
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return None
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    options = schema.get("anyOf") or schema.get("oneOf") or schema.get("any_of")
    if options:
        usable = [o for o in options if not (isinstance(o, Mapping) and o.get("type") == "null")] or options
        return sample_value(usable[0], root, depth + 1)
    if schema.get("allOf"):
        return sample_value(schema["allOf"][0], root, depth + 1)
    kind = _type_of(schema)
    if kind == "object":
        return _object(schema, root, depth)
    if kind == "array":
        count = max(1, int(schema.get("minItems") or schema.get("min_items") or 1))
        return [sample_value(schema.get("items", {}), root, depth + 1) for _ in range(count)]
    return {"integer": 1, "number": 1.5, "boolean": True, "null": None}.get(kind, "example")
