"""Responses ``tools`` / ``tool_choice`` → Gemini ``tools`` and ``toolConfig`` (pure).

- ``function`` tools (flat: ``name``, ``description``, ``parameters``, ``strict``) become
  function declarations, their schema handled as chat's (``parametersJsonSchema`` untouched
  where the model takes it, else cleaned up into ``parameters``);
- ``custom`` tools (free-form, like Codex's ``apply_patch``) become declarations with one
  string argument ``input``; a grammar format is described to the model in the declaration;
- a ``namespace``'s functions and custom tools are declared by their own names; calls to them
  come back with the namespace (``Tools.namespaces``), as Codex needs to run them;
- client-run ``tool_search`` is a function named ``tool_search`` (its ``parameters``, or a
  ``query`` string) that the client answers;
- ``web_search`` / ``web_search_preview`` (and the ``-search`` model variant) become Google
  Search grounding; before Gemini 3 it cannot sit beside function declarations (400 naming
  ``tools``).

Hosted tools Gemini cannot run were refused by the request schema. ``tool_choice`` maps as in
chat: ``auto``/``none``/``required`` → AUTO/NONE/ANY, a named function or custom tool → ANY
restricted to it, ``allowed_tools`` → VALIDATED or ANY restricted to the named tools. A hosted
tool choice (``{"type": "web_search_preview"}``) cannot force a search: it is AUTO, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import ModelCapabilities
from adapter.routing.model_name import ModelRoute
from adapter.translate.schema_cleanup import to_gemini_schema

from .items import CUSTOM_INPUT

SEARCH_TOOLS = frozenset({"web_search", "web_search_preview", "web_search_2025_08_26", "web_search_preview_2025_03_11"})
NAMED_CHOICES = frozenset({"function", "custom"})
SIMPLE_CHOICES: dict[str, str] = {"none": "NONE", "auto": "AUTO", "required": "ANY"}
ALLOWED_TOOLS_MODES: dict[str, str] = {"auto": "VALIDATED", "required": "ANY"}
PARALLEL_NOTE = "parallel_tool_calls=false not enforced: Gemini has no such switch"
FORCED_SEARCH_NOTE = "tool_choice {kind} -> auto: Gemini decides itself when to search"
TOOL_SEARCH = "tool_search"
TOOL_SEARCH_DESCRIPTION = "Search the tools that are not loaded yet; the matching ones are available on the next turn."
TOOL_SEARCH_PARAMETERS = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
CUSTOM_DESCRIPTION = "Free-form input: pass the whole raw text as the string argument 'input'."


@dataclass(frozen=True, slots=True)
class Tools:
    tools: tuple[dict[str, Any], ...]
    config: dict[str, Any] | None
    notes: tuple[str, ...]
    custom_names: frozenset[str]
    """Names of custom tools, whose calls come back as ``custom_tool_call`` items."""
    namespaces: Mapping[str, str] = field(default_factory=dict)
    """Tool name → its namespace, for the tools declared from a ``namespace``."""


@dataclass(frozen=True, slots=True)
class _Declared:
    tool: Mapping[str, Any]
    path: str
    namespace: str | None = None


def declared_tools(requested: list[Mapping[str, Any]]) -> list[_Declared]:
    """The function and custom tools Gemini is given: namespaces opened, tool search as a function."""
    declared: list[_Declared] = []
    for i, tool in enumerate(requested):
        if tool["type"] in NAMED_CHOICES:
            declared.append(_Declared(tool, f"tools[{i}]"))
        elif tool["type"] == "namespace":
            declared.extend(_Declared(inner, f"tools[{i}].tools[{j}]", tool["name"]) for j, inner in enumerate(tool["tools"]))
        elif tool["type"] == "tool_search":
            declared.append(_Declared(_tool_search_function(tool), f"tools[{i}]"))
    return declared


def _tool_search_function(tool: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": "function",
        "name": TOOL_SEARCH,
        "description": tool.get("description") or TOOL_SEARCH_DESCRIPTION,
        "parameters": tool.get("parameters") or TOOL_SEARCH_PARAMETERS,
    }


def build_tools(req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities) -> Tools:
    """Raises InvalidRequest naming the parameter."""
    requested = req.get("tools") or []
    declared = declared_tools(requested)
    declarations = [_declaration(entry.tool, entry.path, caps) for entry in declared]
    search = route.search or any(tool["type"] in SEARCH_TOOLS for tool in requested)
    tools: list[dict[str, Any]] = [{"functionDeclarations": declarations}] if declarations else []
    if search:
        _check_search(route, caps, bool(declarations))
        tools.append({"googleSearch": {}})
    notes: list[str] = [PARALLEL_NOTE] if req.get("parallel_tool_calls") is False else []
    names = [declaration["name"] for declaration in declarations]
    config = tool_config(req.get("tool_choice"), names, notes)
    custom = frozenset(entry.tool["name"] for entry in declared if entry.tool["type"] == "custom")
    namespaces = {entry.tool["name"]: entry.namespace for entry in declared if entry.namespace is not None}
    return Tools(tools=tuple(tools), config=config, notes=tuple(notes), custom_names=custom, namespaces=namespaces)


def _check_search(route: ModelRoute, caps: ModelCapabilities, with_functions: bool) -> None:
    if not caps.search:
        raise InvalidRequest(
            f"model {caps.name} does not support Google Search grounding", param="model" if route.search else "tools"
        )
    if with_functions and not caps.search_with_functions:
        raise InvalidRequest(
            f"model {caps.name} cannot use Google Search and function tools in one request", param="tools"
        )


def _declaration(tool: Mapping[str, Any], path: str, caps: ModelCapabilities) -> dict[str, Any]:
    declaration: dict[str, Any] = {"name": tool["name"]}
    if tool["type"] == "custom":
        declaration["description"] = _custom_description(tool)
        parameters: Mapping[str, Any] | None = {
            "type": "object",
            "properties": {CUSTOM_INPUT: {"type": "string"}},
            "required": [CUSTOM_INPUT],
        }
    else:
        description = tool.get("description")
        if isinstance(description, str) and description.strip():
            declaration["description"] = description
        parameters = tool.get("parameters")
    if parameters:
        declaration.update(_parameters(parameters, caps, f"{path}.parameters"))
    return declaration


def _custom_description(tool: Mapping[str, Any]) -> str:
    lines = [tool.get("description") or "", CUSTOM_DESCRIPTION]
    grammar = tool.get("format") or {}
    if grammar.get("type") == "grammar":
        lines.append(f"The input must follow this {grammar.get('syntax')} grammar:\n{grammar.get('definition')}")
    return "\n\n".join(line for line in lines if line)


def _parameters(parameters: Mapping[str, Any], caps: ModelCapabilities, param: str) -> dict[str, Any]:
    if caps.parameters_json_schema:
        return {"parametersJsonSchema": parameters}
    schema = to_gemini_schema(parameters, param=param)
    return {"parameters": schema} if schema.get("properties") else {}


def tool_config(choice: Any, names: list[str], notes: list[str]) -> dict[str, Any] | None:
    """``toolConfig`` for ``tool_choice`` given the declared names (the schema checked the shape)."""
    if choice is None:
        return None
    if isinstance(choice, str):
        mode = SIMPLE_CHOICES[choice]
        if not names:
            if mode == "ANY":
                raise InvalidRequest("tool_choice 'required' needs function or custom tools", param="tool_choice")
            return None
        return _calling_config(mode, None)
    kind = choice["type"]
    if kind in NAMED_CHOICES:
        _check_declared([choice["name"]], names, "tool_choice.name")
        return _calling_config("ANY", [choice["name"]])
    if kind == "allowed_tools":
        wanted = [tool["name"] for tool in choice["tools"] if tool.get("type") in NAMED_CHOICES]
        _check_declared(wanted, names, "tool_choice.tools")
        return _calling_config(ALLOWED_TOOLS_MODES[choice["mode"]], wanted or None) if names else None
    notes.append(FORCED_SEARCH_NOTE.format(kind=kind))
    return None


def _check_declared(wanted: list[str], names: list[str], param: str) -> None:
    for name in wanted:
        if name not in names:
            raise InvalidRequest(f"tool_choice names tool {name!r}, which is not among the tools", param=param)


def _calling_config(mode: str, allowed: list[str] | None) -> dict[str, Any]:
    config: dict[str, Any] = {"mode": mode}
    if allowed:
        config["allowedFunctionNames"] = allowed
    return {"functionCallingConfig": config}
