"""Anthropic generation fields → ``generationConfig`` (pure).

- ``max_tokens`` → ``maxOutputTokens`` (capped at the model's maximum, noted);
- ``temperature``, ``top_p``, ``top_k`` → ``temperature``, ``topP``, ``topK`` (``top_k: 0`` means
  "off" and is left out);
- ``output_config.format`` (a JSON schema) → JSON output with ``responseJsonSchema``, or the
  cleaned ``responseSchema`` on models without it;
- ``stop_sequences`` are not sent: the gateway applies them (see :mod:`.stops`);
- thinking → ``thinkingConfig``, strongest first: the model variant (``-nothinking``/``-max``),
  ``thinking.enabled.budget_tokens`` (a budget clamped to the model's range, or the nearest
  Gemini 3 level: up to 2,896 tokens LOW, up to 14,189 MEDIUM, more HIGH, the geometric middles
  of the chat front door's 1,024/8,192/24,576), ``thinking.disabled`` (off, or the least the
  model allows), ``output_config.effort`` (as chat's ``reasoning_effort``), ``adaptive``
  (dynamic: budget -1, or the model's default level). Thought summaries are asked for only when
  thinking is ``enabled`` or ``adaptive`` and ``display`` is not ``omitted``.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from adapter.routing.capabilities import ModelCapabilities, ThinkingControl
from adapter.routing.model_name import ModelRoute
from adapter.translate.generation import JSON_MIME
from adapter.translate.schema_cleanup import to_gemini_schema
from adapter.translate.thinking import (
    EFFORT_BUDGETS,
    EFFORT_LEVELS,
    ThinkingSetting,
    effort_setting,
    nearest_level,
    variant_setting,
)

SAMPLING_FIELDS: tuple[tuple[str, str], ...] = (("temperature", "temperature"), ("top_p", "topP"), ("top_k", "topK"))
STOP_NOTE = "stop_sequences applied by the gateway: Gemini does not report which sequence stopped it"
_LEVEL_EFFORTS = ("low", "medium", "high")


def generation_config(body: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities) -> tuple[dict[str, Any], list[str]]:
    """(generationConfig, rewrite notes). Raises InvalidRequest for a schema Vertex cannot take."""
    notes: list[str] = []
    config: dict[str, Any] = {target: body[source] for source, target in SAMPLING_FIELDS if body.get(source) is not None}
    if config.get("topK") == 0:
        del config["topK"]
    max_tokens = body.get("max_tokens")
    if max_tokens is not None:
        if caps.max_output_tokens and max_tokens > caps.max_output_tokens:
            notes.append(f"max_tokens={max_tokens} -> maxOutputTokens={caps.max_output_tokens} (the model's maximum)")
            max_tokens = caps.max_output_tokens
        config["maxOutputTokens"] = max_tokens
    if any(body.get("stop_sequences") or ()):
        notes.append(STOP_NOTE)
    config.update(_output_format(body.get("output_config"), caps))
    thinking, thinking_notes = thinking_config(body, route, caps)
    notes.extend(thinking_notes)
    if thinking:
        config["thinkingConfig"] = thinking
    return config, notes


def _output_format(output_config: Mapping[str, Any] | None, caps: ModelCapabilities) -> dict[str, Any]:
    output_format = (output_config or {}).get("format")
    if not output_format:
        return {}
    schema = output_format["schema"]
    if caps.response_json_schema:
        return {"responseMimeType": JSON_MIME, "responseJsonSchema": schema}
    return {"responseMimeType": JSON_MIME, "responseSchema": to_gemini_schema(schema, param="output_config.format.schema")}


def thinking_config(body: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities) -> tuple[dict[str, Any] | None, list[str]]:
    """(thinkingConfig or None, rewrite notes)."""
    thinking = body.get("thinking") or {}
    kind, effort = thinking.get("type"), (body.get("output_config") or {}).get("effort")
    notes: list[str] = []
    control = caps.thinking
    if control is None:
        asked = [f"thinking {kind}"] if kind in ("enabled", "adaptive") else []
        asked += [f"output_config.effort={effort}"] if effort else []
        notes.extend(f"{item} dropped: the model has no thinking control" for item in asked)
        setting = None
    else:
        setting = _setting(route, thinking, effort, control, notes)
    shows = kind in ("enabled", "adaptive") and thinking.get("display") != "omitted"
    include = shows and caps.thought_summaries and setting != ("thinkingBudget", 0)
    config: dict[str, Any] = {"includeThoughts": True} if include else {}
    if setting is not None:
        config[setting[0]] = setting[1]
    return (config or None), notes


def _setting(
    route: ModelRoute, thinking: Mapping[str, Any], effort: str | None, control: ThinkingControl, notes: list[str]
) -> ThinkingSetting | None:
    kind = thinking.get("type")
    if route.thinking is not None:
        if kind is not None or effort is not None:
            notes.append(f"model variant {route.suffix} overrides the requested thinking settings")
        return variant_setting(route.thinking, control, notes)
    if kind == "enabled":
        return _budget_setting(thinking["budget_tokens"], control, notes)
    if kind == "disabled":
        return _named_effort_setting("none", "thinking.type=disabled", control, notes)
    if effort is not None:
        return _named_effort_setting(effort, f"output_config.effort={effort}", control, notes)
    if kind == "adaptive" and control.kind == "budget":
        return ("thinkingBudget", -1)
    return None


def _named_effort_setting(effort: str, name: str, control: ThinkingControl, notes: list[str]) -> ThinkingSetting:
    """Chat's effort mapping, its notes naming the Anthropic field that asked for it."""
    effort_notes: list[str] = []
    setting = effort_setting(effort, control, effort_notes)
    notes.extend(note.replace(f"reasoning_effort={effort}", name, 1) for note in effort_notes)
    return setting


def _budget_setting(budget: int, control: ThinkingControl, notes: list[str]) -> ThinkingSetting:
    if control.kind == "budget":
        clamped = min(max(budget, control.budget_min), control.budget_max)
        if clamped != budget:
            limits = f"{control.budget_min}-{control.budget_max}"
            notes.append(f"thinking.budget_tokens={budget} -> thinkingBudget={clamped} (the model's range is {limits})")
        return ("thinkingBudget", clamped)
    level = nearest_level(EFFORT_LEVELS[budget_effort(budget)], control.levels)
    notes.append(f"thinking.budget_tokens={budget} -> thinkingLevel={level} (the model takes levels)")
    return ("thinkingLevel", level)


def budget_effort(budget: int) -> str:
    """The effort whose chat budget is nearest to ``budget`` on a log scale."""
    return min(_LEVEL_EFFORTS, key=lambda effort: abs(math.log(budget / EFFORT_BUDGETS[effort])))
