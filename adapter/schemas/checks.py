"""Rules of the chat request that span several fields.

Each check reads the loaded (but not yet normalised) request and returns the marshmallow-style
error of the first problem it finds (a nested dict ending in a list of phrases, so that the
400 names the exact path), or None. :func:`first_problem` runs them in order.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from adapter.schemas.depth import DEPTH_PHRASE, text_too_deep, too_deep
from adapter.schemas.fields import Path, format_path

Error = dict[str | int, Any]

_UNDECLARED = "must name a function declared in '{tools}'"


def error_at(path: Path, phrase: str) -> Error:
    """``{"a": {0: {"b": [phrase]}}}`` for ``path == ("a", 0, "b")``."""
    node: Any = [phrase]
    for key in reversed(path[1:]):
        node = {key: node}
    return {path[0]: node}


def _present(data: dict[str, Any], key: str) -> bool:
    return data.get(key) is not None


def _legacy_conflicts(data: dict[str, Any]) -> Error | None:
    if _present(data, "functions") and _present(data, "tools"):
        return error_at(("functions",), "cannot be combined with 'tools' (use 'tools' only)")
    if _present(data, "function_call") and _present(data, "tool_choice"):
        return error_at(("function_call",), "cannot be combined with 'tool_choice' (use 'tool_choice' only)")
    return None


def _logprobs(data: dict[str, Any]) -> Error | None:
    if _present(data, "top_logprobs") and data.get("logprobs") is not True:
        return error_at(("top_logprobs",), "requires 'logprobs' to be true")
    return None


def declared_tools(data: dict[str, Any]) -> list[tuple[str, Path]]:
    """(name, path of the name) of every declared function, from ``tools`` or ``functions``."""
    if _present(data, "tools"):
        return [(t["function"]["name"], ("tools", i, "function", "name")) for i, t in enumerate(data["tools"])]
    functions = data.get("functions") or []
    return [(f["name"], ("functions", i, "name")) for i, f in enumerate(functions)]


def _unique_names(data: dict[str, Any]) -> Error | None:
    seen: dict[str, Path] = {}
    for name, path in declared_tools(data):
        if name in seen:
            first = format_path(seen[name])
            return error_at(path, f"duplicates the name at '{first}' (function names must be unique)")
        seen[name] = path
    return None


def _chosen_names(choice: Any, root: str) -> list[tuple[str, Path]]:
    """The function names a ``tool_choice``/``function_call`` value refers to, with paths."""
    if root == "function_call":
        return [(choice["name"], (root, "name"))]
    if choice["type"] == "function":
        return [(choice["function"]["name"], (root, "function", "name"))]
    allowed = choice["allowed_tools"]["tools"]
    return [
        (tool["function"]["name"], (root, "allowed_tools", "tools", index, "function", "name"))
        for index, tool in enumerate(allowed)
    ]


def _tool_choice(data: dict[str, Any]) -> Error | None:
    root = "function_call" if _present(data, "function_call") else "tool_choice"
    choice = data.get(root)
    if choice is None or choice in ("none", "auto"):
        return None
    tools_key = "functions" if root == "function_call" else "tools"
    declared = {name for name, _ in declared_tools(data)}
    if not declared:
        return error_at((root,), f"requires '{tools_key}'")
    if isinstance(choice, str):
        return None
    for name, path in _chosen_names(choice, root):
        if name not in declared:
            return error_at(path, _UNDECLARED.format(tools=tools_key))
    return None


def _free_json(data: dict[str, Any]) -> list[tuple[Any, Path]]:
    """The request's free-form JSON values (decoded or as text), with their paths."""
    found: list[tuple[Any, Path]] = [(data.get(key), (key,)) for key in ("google", "extra_body")]
    for i, tool in enumerate(data.get("tools") or ()):
        found.append((tool["function"].get("parameters"), ("tools", i, "function", "parameters")))
    for i, function in enumerate(data.get("functions") or ()):
        found.append((function.get("parameters"), ("functions", i, "parameters")))
    json_schema = (data.get("response_format") or {}).get("json_schema") or {}
    found.append((json_schema.get("schema"), ("response_format", "json_schema", "schema")))
    for i, message in enumerate(data["messages"]):
        for j, call in enumerate(message.get("tool_calls") or ()):
            found.append((call["function"]["arguments"], ("messages", i, "tool_calls", j, "function", "arguments")))
        if message.get("function_call"):
            found.append((message["function_call"]["arguments"], ("messages", i, "function_call", "arguments")))
    return found


def first_too_deep(found: Iterable[tuple[Any, Path]]) -> Error | None:
    """The error for the first free-form JSON value (decoded, or JSON text such as tool-call
    arguments) that nests deeper than the limit, or None. Every front door's schema uses it."""
    for value, path in found:
        if text_too_deep(value) if type(value) is str else too_deep(value):
            return error_at(path, DEPTH_PHRASE)
    return None


def _json_depth(data: dict[str, Any]) -> Error | None:
    return first_too_deep(_free_json(data))


CHECKS: tuple[Callable[[dict[str, Any]], Error | None], ...] = (
    _json_depth,
    _legacy_conflicts,
    _logprobs,
    _unique_names,
    _tool_choice,
)


def first_problem(data: dict[str, Any]) -> Error | None:
    """The error of the first failing check, or None when the request is consistent."""
    for check in CHECKS:
        error = check(data)
        if error is not None:
            return error
    return None
