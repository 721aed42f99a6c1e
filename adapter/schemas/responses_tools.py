"""``tools`` and ``tool_choice`` of ``POST /v1/responses``.

Tools Gemini can serve: ``function`` (flat shape), ``custom`` (free-form input, such as Codex's
``apply_patch``; a ``text`` or ``grammar`` format), ``namespace`` (functions and custom tools
grouped under a name, as Codex sends its sub-agent tools), client-run ``tool_search`` (a function
the client answers) and web search (``web_search``, ``web_search_preview`` and their dated
names, served by Google Search grounding). Hosted tools Gemini cannot run are refused with a 400
naming ``tools[i].type``. Names follow Gemini's rule for function names and must be unique across
function and custom tools, a namespace's included. At most 128 tools (OpenAI's own limit),
refused before any is loaded.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

from adapter.schemas.base import PassThroughSchema, StrictSchema
from adapter.schemas.fields import Bool, Choice, Obj, Str, unsupported_value
from adapter.schemas.tools import MAX_TOOLS, TOOL_CHOICE_MODES, function_name
from adapter.schemas.unions import Alternatives, Array, Tagged

SEARCH_TYPES = ("web_search", "web_search_2025_08_26", "web_search_preview", "web_search_preview_2025_03_11")
HOSTED_TOOLS: dict[str, str] = {
    "file_search": "file search needs OpenAI vector stores",
    "computer_use_preview": "computer use is not available on Gemini through this gateway",
    "computer": "computer use is not available on Gemini through this gateway",
    "computer_use": "computer use is not available on Gemini through this gateway",
    "image_generation": "image generation is not available as a Responses tool",
    "mcp": "remote MCP servers are not called by this gateway; declare their tools as functions",
    "code_interpreter": "the code interpreter is not available through this gateway",
    "local_shell": "the local shell tool is not supported; declare a function tool instead",
    "shell": "the shell tool is not supported; declare a function tool instead",
    "apply_patch": "the hosted apply_patch tool is not supported; declare it as a custom tool",
    "programmatic_tool_calling": "programmatic tool calling is not supported",
}
SERVER_TOOL_SEARCH = "only execution 'client' is supported: the gateway cannot search tools for the model"
REFUSED_TOOLS = {kind: unsupported_value(f"{reason} (tool type '{kind}')") for kind, reason in HOSTED_TOOLS.items()}


class FunctionToolSchema(StrictSchema):
    type = Choice(("function",), required=True)
    name = function_name(required=True)
    description = Str(allow_none=True)
    parameters = Obj(allow_none=True, metadata={"description": "A JSON Schema object."})
    strict = Bool(allow_none=True)


class CustomFormatSchema(StrictSchema):
    type = Choice(("text", "grammar"), required=True)
    syntax = Choice(("lark", "regex"))
    definition = Str()


class CustomToolSchema(StrictSchema):
    type = Choice(("custom",), required=True)
    name = function_name(required=True)
    description = Str()
    format = fields.Nested(CustomFormatSchema())


def _client_execution(value: Any) -> None:
    if value != "client":
        raise ValidationError(SERVER_TOOL_SEARCH)


class NamespaceToolSchema(StrictSchema):
    """Functions and custom tools under one name; each is declared to Gemini by its own name."""

    type = Choice(("namespace",), required=True)
    name = Str(required=True, validate=validate.Length(min=1, error="must not be empty"))
    description = Str(allow_none=True)
    tools = Array(
        Tagged("type", {"function": FunctionToolSchema(), "custom": CustomToolSchema()}),
        required=True,
        validate=validate.Length(min=1, error="must hold at least one tool"),
    )


class ToolSearchToolSchema(StrictSchema):
    """Tool search run by the client (``execution: client``): a function the client answers."""

    type = Choice(("tool_search",), required=True)
    execution = Str(allow_none=True, validate=_client_execution)
    description = Str(allow_none=True)
    parameters = Obj(allow_none=True, metadata={"description": "A JSON Schema object."})


class SearchToolSchema(PassThroughSchema):
    """Web search; its options (location, context size, filters) are passed on and echoed."""

    type = Choice(SEARCH_TYPES, required=True)


def tools_field() -> Array:
    schemas: dict[str, Any] = {
        "function": FunctionToolSchema(),
        "custom": CustomToolSchema(),
        "namespace": NamespaceToolSchema(),
        "tool_search": ToolSearchToolSchema(),
    }
    schemas.update({kind: SearchToolSchema() for kind in SEARCH_TYPES})
    return Array(Tagged("type", schemas, refused=REFUSED_TOOLS), allow_none=True, max_items=MAX_TOOLS)


class NamedToolSchema(StrictSchema):
    type = Choice(("function", "custom"), required=True)
    name = Str(required=True)


class HostedToolChoiceSchema(StrictSchema):
    type = Choice(("web_search_preview", "web_search_preview_2025_03_11", "web_search"), required=True)


class AllowedToolsChoiceSchema(StrictSchema):
    type = Choice(("allowed_tools",), required=True)
    mode = Choice(("auto", "required"), required=True)
    tools = Array(Obj(), required=True, validate=validate.Length(min=1, error="must name at least one tool"))


def tool_choice_field() -> Alternatives:
    named = NamedToolSchema()
    hosted = HostedToolChoiceSchema()
    objects = Tagged(
        "type",
        {"function": named, "custom": named, "allowed_tools": AllowedToolsChoiceSchema(),
         **{kind: hosted for kind in ("web_search_preview", "web_search_preview_2025_03_11", "web_search")}},
        refused={kind: problem for kind, problem in REFUSED_TOOLS.items()},
    )
    return Alternatives(
        {str: Choice(TOOL_CHOICE_MODES), dict: objects},
        allow_none=True,
        invalid="must be 'none', 'auto', 'required' or a tool choice object",
    )


Location = tuple[int, ...]
"""``(i,)`` for ``tools[i]``, ``(i, j)`` for ``tools[i].tools[j]`` (a namespace's tool)."""


def named_tools(tools: list[dict[str, Any]]) -> list[tuple[Location, str]]:
    """(location, name) of every function and custom tool, those inside namespaces included."""
    named: list[tuple[Location, str]] = []
    for i, tool in enumerate(tools):
        if tool["type"] in ("function", "custom") and tool.get("name") is not None:
            named.append(((i,), tool["name"]))
        elif tool["type"] == "namespace":
            named.extend(((i, j), inner["name"]) for j, inner in enumerate(tool["tools"]))
        elif tool["type"] == "tool_search":
            named.append(((i,), "tool_search"))
    return named


def _path(location: Location) -> str:
    return "".join(f"{'.' if depth else ''}tools[{index}]" for depth, index in enumerate(location))


def _error_at(location: Location, message: str) -> dict[str, Any]:
    error: dict[str, Any] = {"name": [message]}
    for index in reversed(location):
        error = {"tools": {index: error}}
    return error


def duplicate_tool_name(tools: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The marshmallow error for the first function or custom tool whose name repeats one
    (Gemini declares the tools of a namespace by their own names, so they count too)."""
    seen: dict[str, Location] = {}
    for location, name in named_tools(tools):
        if name in seen:
            return _error_at(location, f"duplicates the name of {_path(seen[name])} (tool names must be unique)")
        seen[name] = location
    return None
