"""Vertex's rules on tools, toolConfig, safetySettings and generationConfig, per model."""

from __future__ import annotations

import re
from typing import Any, Mapping

from . import access as a
from .errors import DOCS, FUNCTION_DOCS, invalid_argument
from .fixtures import error_body
from .models import ModelFacts

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:\-]{0,127}$")
TOOL_KINDS = (
    "functionDeclarations", "googleSearch", "googleSearchRetrieval", "retrieval", "codeExecution", "urlContext",
    "googleMaps", "enterpriseWebSearch", "computerUse", "exaAiSearch", "parallelAiSearch",
)
GOOGLE_SEARCH_KINDS = frozenset({"googleSearch", "googleSearchRetrieval"})
SEARCH_UNSUPPORTED = "Search Grounding is not supported."
SEARCH_KINDS = frozenset({"googleSearch", "googleSearchRetrieval", "enterpriseWebSearch", "retrieval", "urlContext"})
THINKING_LEVELS = ("THINKING_LEVEL_UNSPECIFIED", "LOW", "MEDIUM", "HIGH", "MINIMAL")
CALLING_MODES = ("MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED")
MIME_TYPES = frozenset({"text/plain", "application/json", "application/xml", "application/yaml", "text/x.enum"})
LEVEL_FLASH = error_body("400.thinking-level-unsupported.flash")["error"]["message"]
LEVEL_PRO = error_body("400.thinking-level-unsupported.pro")["error"]["message"]


def _enum(value: Any, names: tuple[str, ...]) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    return str(value) if value is not None else names[0]


# -- tools ------------------------------------------------------------------------------------------

def check_tools(tools: list[Any], tool_config: Any, facts: ModelFacts) -> None:
    kinds_used: set[str] = set()
    declared: list[str] = []
    for position, tool in enumerate(tools):
        kinds = [kind for kind in TOOL_KINDS if a.has(tool, kind)]
        if len(kinds) > 1:
            names = ", ".join(a.snake(kind) for kind in kinds)
            raise invalid_argument(
                f"Unable to submit request because tools[{position}] sets more than one kind of tool ({names}). "
                f"Each Tool must set exactly one of them; put each kind in its own Tool. Learn more: {FUNCTION_DOCS}"
            )
        kinds_used.update(kinds)
        for index, declaration in enumerate(a.as_list(a.get(tool, "functionDeclarations"))):
            declared.append(check_declaration(declaration, position, index, declared))
    if kinds_used & GOOGLE_SEARCH_KINDS and not facts.search:
        raise invalid_argument(SEARCH_UNSUPPORTED)
    if "functionDeclarations" in kinds_used and kinds_used & SEARCH_KINDS and not facts.search_with_functions:
        raise invalid_argument("Multiple tools are supported only when they are all search tools.")
    check_tool_config(tool_config, declared)


def check_declaration(declaration: Any, tool: int, index: int, declared: list[str]) -> str:
    name = a.get(declaration, "name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise invalid_argument(
            "The GenerateContentRequest proto is invalid:\n"
            f"  * tools[{tool}].function_declarations[{index}].name: [FIELD_INVALID] Invalid function name. Must start "
            "with a letter or an underscore. Must be a-z, A-Z, 0-9, or contain underscores (_), dots (.), colons (:), "
            "or dashes (-), with a maximum length of 128."
        )
    if name in declared:
        raise invalid_argument(f"Unable to submit request because of duplicate function declaration name `{name}`. "
                               f"Function names must be unique. Learn more: {FUNCTION_DOCS}")
    parameters = a.get(declaration, "parameters")
    if parameters is not None and a.get(declaration, "parametersJsonSchema") is not None:
        raise invalid_argument(f"Unable to submit request because `{name}` functionDeclaration sets both parameters and "
                               f"parameters_json_schema; set only one of them. Learn more: {FUNCTION_DOCS}")
    if parameters is not None:
        if a.get(parameters, "type") != "OBJECT":
            raise invalid_argument(f"Unable to submit request because `{name}` functionDeclaration parameters schema "
                                   f"should be of type OBJECT. Learn more: {FUNCTION_DOCS}")
        _check_schema(parameters, name, "parameters")
    return name


