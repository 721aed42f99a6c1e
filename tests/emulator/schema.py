"""Structural validation of request bodies against the discovery extract, as Google's JSON parser does.

Reports, with Google's wording and snake_case proto paths (wire facts 5, 6, 22):
unknown fields, wrong JSON types, bad enum values, a list for a singular field and an object
for a scalar. Accepts camelCase and snake_case names, a single value where a list is expected,
numbers or numeric strings for integers, and anything inside Struct/Value fields.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from dataclasses import dataclass, replace
from typing import Any, Mapping

from .fixtures import discovery

Violation = tuple[str | None, str]

_SCALAR_TYPES: dict[str, str] = {
    "string": "TYPE_STRING", "bytes": "TYPE_BYTES", "int": "TYPE_INT32", "int64": "TYPE_INT64",
    "float": "TYPE_FLOAT", "double": "TYPE_DOUBLE", "bool": "TYPE_BOOL",
}
# Proto enum names that do not follow "<message>.<Field>" (the rest are derived).
_ENUM_NAMES: dict[tuple[str, str], str] = {
    ("Schema", "type"): "Type",
    ("SafetySetting", "category"): "HarmCategory",
    ("SafetySetting", "threshold"): "SafetySetting.HarmBlockThreshold",
    ("SafetySetting", "method"): "SafetySetting.HarmBlockMethod",
    ("GenerationConfigThinkingConfig", "thinkingLevel"): "GenerationConfig.ThinkingConfig.ThinkingLevel",
    ("GenerationConfig", "responseModalities"): "GenerationConfig.Modality",
    ("FunctionCallingConfig", "mode"): "FunctionCallingConfig.Mode",
}
_INT_RE = re.compile(r"^-?\d+$")
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True, slots=True)
class Field:
    snake: str
    kind: str
    type_name: str
    ref: str | None = None
    repeated: bool = False
    enum: frozenset[str] = frozenset()
    enum_size: int = 0
    value: "Field | None" = None


def camel_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


class SchemaIndex:
    """Field lookup tables for every message of one API version, built once."""

    def __init__(self, version: str) -> None:
        doc = discovery(version)
        self.version = version
        self.prefix = "GoogleCloudAiplatform" + version[0].upper() + version[1:]
        self.package = f"google.cloud.aiplatform.{version}"
        self.messages: dict[str, dict[str, Field]] = {}
        for schema_id, schema in doc["schemas"].items():
            fields: dict[str, Field] = {}
            for name, spec in schema.get("properties", {}).items():
                field = self._field(schema_id, name, spec)
                fields[name] = field
                fields[field.snake] = field
            self.messages[schema_id] = fields

    def root(self, name: str) -> str:
        return self.prefix + name

    def _short(self, schema_id: str) -> str:
        return schema_id[len(self.prefix):] if schema_id.startswith(self.prefix) else schema_id

    def _field(self, schema_id: str, name: str, spec: Mapping[str, Any]) -> Field:
        snake = camel_to_snake(name)
        if spec.get("type") == "array":
            return replace(self._field(schema_id, name, spec.get("items", {})), repeated=True)
        if "$ref" in spec:
            return Field(snake, "message", f"type.googleapis.com/{self.package}.{self._short(spec['$ref'])}", ref=spec["$ref"])
        if "enum" in spec:
            enum_name = _ENUM_NAMES.get((self._short(schema_id), name), f"{self._short(schema_id)}.{name[0].upper()}{name[1:]}")
            return Field(snake, "enum", f"type.googleapis.com/{self.package}.{enum_name}",
                         enum=frozenset(spec["enum"]), enum_size=len(spec["enum"]))
        kind = _scalar_kind(spec)
        if kind == "map":
            value = self._field(schema_id, name, spec["additionalProperties"])
            return Field(snake, "map", "map", value=value)
        type_name = _SCALAR_TYPES.get(kind, "type.googleapis.com/google.protobuf.Struct")
        return Field(snake, kind, type_name)


def _scalar_kind(spec: Mapping[str, Any]) -> str:
    json_type, fmt = spec.get("type"), spec.get("format")
    if json_type == "object":
        extra = spec.get("additionalProperties")
        if isinstance(extra, Mapping) and ("$ref" in extra or extra.get("type") not in (None, "any")):
            return "map"
        return "struct"
    if json_type == "string":
        return {"byte": "bytes", "int64": "int64", "uint64": "int64"}.get(fmt or "", "string")
    if json_type == "integer":
        return "int64" if fmt in ("int64", "uint64") else "int"
    if json_type == "number":
        return "float" if fmt == "float" else "double"
    return {"boolean": "bool"}.get(json_type or "", "any")


@functools.lru_cache(maxsize=2)
def schema_index(version: str) -> SchemaIndex:
    return SchemaIndex(version)


def _join(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _unknown(name: str, parent: str, reason: str) -> Violation:
    where = f" at '{parent}'" if parent else ""
    return (parent or None, f'Invalid JSON payload received. Unknown name "{name}"{where}: {reason}')


class _Walker:
    def __init__(self, index: SchemaIndex, limit: int = 100) -> None:
        self.index = index
        self.limit = limit
        self.violations: list[Violation] = []

    def add(self, violation: Violation) -> None:
        if len(self.violations) < self.limit:
            self.violations.append(violation)

    def message(self, obj: Mapping[str, Any], schema_id: str, path: str, allowed: frozenset[str] = frozenset()) -> None:
        fields = self.index.messages[schema_id]
        for name, value in obj.items():
            field = fields.get(name)
            if field is not None:
                self.field(field, name, value, path)
            elif name not in allowed:
                self.add(_unknown(name, path, "Cannot find field."))

    def field(self, field: Field, name: str, value: Any, parent: str) -> None:
        if value is None:
            return
        path = _join(parent, field.snake)
        if not field.repeated:
            if isinstance(value, list):
                self.add(_unknown(name, parent, "Proto field is not repeating, cannot start list."))
            else:
                self.single(field, value, path, parent)
            return
        items = value if isinstance(value, list) else [value]
        for position, item in enumerate(items):
            if item is not None:
                self.single(field, item, f"{path}[{position}]", parent)

    def single(self, field: Field, value: Any, path: str, parent: str) -> None:
        if field.kind == "message":
            if isinstance(value, dict):
                self.message(value, field.ref or "", path)
            else:
                self.add((path, f"Invalid value at '{path}' ({field.type_name}), {_show(value)}"))
        elif field.kind == "map":
            self.map(field, value, path)
        elif field.kind == "struct":
            if not isinstance(value, dict):
                self.add((path, f"Invalid value at '{path}' ({field.type_name}), {_show(value)}"))
        elif field.kind != "any":
            self.scalar(field, value, path, parent)

    def map(self, field: Field, value: Any, path: str) -> None:
        if not isinstance(value, dict) or field.value is None:
            self.add((path, f"Invalid value at '{path}' (map), {_show(value)}"))
            return
        for position, item in enumerate(value.values()):
            if item is not None:
                self.single(field.value, item, f"{path}[{position}].value", f"{path}[{position}]")

    def scalar(self, field: Field, value: Any, path: str, parent: str) -> None:
        if isinstance(value, dict):
            self.add((parent or None, f"Invalid value at '{parent}' ({field.snake}), Starting an object on a scalar field"))
        elif not _scalar_ok(field, value):
            self.add((path, f"Invalid value at '{path}' ({field.type_name}), {_show(value)}"))


def _scalar_ok(field: Field, value: Any) -> bool:
    kind = field.kind
    if kind == "string":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "enum":
        if isinstance(value, bool):
            return False
        return value in field.enum if isinstance(value, str) else isinstance(value, int) and 0 <= value < field.enum_size
    if kind == "bytes":
        return isinstance(value, str) and _is_base64(value)
    if kind in ("int", "int64"):
        return _int_ok(value, _INT32 if kind == "int" else _INT64)
    return _number_ok(value)


def _int_ok(value: Any, bounds: tuple[int, int]) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _INT_RE.match(value.strip()):
        value = int(value)
    return isinstance(value, int) and bounds[0] <= value <= bounds[1]


def _number_ok(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return False


def _is_base64(value: str) -> bool:
    text = value.strip().rstrip("=").replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def validate(body: Any, root: str, version: str, allowed_top: frozenset[str] = frozenset({"model"})) -> list[Violation]:
    """Violations of ``body`` against the message ``root`` (short name, e.g. ``GenerateContentRequest``)."""
    index = schema_index(version)
    walker = _Walker(index)
    if not isinstance(body, dict):
        return [(None, f"Invalid JSON payload received. Expected an object, got {_show(body)[:40]}.")]
    walker.message(body, index.root(root), "", allowed_top)
    return walker.violations
