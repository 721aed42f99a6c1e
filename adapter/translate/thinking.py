"""Reasoning controls → ``generationConfig.thinkingConfig`` (pure).

Sources, strongest first: the model-name variant (``-nothinking`` / ``-max``), an explicit
``thinking_config`` (under ``google``, ``extra_body.google``, ``extra_body`` or at the top level;
snake_case or camelCase keys), then ``reasoning_effort``. Budget models get ``thinkingBudget``
(Google's OpenAI-compatibility values: minimal and low 1024, medium 8192, high 24576, clamped to
the model's range; none 0 where thinking can be turned off, else the minimum); level models get
the nearest ``thinkingLevel`` they accept (ties go up; none is the lowest level). Budget and
level are never sent together. ``includeThoughts`` is on whenever the model returns thought
summaries and thinking is not off, unless the explicit config says otherwise.
"""

from __future__ import annotations

from typing import Any, Mapping

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import THINKING_LEVELS, ModelCapabilities, ThinkingControl
from adapter.routing.model_name import ModelRoute

ThinkingSetting = tuple[str, Any]  # ("thinkingBudget", int) or ("thinkingLevel", str)

EFFORT_BUDGETS: dict[str, int] = {"minimal": 1024, "low": 1024, "medium": 8192, "high": 24576, "xhigh": 32768}
EFFORT_LEVELS: dict[str, str] = {
    "minimal": "MINIMAL",
    "low": "LOW",
    "medium": "MEDIUM",
    "high": "HIGH",
    "xhigh": "HIGH",
}
# Efforts that mean "as much as the model allows" (no rewrite note when capped).
MAX_EFFORTS = frozenset({"max"})
CONFIG_SOURCES: tuple[tuple[str, ...], ...] = (
    ("google", "thinking_config"),
    ("extra_body", "google", "thinking_config"),
    ("extra_body", "thinking_config"),
    ("thinking_config",),
)
_CONFIG_KEYS: dict[str, str] = {
    "include_thoughts": "includeThoughts",
    "includeThoughts": "includeThoughts",
    "thinking_budget": "thinkingBudget",
    "thinkingBudget": "thinkingBudget",
    "thinking_level": "thinkingLevel",
    "thinkingLevel": "thinkingLevel",
}
_LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(THINKING_LEVELS)}
_CANNOT_TURN_OFF = "the model cannot turn thinking off"


def thinking_config(
    req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities
) -> tuple[dict[str, Any] | None, list[str]]:
    """(thinkingConfig or None, rewrite notes). Raises InvalidRequest for a bad explicit config."""
    notes: list[str] = []
    explicit, param = explicit_config(req)
    config = _validated(explicit, param, caps) if explicit is not None else {}
    effort = req.get("reasoning_effort")
    control = caps.thinking
    if control is None:
        dropped = [f"reasoning_effort={effort}"] if effort is not None else []
        dropped += [f"model variant {route.suffix}"] if route.thinking is not None else []
        notes.extend(f"{item} dropped: the model has no thinking control" for item in dropped)
        setting = None
    else:
        setting = _setting(route, config, effort, control, notes)
    include = config.get("includeThoughts")
    if include is None:
        include = caps.thought_summaries and setting != ("thinkingBudget", 0)
    elif include and not caps.thought_summaries:
        notes.append(f"{param}.include_thoughts dropped: the model returns no thought summaries")
        include = False
    out: dict[str, Any] = {"includeThoughts": True} if include else {}
    if setting is not None:
        out[setting[0]] = setting[1]
    return (out or None), notes


def explicit_config(req: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, str]:
    """The first explicit thinking config found, and its parameter path."""
    for path in CONFIG_SOURCES:
        node: Any = req
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if node is not None:
            param = ".".join(path)
            if not isinstance(node, Mapping):
                raise InvalidRequest("thinking_config must be an object", param=param)
            return node, param
    return None, ""


def _validated(raw: Mapping[str, Any], param: str, caps: ModelCapabilities) -> dict[str, Any]:
    """The config in Vertex's names. A model takes a budget or a level, so never both pass."""
    config: dict[str, Any] = {}
    for key, value in raw.items():
        name = _CONFIG_KEYS.get(key)
        if name is None:
            raise InvalidRequest(f"unknown thinking_config field {key!r}", param=f"{param}.{key}")
        if value is not None:
            config[name] = _checked(name, value, f"{param}.{key}", caps)
    return config


def _checked(name: str, value: Any, param: str, caps: ModelCapabilities) -> Any:
    if name == "includeThoughts":
        if not isinstance(value, bool):
            raise InvalidRequest("include_thoughts must be a boolean", param=param)
        return value
    control = caps.thinking
    if control is None:
        raise InvalidRequest(f"model {caps.name} has no thinking control", param=param)
    if name == "thinkingBudget":
        return _checked_budget(value, param, control)
    return _checked_level(value, param, control)


