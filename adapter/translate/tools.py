"""OpenAI ``tools`` / ``tool_choice`` / search → Gemini ``tools`` and ``toolConfig`` (pure).

All function tools become one Tool with ``functionDeclarations``; their JSON Schema goes as
``parametersJsonSchema`` (untouched) when the model accepts it, else as a cleaned-up
``parameters`` Schema. Google Search (the ``-search`` variant or ``web_search_options``) is a
Tool of its own. (The legacy ``functions`` / ``function_call`` fields were turned into tools by
the request schema.)
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import ModelCapabilities
from adapter.routing.model_name import ModelRoute
from adapter.translate.generation import JSON_MIME
from adapter.translate.schema_cleanup import to_gemini_schema

# Vertex: starts with a letter or underscore; letters, digits, _ . : - ; at most 128 characters.
_FUNCTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,127}")
_SIMPLE_CHOICES: dict[str, str] = {"none": "NONE", "auto": "AUTO", "required": "ANY"}
_ALLOWED_TOOLS_MODES: dict[str, str] = {"auto": "VALIDATED", "required": "ANY"}
PARALLEL_NOTE = "parallel_tool_calls=false not enforced: Gemini has no such switch"
JSON_WITH_TOOLS = (
    "model {model} cannot answer in JSON (response_format) in a request with tools that it may use; "
    "use a Gemini 3 model, set tool_choice to 'none', or leave out response_format"
)


def build_tools(
    req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities
) -> tuple[list[dict[str, Any]], dict[str, Any] | None, list[str]]:
    """(tools, toolConfig or None, rewrite notes). Raises InvalidRequest naming the parameter."""
    declarations = function_declarations(_function_tools(req), caps)
    search = route.search or req.get("web_search_options") is not None
    tools: list[dict[str, Any]] = [{"functionDeclarations": declarations}] if declarations else []
    if search:
        _check_search(route, caps, bool(declarations))
        tools.append({"googleSearch": {}})
    names = [declaration["name"] for declaration in declarations]
    config = tool_config(req.get("tool_choice"), names)
    notes = [PARALLEL_NOTE] if req.get("parallel_tool_calls") is False else []
    return tools, config, notes


def _function_tools(req: Mapping[str, Any]) -> list[Any]:
    tools = req.get("tools")
    return tools if isinstance(tools, list) else []


def _check_search(route: ModelRoute, caps: ModelCapabilities, with_functions: bool) -> None:
    param = "model" if route.search else "web_search_options"
    if not caps.search:
        raise InvalidRequest(f"model {caps.name} does not support Google Search grounding", param=param)
    if with_functions and not caps.search_with_functions:
        raise InvalidRequest(
            f"model {caps.name} cannot use Google Search and function tools in one request", param="tools"
        )


def function_declarations(tools: list[Any], caps: ModelCapabilities) -> list[dict[str, Any]]:
    """One ``FunctionDeclaration`` per function tool; names must be valid for Vertex and unique."""
    declarations: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, tool in enumerate(tools):
        declaration = function_declaration(tool, i, caps)
        if declaration["name"] in seen:
            name = declaration["name"]
            raise InvalidRequest(f"function {name!r} is declared twice", param=f"tools[{i}].function.name")
        seen.add(declaration["name"])
        declarations.append(declaration)
    return declarations


def function_declaration(tool: Any, i: int, caps: ModelCapabilities) -> dict[str, Any]:
    if not isinstance(tool, Mapping) or tool.get("type", "function") != "function":
        raise InvalidRequest("only tools of type 'function' are supported", param=f"tools[{i}].type")
    function = tool.get("function")
    function = function if isinstance(function, Mapping) else {}
    name = function.get("name")
    if not isinstance(name, str) or not _FUNCTION_NAME.fullmatch(name):
        raise InvalidRequest(
            "function names must start with a letter or underscore and use only letters, digits, "
            "'_', '.', ':' and '-' (at most 128 characters)",
            param=f"tools[{i}].function.name",
        )
    declaration: dict[str, Any] = {"name": name}
    description = function.get("description")
    if isinstance(description, str) and description.strip():
        declaration["description"] = description
    parameters = function.get("parameters")
    if isinstance(parameters, Mapping) and parameters:
        declaration.update(_parameters(parameters, caps, f"tools[{i}].function.parameters"))
    return declaration


def _parameters(parameters: Mapping[str, Any], caps: ModelCapabilities, param: str) -> dict[str, Any]:
    if caps.parameters_json_schema:
        return {"parametersJsonSchema": parameters}
    schema = to_gemini_schema(parameters, param=param)
    return {"parameters": schema} if schema.get("properties") else {}


def tool_config(choice: Any, names: list[str]) -> dict[str, Any] | None:
    """``toolConfig`` for ``tool_choice`` given the declared function names."""
    if choice is None:
        return None
    if isinstance(choice, str):
        mode = _SIMPLE_CHOICES.get(choice)
        if mode is None:
            raise InvalidRequest(f"unknown tool_choice {choice!r}", param="tool_choice")
        if not names:
            if mode == "ANY":
                raise InvalidRequest("tool_choice 'required' needs function tools", param="tool_choice")
            return None
        return _calling_config(mode, None)
    if isinstance(choice, Mapping) and choice.get("type") == "allowed_tools":
        return _allowed_tools_config(choice, names)
    if isinstance(choice, Mapping) and isinstance(choice.get("function"), Mapping):
        name = choice["function"].get("name")
        _check_declared([name], names)
        return _calling_config("ANY", [name])
    raise InvalidRequest("tool_choice must be none, auto, required or a function", param="tool_choice")


def _allowed_tools_config(choice: Mapping[str, Any], names: list[str]) -> dict[str, Any]:
    allowed = choice.get("allowed_tools")
    allowed = allowed if isinstance(allowed, Mapping) else {}
    mode = _ALLOWED_TOOLS_MODES.get(allowed.get("mode", "auto"))
    if mode is None:
        raise InvalidRequest("allowed_tools.mode must be auto or required", param="tool_choice.allowed_tools.mode")
    if not names:
        raise InvalidRequest("tool_choice allowed_tools needs function tools", param="tool_choice")
    tools = allowed.get("tools")
    wanted = [
        t["function"].get("name")
        for t in (tools if isinstance(tools, list) else [])
        if isinstance(t, Mapping) and isinstance(t.get("function"), Mapping)
    ]
    _check_declared(wanted, names)
    return _calling_config(mode, wanted or None)


def _check_declared(wanted: list[Any], names: list[str]) -> None:
    for name in wanted:
        if name not in names:
            message = f"tool_choice names function {name!r}, which is not among the tools"
            raise InvalidRequest(message, param="tool_choice")


def _calling_config(mode: str, allowed: list[str] | None) -> dict[str, Any]:
    config: dict[str, Any] = {"mode": mode}
    if allowed:
        config["allowedFunctionNames"] = allowed
    return {"functionCallingConfig": config}


def refuse_json_with_tools(
    tools: list[dict[str, Any]], config: Mapping[str, Any] | None, generation: Mapping[str, Any], caps: ModelCapabilities
) -> None:
    """400 naming ``response_format`` where Vertex would refuse JSON output next to tools.

    Before Gemini 3, Vertex answers "Function calling with a response mime type:
    'application/json' is unsupported" (and "Tool use ..." for search), except for function
    tools with calling mode ``NONE``.
    """
    if caps.json_with_tools or not tools or generation.get("responseMimeType") != JSON_MIME:
        return
    calling = config.get("functionCallingConfig", {}) if config else {}
    only_functions = all("functionDeclarations" in tool for tool in tools)
    if only_functions and calling.get("mode") == "NONE":
        return
    raise InvalidRequest(JSON_WITH_TOOLS.format(model=caps.name), param="response_format")
