"""A checker of Vertex request bodies against Google's discovery schema, plus the request rules
Vertex enforces (tests/fixtures/vertex/README.md, "Rules Vertex enforces on request bodies").

The other request-translation tests import :func:`vertex_violations`; the tests in this file
prove the checker itself accepts Google's own example requests and catches what Vertex refuses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCHEMAS: dict[str, Any] = json.loads((FIXTURES / "vertex" / "schemas.v1.json").read_text(encoding="utf-8"))["schemas"]
REQUEST = "GoogleCloudAiplatformV1GenerateContentRequest"
SCHEMA = "GoogleCloudAiplatformV1Schema"
PART_DATA_FIELDS = ("text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode", "codeExecutionResult")
_INT64 = ("int64", "uint64")


def schema_violations(value: Any, ref: str = REQUEST, path: str = "$") -> list[str]:
    """Where ``value`` departs from the discovery schema ``ref`` (unknown keys, wrong types, enums)."""
    return list(_walk(value, {"$ref": ref}, path))


def _walk(value: Any, spec: dict[str, Any], path: str) -> Iterator[str]:
    if "$ref" in spec:
        yield from _walk_object(value, SCHEMAS[spec["$ref"]], path)
        return
    kind = spec.get("type")
    if kind == "any":
        return
    if kind == "object":
        yield from _walk_map(value, spec, path)
    elif kind == "array":
        if not isinstance(value, list):
            yield f"{path}: expected a list"
            return
        for i, item in enumerate(value):
            yield from _walk(item, spec["items"], f"{path}[{i}]")
    else:
        yield from _walk_scalar(value, spec, path)


def _walk_object(value: Any, schema: dict[str, Any], path: str) -> Iterator[str]:
    if not isinstance(value, dict):
        yield f"{path}: expected an object ({schema['id']})"
        return
    properties = schema.get("properties", {})
    for key, item in value.items():
        if key not in properties:
            yield f"{path}.{key}: unknown field of {schema['id']}"
        else:
            yield from _walk(item, properties[key], f"{path}.{key}")


def _walk_map(value: Any, spec: dict[str, Any], path: str) -> Iterator[str]:
    if not isinstance(value, dict):
        yield f"{path}: expected an object"
        return
    inner = spec.get("additionalProperties")
    if isinstance(inner, dict):
        for key, item in value.items():
            yield from _walk(item, inner, f"{path}.{key}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_SCALAR_CHECKS: dict[str, Callable[[Any, dict[str, Any]], bool]] = {
    "int64": lambda v, spec: _is_int(v) or (isinstance(v, str) and v.lstrip("-").isdigit()),
    "string": lambda v, spec: isinstance(v, str) and ("enum" not in spec or v in spec["enum"]),
    "integer": lambda v, spec: _is_int(v),
    "number": lambda v, spec: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v, spec: isinstance(v, bool),
}


def _walk_scalar(value: Any, spec: dict[str, Any], path: str) -> Iterator[str]:
    kind, fmt = spec.get("type"), spec.get("format")
    check = _SCALAR_CHECKS.get("int64" if kind == "string" and fmt in _INT64 else str(kind))
    if check is None or not check(value, spec):
        yield f"{path}: {value!r} is not a valid {kind}{'/' + fmt if fmt else ''}{' enum' if 'enum' in spec else ''}"


def rule_violations(body: dict[str, Any]) -> list[str]:
    """Breaches of the request rules Vertex answers with 400 INVALID_ARGUMENT."""
    problems: list[str] = []
    contents = body.get("contents") or []
    if not contents:
        problems.append("contents is empty")
    for i, content in enumerate(contents):
        problems.extend(_content_problems(content, f"contents[{i}]", ("user", "model")))
    problems.extend(_call_response_problems(contents))
    if "systemInstruction" in body:
        for j, part in enumerate(body["systemInstruction"].get("parts") or [None]):
            if not isinstance(part, dict) or set(part) != {"text"} or not part["text"]:
                problems.append(f"systemInstruction.parts[{j}] is not a non-empty text part")
    problems.extend(_tool_problems(body))
    thinking = body.get("generationConfig", {}).get("thinkingConfig", {})
    if "thinkingBudget" in thinking and "thinkingLevel" in thinking:
        problems.append("thinkingConfig sets budget and level")
    if "responseSchema" in body.get("generationConfig", {}):
        problems.extend(gemini_schema_problems(body["generationConfig"]["responseSchema"], "responseSchema"))
    return problems


def _content_problems(content: dict[str, Any], path: str, roles: tuple[str, ...]) -> list[str]:
    problems = [] if content.get("role") in roles else [f"{path}.role is {content.get('role')!r}"]
    parts = content.get("parts") or []
    if not parts:
        problems.append(f"{path} has no parts")
    for j, part in enumerate(parts):
        data = [key for key in PART_DATA_FIELDS if key in part]
        if len(data) != 1:
            problems.append(f"{path}.parts[{j}] sets {len(data)} data fields")
        if "text" in part and not part["text"]:
            problems.append(f"{path}.parts[{j}] is an empty text part")
    return problems


def _count(content: dict[str, Any], field: str) -> int:
    return sum(1 for part in content.get("parts", []) if field in part)


def _call_response_problems(contents: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    for i, content in enumerate(contents):
        calls = _count(content, "functionCall")
        if calls and (i == 0 or contents[i - 1].get("role") != "user"):
            problems.append(f"contents[{i}]: a function-call turn must follow a user turn")
        if calls and i + 1 < len(contents) and _count(contents[i + 1], "functionResponse") != calls:
            problems.append(f"contents[{i + 1}]: expected {calls} function responses")
        responses = _count(content, "functionResponse")
        if responses and (i == 0 or _count(contents[i - 1], "functionCall") != responses):
            problems.append(f"contents[{i}]: function responses without the matching call turn")
    return problems


def _tool_problems(body: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    names: list[str] = []
    for i, tool in enumerate(body.get("tools") or []):
        if len(tool) != 1:
            problems.append(f"tools[{i}] sets {len(tool)} tool kinds")
        for j, declaration in enumerate(tool.get("functionDeclarations") or []):
            names.append(declaration.get("name"))
            if "parameters" in declaration and "parametersJsonSchema" in declaration:
                problems.append(f"tools[{i}].functionDeclarations[{j}] sets parameters twice")
            if "parameters" in declaration:
                problems.extend(gemini_schema_problems(declaration["parameters"], f"tools[{i}].functionDeclarations[{j}].parameters"))
    if len(set(names)) != len(names):
        problems.append("function names are not unique")
    calling = body.get("toolConfig", {}).get("functionCallingConfig", {})
    allowed = calling.get("allowedFunctionNames")
    if allowed is not None and (calling.get("mode") not in ("ANY", "VALIDATED") or not set(allowed) <= set(names)):
        problems.append("allowedFunctionNames without mode ANY or naming undeclared functions")
    return problems


def gemini_schema_problems(schema: dict[str, Any], path: str) -> list[str]:
    """Schema-message rules: known fields only, every node typed (or an anyOf), no empty properties."""
    problems = schema_violations(schema, SCHEMA, path)
    problems.extend(_typed_problems(schema, path))
    return problems


def _typed_problems(node: dict[str, Any], path: str) -> Iterator[str]:
    if "type" not in node and "anyOf" not in node:
        yield f"{path}: no type"
    if "properties" in node and not node["properties"]:
        yield f"{path}: empty properties"
    if node.get("type") == "ARRAY" and "items" not in node:
        yield f"{path}: ARRAY without items"
    for name, sub in (node.get("properties") or {}).items():
        yield from _typed_problems(sub, f"{path}.properties.{name}")
    if "items" in node:
        yield from _typed_problems(node["items"], f"{path}.items")
    for k, sub in enumerate(node.get("anyOf") or []):
        yield from _typed_problems(sub, f"{path}.anyOf[{k}]")


def vertex_violations(body: dict[str, Any]) -> list[str]:
    """Everything Vertex would refuse in ``body`` (schema and rules)."""
    return schema_violations(body) + rule_violations(body)


# --- tests of the checker itself -------------------------------------------------------------

EXAMPLE_REQUESTS = sorted(
    p for p in (FIXTURES / "vertex" / "examples" / "generate").glob("*.request.json") if "docs-variant" not in p.name
)


@pytest.mark.parametrize("path", EXAMPLE_REQUESTS, ids=lambda p: p.name)
def test_google_example_requests_pass(path: Path) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))
    if "count-tokens" in path.name:
        assert schema_violations(body, "GoogleCloudAiplatformV1CountTokensRequest") == []
    else:
        assert vertex_violations(body) == []


GOOD = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({**GOOD, "generation_config": {}}, "unknown field"),
        ({"contents": [{"role": "user", "parts": [{"text": "hi", "extra": 1}]}]}, "unknown field"),
        ({**GOOD, "generationConfig": {"temperature": "hot"}}, "not a valid number"),
        ({**GOOD, "safetySettings": [{"category": "HARM_X", "threshold": "OFF"}]}, "enum"),
        ({"contents": []}, "contents is empty"),
        ({"contents": [{"role": "system", "parts": [{"text": "hi"}]}]}, "role"),
        ({"contents": [{"role": "user", "parts": [{"text": ""}]}]}, "empty text part"),
        ({"contents": [{"role": "user", "parts": []}]}, "has no parts"),
        ({"contents": [{"role": "user", "parts": [{"text": "a", "inlineData": {"mimeType": "x/y", "data": "AA=="}}]}]}, "2 data fields"),
        ({**GOOD, "generationConfig": {"thinkingConfig": {"thinkingBudget": 1, "thinkingLevel": "LOW"}}}, "budget and level"),
        ({**GOOD, "tools": [{"functionDeclarations": [{"name": "f", "parameters": {"type": "object"}}]}]}, "enum"),
        ({**GOOD, "tools": [{"functionDeclarations": [{"name": "f", "parameters": {"type": "OBJECT", "properties": {"a": {}}}}]}]}, "no type"),
        ({**GOOD, "tools": [{"functionDeclarations": [{"name": "f", "parameters": {"type": "OBJECT", "$defs": {}}}]}]}, "unknown field"),
        ({**GOOD, "tools": [{"functionDeclarations": [], "googleSearch": {}}]}, "tool kinds"),
        ({**GOOD, "toolConfig": {"functionCallingConfig": {"mode": "AUTO", "allowedFunctionNames": ["f"]}}}, "allowedFunctionNames"),
        (
            {"contents": [
                {"role": "user", "parts": [{"text": "go"}]},
                {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}}, {"functionCall": {"name": "g", "args": {}}}]},
                {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {}}}]},
            ]},
            "expected 2 function responses",
        ),
    ],
)
def test_checker_catches_what_vertex_refuses(body: dict[str, Any], expected: str) -> None:
    problems = vertex_violations(body)
    assert any(expected in problem for problem in problems), problems