def _check_schema(schema: Any, name: str, path: str) -> None:
    """Arrays need ``items`` (walks properties, items, anyOf)."""
    if not isinstance(schema, Mapping):
        return
    if a.get(schema, "type") == "ARRAY" and a.get(schema, "items") is None:
        raise invalid_argument(f"Unable to submit request because `{name}` functionDeclaration `{path}` schema of type "
                               f"ARRAY must specify items. Learn more: {FUNCTION_DOCS}")
    properties = a.get(schema, "properties")
    for key, value in (properties.items() if isinstance(properties, Mapping) else ()):
        _check_schema(value, name, f"{path}.{key}")
    _check_schema(a.get(schema, "items"), name, f"{path}.items")
    for position, option in enumerate(a.as_list(a.get(schema, "anyOf"))):
        _check_schema(option, name, f"{path}.anyOf[{position}]")


def check_tool_config(tool_config: Any, declared: list[str]) -> None:
    calling = a.get(tool_config, "functionCallingConfig")
    allowed = a.as_list(a.get(calling, "allowedFunctionNames"))
    if not allowed:
        return
    if _enum(a.get(calling, "mode"), CALLING_MODES) not in ("ANY", "VALIDATED"):
        raise invalid_argument("Unable to submit request because allowed_function_names can only be set when the function "
                               f"calling mode is ANY or VALIDATED. Learn more: {FUNCTION_DOCS}")
    for name in allowed:
        if name not in declared:
            raise invalid_argument(f"Unable to submit request because allowed_function_names contains `{name}`, which is "
                                   f"not declared in function_declarations. Learn more: {FUNCTION_DOCS}")


def check_json_with_tools(tools: list[Any], tool_config: Any, config: Mapping[str, Any], facts: ModelFacts) -> None:
    """Before Gemini 3, JSON output cannot be combined with tools (function calling mode NONE aside)."""
    if facts.json_with_tools or not tools or a.get(config, "responseMimeType") != "application/json":
        return
    functions_only = all(a.has(tool, "functionDeclarations") for tool in tools)
    mode = _enum(a.get(a.get(tool_config, "functionCallingConfig"), "mode"), CALLING_MODES)
    if functions_only and mode == "NONE":
        return
    kind = "Function calling" if functions_only else "Tool use"
    raise invalid_argument(f"{kind} with a response mime type: 'application/json' is unsupported")


def check_safety_settings(settings: list[Any]) -> None:
    for position, setting in enumerate(settings):
        for field in ("category", "threshold"):
            if not a.has(setting, field):
                raise invalid_argument(f"Unable to submit request because safety_settings[{position}] has no {field}. "
                                       f"Each safety setting must set both category and threshold. Learn more: {DOCS}")


# -- generation config --------------------------------------------------------------------------------

def check_generation_config(config: Mapping[str, Any], facts: ModelFacts) -> None:
    for check in (_check_thinking, _check_candidates, _check_max_tokens, _check_sampling, _check_logprobs, _check_output):
        check(config, facts)


def _check_max_tokens(config: Mapping[str, Any], facts: ModelFacts) -> None:
    value = a.get(config, "maxOutputTokens")
    if value is not None and not 1 <= a.as_int(value) < facts.max_output_tokens:
        raise invalid_argument(f"Unable to submit request because it has a maxOutputTokens value of {a.as_int(value)} but "
                               f"the supported range is from 1 (inclusive) to {facts.max_output_tokens} (exclusive). "
                               f"Update the value and try again.")


def _check_thinking(config: Mapping[str, Any], facts: ModelFacts) -> None:
    thinking = a.get(config, "thinkingConfig")
    if thinking is None:
        return
    if not facts.thinks:
        raise invalid_argument(f"Unable to submit request because thinking is not supported by this model. Remove "
                               f"thinking_config and try again. Learn more: {DOCS}")
    level = _enum(a.get(thinking, "thinkingLevel"), THINKING_LEVELS)
    budget = a.get(thinking, "thinkingBudget")
    if budget is not None and level != THINKING_LEVELS[0]:
        raise invalid_argument(f"Unable to submit request because thinking_budget and thinking_level are both set. "
                               f"Set only one of them. Learn more: {DOCS}")
    if level != THINKING_LEVELS[0]:
        _check_level(level, facts)
    if budget is not None and facts.thinking == "budget":
        _check_budget(a.as_int(budget), facts)


def _check_level(level: str, facts: ModelFacts) -> None:
    if facts.thinking != "level":
        raise invalid_argument(f"Unable to submit request because thinking_level is not supported by this model. "
                               f"Learn more: {DOCS}")
    if level not in facts.levels:
        template = LEVEL_FLASH if facts.level_message == "flash" else LEVEL_PRO
        raise invalid_argument(template.replace("MINIMAL", level))


