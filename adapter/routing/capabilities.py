"""Per-model capabilities, read from one data file (``capabilities.json``).

Every translation decision that depends on the model asks :class:`CapabilityTable`; no other
module checks model names. A model's capabilities are ``defaults``, overridden by the first
``families`` pattern (``fnmatch``) that matches, overridden by the model's own ``models`` entry
(conservative defaults: an unknown model gets no thinking control, no penalties, one candidate,
and the cleaned-up ``parameters`` schema). An operator file (``MODEL_CAPABILITIES_FILE``) has the
same shape: its families are tried before ours, its model entries override ours field by field,
and its defaults override ours.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping

DATA_FILE = Path(__file__).with_name("capabilities.json")

ThinkingKind = Literal["budget", "level"]
THINKING_LEVELS: tuple[str, ...] = ("MINIMAL", "LOW", "MEDIUM", "HIGH")


class CapabilityFileError(ValueError):
    """The capability file (ours or the operator's) is malformed."""


@dataclass(frozen=True, slots=True)
class ThinkingControl:
    """How a model's thinking is controlled.

    ``kind == "budget"``: ``thinkingBudget`` between ``budget_min`` and ``budget_max``; 0 turns
    thinking off only when ``can_disable``. ``kind == "level"``: ``thinkingLevel``, one of
    ``levels`` (ordered from least to most thinking, a subset of :data:`THINKING_LEVELS`).
    """

    kind: ThinkingKind
    budget_min: int = 0
    budget_max: int = 0
    can_disable: bool = False
    levels: tuple[str, ...] = ()

    @property
    def can_turn_off(self) -> bool:
        return self.kind == "budget" and self.can_disable


@dataclass(frozen=True, slots=True)
class ModelCapabilities:
    """What one model accepts. See the README's capability table section for each field."""

    name: str
    thinking: ThinkingControl | None = None
    thought_summaries: bool = False
    thought_signatures_required: bool = False
    penalties: bool = False
    max_candidates: int = 1
    max_output_tokens: int | None = None
    trailing_model_turn: bool = False
    media_resolution: bool = False
    image_output: bool = False
    parameters_json_schema: bool = False
    response_json_schema: bool = False
    logprobs: bool = False
    search: bool = False
    search_with_functions: bool = False
    json_with_tools: bool = False
    express: bool = False
    direct: bool = False
    listed: bool = False


@dataclass(frozen=True, slots=True)
class EmbeddingModel:
    name: str
    max_batch: int
    max_dimensions: int
    express: bool


_CACHE_LIMIT = 1024


@dataclass(frozen=True, eq=False)
class CapabilityTable:
    defaults: Mapping[str, Any]
    families: tuple[tuple[str, Mapping[str, Any]], ...]
    models: Mapping[str, Mapping[str, Any]]
    embedding_models: Mapping[str, EmbeddingModel] = field(default_factory=dict)
    _cache: dict[str, ModelCapabilities] = field(default_factory=dict, repr=False)

    def lookup(self, model: str) -> ModelCapabilities:
        """Capabilities of ``model`` (a base name, without prefixes or variant suffixes)."""
        caps = self._cache.get(model)
        if caps is None:
            caps = _resolve(self, model)
            if len(self._cache) < _CACHE_LIMIT:
                self._cache[model] = caps
        return caps

    def listed_models(self) -> list[ModelCapabilities]:
        """Chat models the catalog shows, in file order."""
        return [caps for caps in (self.lookup(name) for name in self.models) if caps.listed]

    def embedding(self, model: str) -> EmbeddingModel | None:
        return self.embedding_models.get(model)


def _resolve(table: CapabilityTable, model: str) -> ModelCapabilities:
    merged: dict[str, Any] = dict(table.defaults)
    for pattern, entry in table.families:
        if fnmatch.fnmatchcase(model, pattern):
            merged.update(entry)
            break
    merged.update(table.models.get(model, {}))
    return _build(model, merged)


def _build(model: str, values: Mapping[str, Any]) -> ModelCapabilities:
    known = set(ModelCapabilities.__dataclass_fields__) - {"name", "thinking"}
    unknown = set(values) - known - {"thinking", "match"}
    if unknown:
        raise CapabilityFileError(f"unknown capability fields for {model}: {sorted(unknown)}")
    return ModelCapabilities(
        name=model,
        thinking=_thinking(model, values.get("thinking")),
        **{key: values[key] for key in known if key in values},
    )


def _thinking(model: str, raw: Mapping[str, Any] | None) -> ThinkingControl | None:
    if raw is None:
        return None
    kind = raw.get("kind")
    if kind == "budget":
        return ThinkingControl(
            kind="budget",
            budget_min=int(raw["min"]),
            budget_max=int(raw["max"]),
            can_disable=bool(raw.get("can_disable", False)),
        )
    if kind == "level":
        levels = tuple(raw["levels"])
        if not levels or any(level not in THINKING_LEVELS for level in levels):
            raise CapabilityFileError(f"bad thinking levels for {model}: {levels}")
        return ThinkingControl(kind="level", levels=tuple(lv for lv in THINKING_LEVELS if lv in levels))
    raise CapabilityFileError(f"bad thinking kind for {model}: {kind!r}")


def _parse(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]], dict[str, Any], dict[str, EmbeddingModel]]:
    families = [(entry["match"], {k: v for k, v in entry.items() if k != "match"}) for entry in raw.get("families", [])]
    embeddings = {
        name: EmbeddingModel(name=name, max_batch=int(e["max_batch"]), max_dimensions=int(e["max_dimensions"]), express=bool(e.get("express", False)))
        for name, e in raw.get("embedding_models", {}).items()
    }
    return dict(raw.get("defaults", {})), families, dict(raw.get("models", {})), embeddings


def load_capabilities(extra_file: Path | None = None) -> CapabilityTable:
    """Load the shipped table, extended by an operator file when given.

    Raises :class:`CapabilityFileError` when either file is malformed, naming the file.
    """
    defaults, families, models, embeddings = _parse(_read(DATA_FILE))
    if extra_file is not None:
        extra_defaults, extra_families, extra_models, extra_embeddings = _parse(_read(extra_file))
        defaults.update(extra_defaults)
        families = extra_families + families
        models = {**models, **{name: {**models.get(name, {}), **entry} for name, entry in extra_models.items()}}
        embeddings = {**embeddings, **extra_embeddings}
    table = CapabilityTable(defaults=defaults, families=tuple(families), models=models, embedding_models=embeddings)
    for name in models:
        table.lookup(name)
    return table


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CapabilityFileError(f"cannot read capability file {path.name}: {exc.__class__.__name__}") from None
    if not isinstance(data, dict):
        raise CapabilityFileError(f"capability file {path.name} must hold a JSON object")
    return data
