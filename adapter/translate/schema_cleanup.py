"""JSON Schema (as OpenAI clients send it) → Vertex AI's ``Schema`` message (pure).

Used for ``functionDeclarations[].parameters`` and ``generationConfig.responseSchema`` on models
that do not take raw JSON Schema (``parametersJsonSchema`` / ``responseJsonSchema``).

The output holds only fields of ``GoogleCloudAiplatformV1Schema`` and avoids what Vertex refuses:

- ``type`` names are upper case; a list of types becomes one type plus ``nullable`` or an
  ``anyOf``; ``anyOf``/``oneOf`` with a ``null`` branch become ``nullable: true``; ``oneOf`` is
  ``anyOf``; ``allOf`` is merged into one schema.
- ``$ref`` into ``$defs``/``definitions`` is inlined; a recursive reference is expanded
  :data:`RECURSION_LIMIT` times and then cut to a generic ``OBJECT``.
- ``const`` is an enum of one; enum values become strings. An enum on a non-string type cannot
  be expressed (Vertex enums are strings), so its values move into the description instead.
- ``format`` is kept only where Vertex accepts it; ``pattern`` is dropped (ECMAScript patterns
  that RE2 cannot compile are refused); ``additionalProperties``, ``$schema``, ``examples``,
  ``uniqueItems``, ``strict`` and every other unknown keyword are dropped.
- ``default`` and ``example`` are kept only when they are scalars (a list or object default is
  only a hint, and not worth a refusal).
- every node gets a ``type`` (Vertex refuses a property without one): inferred from
  ``properties``/``items``/``enum``, else ``STRING``; an ``ARRAY`` without ``items`` gets
  ``STRING`` items; empty ``properties`` and ``required`` are left out, and ``required`` only
  names declared properties.

The conversion inlines references and copies structure beside a union into each branch, so a
small schema can stand for an exponentially large one (a definition that uses the next one
twice, thirty times over). More than :data:`MAX_NODES` converted nodes is refused with a 400
naming the schema, before the work grows past a few milliseconds.
"""

from __future__ import annotations

from typing import Any, Mapping

from adapter.errors import InvalidRequest
from adapter.translate.schema_fragments import (
    TEXT_KEYS,
    TYPES,
    GeminiSchema,
    annotation_fields,
    enum_fragment,
    enum_values,
    infer_type,
    scalar_fragment,
)

RECURSION_LIMIT = 2
MAX_DEPTH = 24
MAX_NODES = 10_000

_GENERIC_OBJECT: GeminiSchema = {"type": "OBJECT"}