def _check_budget(budget: int, facts: ModelFacts) -> None:
    if budget == -1 or (budget == 0 and facts.budget_can_disable):
        return
    if budget == 0:
        raise invalid_argument("Budget 0 is invalid. This model only works in thinking mode.")
    if not facts.budget_min <= budget <= facts.budget_max:
        raise invalid_argument(f"thinking_budget is out of range; supported values are integers from {facts.budget_min} "
                               f"to {facts.budget_max}. Learn more: {DOCS}")


def _check_candidates(config: Mapping[str, Any], facts: ModelFacts) -> None:
    count = a.as_int(a.get(config, "candidateCount"), 1)
    if count > facts.max_candidates and facts.max_candidates == 1:
        raise invalid_argument(f"Unable to submit request because candidate_count {count} is not supported by this "
                               f"model; it only returns one candidate. Learn more: {DOCS}")
    if not 1 <= count <= facts.max_candidates:
        raise invalid_argument(f"Unable to submit request because candidate_count must be in the range "
                               f"[1, {facts.max_candidates}]. Learn more: {DOCS}")


def _check_sampling(config: Mapping[str, Any], facts: ModelFacts) -> None:
    temperature = a.as_float(a.get(config, "temperature"), 1.0)
    if not 0.0 <= temperature <= 2.0:
        raise invalid_argument(f"Unable to submit request because temperature must be in the range [0.0, 2.0]. Learn more: {DOCS}")
    top_p = a.as_float(a.get(config, "topP"), 1.0)
    if not 0.0 <= top_p <= 1.0:
        raise invalid_argument(f"Unable to submit request because top_p must be in the range [0.0, 1.0]. Learn more: {DOCS}")
    for field in ("presencePenalty", "frequencyPenalty"):
        penalty = a.as_float(a.get(config, field))
        if penalty and not facts.penalties:
            raise invalid_argument("Penalty is not enabled for this model")
        if not -2.0 <= penalty < 2.0:
            raise invalid_argument(f"Unable to submit request because {a.snake(field)} must be in the range [-2.0, 2.0). "
                                   f"Learn more: {DOCS}")


def _check_logprobs(config: Mapping[str, Any], facts: ModelFacts) -> None:
    wanted = a.get(config, "responseLogprobs") is True
    logprobs = a.get(config, "logprobs")
    if (wanted or logprobs is not None) and not facts.logprobs:
        raise invalid_argument(f"Unable to submit request because logprobs is not supported by this model. Learn more: {DOCS}")
    if logprobs is None:
        return
    if not wanted:
        raise invalid_argument(f"Unable to submit request because logprobs can only be set when response_logprobs is "
                               f"true. Learn more: {DOCS}")
    if not 0 <= a.as_int(logprobs) <= 20:
        raise invalid_argument(f"Unable to submit request because logprobs must be in the range [0, 20]. Learn more: {DOCS}")


def _check_output(config: Mapping[str, Any], facts: ModelFacts) -> None:
    resolution = a.get(config, "mediaResolution")
    if resolution not in (None, "MEDIA_RESOLUTION_UNSPECIFIED", 0) and not facts.media_resolution:
        raise invalid_argument(f"Unable to submit request because media_resolution is not supported by this model. Learn more: {DOCS}")
    modalities = [str(m).upper() for m in a.as_list(a.get(config, "responseModalities"))]
    if "IMAGE" in modalities and not facts.image_output:
        raise invalid_argument("Multi-modal output is not supported.")
    _check_response_schema(config)


def _check_response_schema(config: Mapping[str, Any]) -> None:
    mime = a.get(config, "responseMimeType")
    if mime is not None and mime not in MIME_TYPES:
        raise invalid_argument("response_mime_type: allowed mimetypes are `text/plain`, `application/json`, "
                               "`application/xml`, `application/yaml` and `text/x.enum`.")
    schema, json_schema = a.get(config, "responseSchema"), a.get(config, "responseJsonSchema")
    if schema is not None and json_schema is not None:
        raise invalid_argument(f"Unable to submit request because response_schema and response_json_schema cannot both "
                               f"be set. Learn more: {DOCS}")
    allowed = ("application/json", "text/x.enum") if schema is not None else ("application/json",)
    if (schema is not None or json_schema is not None) and mime not in allowed:
        field = "response_schema" if schema is not None else "response_json_schema"
        raise invalid_argument(f"Unable to submit request because {field} is only supported when response_mime_type is "
                               f"{' or '.join(allowed)}. Learn more: {DOCS}")
