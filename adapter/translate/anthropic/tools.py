"""Anthropic ``tools`` / ``tool_choice`` → Gemini ``tools`` and ``toolConfig`` (pure).

Every client tool becomes a ``functionDeclaration``; its ``input_schema`` goes untouched as
``parametersJsonSchema`` where the model takes it, else cleaned into Vertex's ``Schema`` as for
chat (:func:`~adapter.translate.schema_cleanup.to_gemini_schema`). ``tool_choice``: ``auto`` →
``AUTO``, ``any`` → ``ANY``, ``tool`` → ``ANY`` limited to that function, ``none`` → ``NONE``.
Gemini has no switch for ``disable_parallel_tool_use``; the answer keeps only its first call
instead (:class:`~.assembly.AnswerOptions`), which is noted in the rewrites.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import ModelCapabilities
from adapter.translate.schema_cleanup import to_gemini_schema

CALLING_MODES: dict[str, str] = {"auto": "AUTO", "any": "ANY", "tool": "ANY", "none": "NONE"}
SINGLE_CALL_NOTE = "disable_parallel_tool_use: calls after the first are left out of the answer (Gemini has no such switch)"


@dataclass(frozen=True, slots=True)
class ToolsTranslation:
    tools: list[dict[str, Any]]
    config: dict[str, Any] | None
    notes: tuple[str, ...]
    single_tool_use: bool


def build_tools(body: Mapping[str, Any], caps: ModelCapabilities) -> ToolsTranslation:
    """Raises InvalidRequest naming the field (``tools.1.name``, ``tool_choice.name``)."""
    declarations = [_declaration(tool, i, caps) for i, tool in enumerate(body.get("tools") or ())]
    names = [declaration["name"] for declaration in declarations]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise InvalidRequest(f"tool {name!r} is declared twice", param=f"tools.{i}.name")
    choice = body.get("tool_choice")
    single = bool(choice and choice.get("disable_parallel_tool_use")) and bool(names)
    return ToolsTranslation(
        tools=[{"functionDeclarations": declarations}] if declarations else [],
        config=_tool_config(choice, names),
        notes=(SINGLE_CALL_NOTE,) if single else (),
        single_tool_use=single,
    )


def _declaration(tool: Mapping[str, Any], i: int, caps: ModelCapabilities) -> dict[str, Any]:
    declaration: dict[str, Any] = {"name": tool["name"]}
    description = tool.get("description")
    if description and description.strip():
        declaration["description"] = description
    schema = tool["input_schema"]
    if caps.parameters_json_schema:
        declaration["parametersJsonSchema"] = schema
        return declaration
    parameters = to_gemini_schema(schema, param=f"tools.{i}.input_schema")
    if parameters.get("properties"):
        declaration["parameters"] = parameters
    return declaration


def _tool_config(choice: Mapping[str, Any] | None, names: list[str]) -> dict[str, Any] | None:
    if choice is None:
        return None
    kind = choice["type"]
    if not names:
        if kind in ("any", "tool"):
            raise InvalidRequest(f"tool_choice {kind!r} needs tools", param="tool_choice.type")
        return None
    config: dict[str, Any] = {"mode": CALLING_MODES[kind]}
    if kind == "tool":
        if choice["name"] not in names:
            raise InvalidRequest(f"tool_choice names {choice['name']!r}, which is not among the tools", param="tool_choice.name")
        config["allowedFunctionNames"] = [choice["name"]]
    return {"functionCallingConfig": config}