def _checked_budget(value: Any, param: str, control: ThinkingControl) -> int:
    if control.kind != "budget":
        levels = ", ".join(control.levels)
        raise InvalidRequest(f"this model takes thinking_level (one of {levels}), not a budget", param=param)
    valid = isinstance(value, int) and not isinstance(value, bool) and (
        value == -1 or (value == 0 and control.can_disable) or control.budget_min <= value <= control.budget_max
    )
    if not valid:
        zero = ", 0" if control.can_disable else ""
        raise InvalidRequest(
            f"thinking_budget must be -1{zero} or between {control.budget_min} and {control.budget_max}", param=param
        )
    return int(value)


def _checked_level(value: Any, param: str, control: ThinkingControl) -> str:
    if control.kind != "level":
        raise InvalidRequest("this model takes thinking_budget, not a level", param=param)
    level = value.upper() if isinstance(value, str) else None
    if level not in control.levels:
        raise InvalidRequest(f"thinking_level must be one of {', '.join(control.levels)}", param=param)
    return level


def _setting(
    route: ModelRoute, config: Mapping[str, Any], effort: Any, control: ThinkingControl, notes: list[str]
) -> ThinkingSetting | None:
    explicit = next(((k, config[k]) for k in ("thinkingBudget", "thinkingLevel") if k in config), None)
    if route.thinking is not None:
        if effort is not None or explicit is not None:
            notes.append(f"model variant {route.suffix} overrides the requested reasoning settings")
        return variant_setting(route.thinking, control, notes)
    if explicit is not None:
        if effort is not None:
            notes.append(f"reasoning_effort={effort} ignored: thinking_config is given")
        return explicit
    if effort is None:
        return None
    return effort_setting(str(effort), control, notes)


def variant_setting(variant: str, control: ThinkingControl, notes: list[str]) -> ThinkingSetting:
    """The setting of the ``-nothinking`` (``off``) or ``-max`` variant on a model with ``control``."""
    if control.kind == "level":
        level = control.levels[-1] if variant == "max" else control.levels[0]
        if variant == "off":
            notes.append(f"-nothinking -> thinkingLevel={level} ({_CANNOT_TURN_OFF})")
        return ("thinkingLevel", level)
    if variant == "max":
        return ("thinkingBudget", control.budget_max)
    if control.can_disable:
        return ("thinkingBudget", 0)
    notes.append(f"-nothinking -> thinkingBudget={control.budget_min} ({_CANNOT_TURN_OFF})")
    return ("thinkingBudget", control.budget_min)


def effort_setting(effort: str, control: ThinkingControl, notes: list[str]) -> ThinkingSetting:
    """The setting ``reasoning_effort`` stands for on a model with ``control``."""
    if control.kind == "level":
        return ("thinkingLevel", _effort_level(effort, control, notes))
    return ("thinkingBudget", _effort_budget(effort, control, notes))


def _effort_budget(effort: str, control: ThinkingControl, notes: list[str]) -> int:
    if effort == "none":
        if control.can_disable:
            return 0
        notes.append(f"reasoning_effort=none -> thinkingBudget={control.budget_min} ({_CANNOT_TURN_OFF})")
        return control.budget_min
    if effort in MAX_EFFORTS:
        return control.budget_max
    wanted = EFFORT_BUDGETS.get(effort, EFFORT_BUDGETS["medium"])
    budget = min(max(wanted, control.budget_min), control.budget_max)
    if budget != wanted:
        limits = f"{control.budget_min}-{control.budget_max}"
        notes.append(f"reasoning_effort={effort} -> thinkingBudget={budget} (the model's range is {limits})")
    return budget


def _effort_level(effort: str, control: ThinkingControl, notes: list[str]) -> str:
    if effort == "none":
        notes.append(f"reasoning_effort=none -> thinkingLevel={control.levels[0]} ({_CANNOT_TURN_OFF})")
        return control.levels[0]
    if effort in MAX_EFFORTS:
        return control.levels[-1]
    wanted = EFFORT_LEVELS.get(effort, "MEDIUM")
    level = nearest_level(wanted, control.levels)
    if level != wanted:
        accepted = ", ".join(control.levels)
        notes.append(f"reasoning_effort={effort} -> thinkingLevel={level} (the model accepts {accepted})")
    return level


def nearest_level(wanted: str, levels: tuple[str, ...]) -> str:
    """The level in ``levels`` closest to ``wanted``; on a tie the higher one."""
    target = _LEVEL_RANK[wanted]
    return min(levels, key=lambda level: (abs(_LEVEL_RANK[level] - target), -_LEVEL_RANK[level]))