class _Context:
    """The root schema and its definitions, for resolving ``$ref``; the count of converted
    nodes, against :data:`MAX_NODES`."""

    __slots__ = ("root", "defs", "param", "nodes")

    def __init__(self, root: Mapping[str, Any], param: str | None) -> None:
        self.root = root
        self.param = param
        self.nodes = 0
        defs: dict[str, Any] = {}
        for key in ("definitions", "$defs"):
            found = root.get(key)
            if isinstance(found, Mapping):
                defs.update(found)
        self.defs = defs

    def resolve(self, ref: str) -> Mapping[str, Any] | None:
        if ref == "#":
            return self.root
        for prefix in ("#/$defs/", "#/definitions/"):
            if ref.startswith(prefix):
                found = self.defs.get(ref[len(prefix):])
                return found if isinstance(found, Mapping) else None
        return None


    def count_node(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise InvalidRequest(
                f"the schema is too large once its references and unions are expanded (more than {MAX_NODES} "
                "nodes); simplify it or use a model that takes JSON Schema as is",
                param=self.param,
            )


def to_gemini_schema(schema: Mapping[str, Any], *, param: str | None = None) -> GeminiSchema:
    """Convert a JSON Schema to a Vertex ``Schema`` (a new dict; ``schema`` is not changed).

    Raises :class:`InvalidRequest` naming ``param`` when the expanded schema is too large.
    """
    return _convert(schema, _Context(schema, param), 0, ())


def _convert(node: Any, ctx: _Context, depth: int, refs: tuple[str, ...]) -> GeminiSchema:
    ctx.count_node()
    if not isinstance(node, Mapping):
        return {"type": "STRING"}
    if depth > MAX_DEPTH:
        return dict(_GENERIC_OBJECT)
    ref = node.get("$ref")
    if isinstance(ref, str):
        return _convert_ref(node, ref, ctx, depth, refs)
    if isinstance(node.get("allOf"), list):
        return _convert_all_of(node, ctx, depth, refs)
    branches = node.get("anyOf") if isinstance(node.get("anyOf"), list) else node.get("oneOf")
    if isinstance(branches, list) and branches:
        return _convert_union(node, branches, ctx, depth, refs)
    return _convert_plain(node, ctx, depth, refs)


def _cut(node: Mapping[str, Any], target: Mapping[str, Any] | None = None) -> GeminiSchema:
    """A generic OBJECT standing for a reference that cannot (or may no longer) be expanded."""
    cut = dict(_GENERIC_OBJECT)
    cut.update(annotation_fields(node) or annotation_fields(target or {}))
    return cut


def _convert_ref(node: Mapping[str, Any], ref: str, ctx: _Context, depth: int, refs: tuple[str, ...]) -> GeminiSchema:
    target = ctx.resolve(ref)
    if target is None or refs.count(ref) >= RECURSION_LIMIT:
        return _cut(node, target)
    merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return _convert(merged, ctx, depth + 1, refs + (ref,))


def _convert_all_of(node: Mapping[str, Any], ctx: _Context, depth: int, refs: tuple[str, ...]) -> GeminiSchema:
    rest = {k: v for k, v in node.items() if k != "allOf"}
    merged = _merge([rest, *node["allOf"]], ctx, refs)
    if merged is None:
        return _cut(node)
    return _convert(merged[0], ctx, depth + 1, merged[1])


def _merge(
    subs: list[Any], ctx: _Context, refs: tuple[str, ...]
) -> tuple[dict[str, Any], tuple[str, ...]] | None:
    """One schema meaning all of ``subs`` (properties and required united, other keys first
    wins), with the reference chain grown by the refs it inlined; None when one of them
    recurses past :data:`RECURSION_LIMIT`."""
    resolved = _resolve_all(subs, ctx, refs)
    if resolved is None:
        return None
    merged: dict[str, Any] = {}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for sub in resolved[0]:
        properties.update(_as_mapping(sub.get("properties")))
        required.extend(r for r in _as_list(sub.get("required")) if r not in required)
        for key, value in sub.items():
            merged.setdefault(key, value)
    merged.update({"properties": properties} if properties else {})
    merged.update({"required": required} if required else {})
    merged.pop("allOf", None)
    return merged, resolved[1]


def _resolve_all(
    subs: list[Any], ctx: _Context, refs: tuple[str, ...]
) -> tuple[list[Mapping[str, Any]], tuple[str, ...]] | None:
    """``subs`` with ``$ref`` entries inlined, and the grown reference chain."""
    resolved: list[Mapping[str, Any]] = []
    chain = refs
    for sub in subs:
        ref = sub.get("$ref") if isinstance(sub, Mapping) else None
        if isinstance(ref, str):
            if chain.count(ref) >= RECURSION_LIMIT:
                return None
            chain += (ref,)
            resolved.append(ctx.resolve(ref) or {})
        elif isinstance(sub, Mapping):
            resolved.append(sub)
    return resolved, chain


def _is_null_schema(branch: Any) -> bool:
    return isinstance(branch, Mapping) and (branch.get("type") == "null" or branch.get("const", 0) is None)


def _convert_union(
    node: Mapping[str, Any], branches: list[Any], ctx: _Context, depth: int, refs: tuple[str, ...]
) -> GeminiSchema:
    others = [b for b in branches if not _is_null_schema(b)]
    nullable = len(others) < len(branches)
    rest = {k: v for k, v in node.items() if k not in ("anyOf", "oneOf")}
    if others and not any(_describes_type(b) for b in others):
        return _convert(rest, ctx, depth + 1, refs)
    if len(others) == 1:
        out = _convert_branch(rest, others[0], ctx, depth, refs, _sibling_keys(rest))
    elif not others:
        out = {"type": "NULL"}
    else:
        out = {"anyOf": [_convert_branch(rest, b, ctx, depth, refs, {}) for b in others]}
        out.update(annotation_fields(rest))
    if nullable and others:
        out["nullable"] = True
    return out


def _convert_branch(
    rest: Mapping[str, Any], branch: Any, ctx: _Context, depth: int, refs: tuple[str, ...], extra: Mapping[str, Any]
) -> GeminiSchema:
    """A union branch, with ``extra`` keys laid over it. Structure beside the union (``type``,
    ``properties``) applies to every branch, so it is merged in."""
    if not _describes_type(rest):
        return _convert({**_as_mapping(branch), **extra}, ctx, depth + 1, refs)
    structure = {k: v for k, v in rest.items() if k not in TEXT_KEYS and k != "default"}
    merged = _merge([structure, branch], ctx, refs)
    if merged is None:
        return _cut(rest)
    return _convert({**merged[0], **extra}, ctx, depth + 1, merged[1])


_TYPE_KEYS = frozenset({"type", "properties", "items", "$ref", "enum", "const", "anyOf", "oneOf", "allOf"})


def _describes_type(branch: Any) -> bool:
    """False for a branch that only adds constraints (``{"required": [...]}``)."""
    return isinstance(branch, Mapping) and not _TYPE_KEYS.isdisjoint(branch)


def _sibling_keys(rest: Mapping[str, Any]) -> dict[str, Any]:
    """Keys beside a one-branch union that still apply to the branch (annotations, default)."""
    kept = annotation_fields(rest)
    if isinstance(rest.get("default"), (str, int, float)):
        kept["default"] = rest["default"]
    return kept


def _as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _convert_plain(node: Mapping[str, Any], ctx: _Context, depth: int, refs: tuple[str, ...]) -> GeminiSchema:
    raw_type = node.get("type")
    if isinstance(raw_type, list):
        return _convert_type_list(node, raw_type, ctx, depth, refs)
    enum, nullable = enum_values(node)
    gemini_type = (TYPES.get(raw_type) if isinstance(raw_type, str) else None) or infer_type(node, enum)
    out: GeminiSchema = {"type": gemini_type, **annotation_fields(node)}
    out.update(enum_fragment(gemini_type, enum, out.get("description")))
    out.update(scalar_fragment(gemini_type, node))
    if nullable or node.get("nullable") is True:
        out["nullable"] = True
    if gemini_type == "OBJECT":
        out.update(_properties_fragment(node, ctx, depth, refs))
    elif gemini_type == "ARRAY":
        out["items"] = _convert_items(node.get("items", node.get("prefixItems")), ctx, depth, refs)
    return out


def _convert_type_list(
    node: Mapping[str, Any], types: list[Any], ctx: _Context, depth: int, refs: tuple[str, ...]
) -> GeminiSchema:
    named = [t for t in types if isinstance(t, str) and t in TYPES and t != "null"]
    nullable = "null" in types
    if len(named) <= 1:
        single = {**node, "type": named[0] if named else "null"}
        out = _convert_plain(single, ctx, depth, refs)
    else:
        bare = {k: v for k, v in node.items() if k not in TEXT_KEYS}
        out = {"anyOf": [_convert_plain({**bare, "type": t}, ctx, depth + 1, refs) for t in named]}
        out.update(annotation_fields(node))
    if nullable and named:
        out["nullable"] = True
    return out


def _properties_fragment(node: Mapping[str, Any], ctx: _Context, depth: int, refs: tuple[str, ...]) -> GeminiSchema:
    properties = node.get("properties")
    if not isinstance(properties, Mapping) or not properties:
        return {}
    converted = {name: _convert(sub, ctx, depth + 1, refs) for name, sub in properties.items()}
    fragment: GeminiSchema = {"properties": converted}
    required = node.get("required")
    names = [name for name in _as_list(required) if isinstance(name, str) and name in properties]
    if names:
        fragment["required"] = list(dict.fromkeys(names))
    return fragment


def _convert_items(items: Any, ctx: _Context, depth: int, refs: tuple[str, ...]) -> GeminiSchema:
    if isinstance(items, list):
        if not items:
            return {"type": "STRING"}
        if len(items) == 1:
            return _convert(items[0], ctx, depth + 1, refs)
        return {"anyOf": [_convert(item, ctx, depth + 1, refs) for item in items]}
    if isinstance(items, Mapping):
        return _convert(items, ctx, depth + 1, refs)
    return {"type": "STRING"}
