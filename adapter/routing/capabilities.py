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


_FIELDS = frozenset(ModelCapabilities.__dataclass_fields__) - {"name", "thinking"}
"""The fields a capability entry sets as they are (``thinking`` is parsed, ``name`` given)."""
_FLAGS = _FIELDS - {"max_candidates", "max_output_tokens"}


def _build(model: str, values: Mapping[str, Any]) -> ModelCapabilities:
    unknown = set(values) - _FIELDS - {"thinking", "match"}
    if unknown:
        raise CapabilityFileError(f"unknown capability fields for {model}: {sorted(unknown)}")
    for key in _FIELDS & set(values):
        _check_type(model, key, values[key])
    return ModelCapabilities(
        name=model,
        thinking=_thinking(model, values.get("thinking")),
        **{key: values[key] for key in _FIELDS if key in values},
    )


def _check_type(model: str, key: str, value: Any) -> None:
    """Flags are true or false, ``max_candidates`` a whole number >= 1, ``max_output_tokens``
    one or null: a wrong type would otherwise fail requests for the model later."""
    if key in _FLAGS:
        valid = isinstance(value, bool)
    else:
        valid = (value is None and key == "max_output_tokens") or (type(value) is int and value >= 1)
    if not valid:
        raise CapabilityFileError(f"bad value for {key} of {model}: {value!r}")


def _thinking(model: str, raw: Any) -> ThinkingControl | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise CapabilityFileError(f"thinking of {model} must be null or an object")
    kind = raw.get("kind")
    if kind == "budget":
        budget_min, budget_max = raw.get("min"), raw.get("max")
        if type(budget_min) is not int or type(budget_max) is not int or not 0 <= budget_min <= budget_max:
            raise CapabilityFileError(f"thinking budget of {model} needs whole numbers min <= max")
        return ThinkingControl(kind="budget", budget_min=budget_min, budget_max=budget_max, can_disable=bool(raw.get("can_disable", False)))
    if kind == "level":
        levels = tuple(raw.get("levels") or ())
        if not levels or any(level not in THINKING_LEVELS for level in levels):
            raise CapabilityFileError(f"bad thinking levels for {model}: {levels}")
        return ThinkingControl(kind="level", levels=tuple(lv for lv in THINKING_LEVELS if lv in levels))
    raise CapabilityFileError(f"bad thinking kind for {model}: {kind!r}")


_Parsed = tuple[dict[str, Any], list[tuple[str, dict[str, Any]]], dict[str, Any], dict[str, EmbeddingModel]]
"""A capability file's defaults, families, model entries and embedding models."""


def _parse(raw: Mapping[str, Any]) -> _Parsed:
    families = [(entry["match"], {k: v for k, v in entry.items() if k != "match"}) for entry in raw.get("families", [])]
    embeddings = {
        name: EmbeddingModel(name=name, max_batch=int(e["max_batch"]), max_dimensions=int(e["max_dimensions"]), express=bool(e.get("express", False)))
        for name, e in raw.get("embedding_models", {}).items()
    }
    return dict(raw.get("defaults", {})), families, dict(raw.get("models", {})), embeddings


_MALFORMED = (AttributeError, KeyError, TypeError, ValueError)


def load_capabilities(extra_file: Path | None = None) -> CapabilityTable:
    """Load the shipped table, extended by an operator file when given.

    Every model entry, family and the defaults are checked here, so that a malformed file stops
    start-up instead of failing requests. Raises :class:`CapabilityFileError` naming the file.
    """
    ours = _parsed(DATA_FILE)
    extra = _parsed(extra_file) if extra_file is not None else None
    try:
        table = _table(ours, extra)
        _check(table)
    except (CapabilityFileError, *_MALFORMED) as exc:
        raise CapabilityFileError(f"capability file {(extra_file or DATA_FILE).name}: {exc}") from None
    return table


def _table(ours: _Parsed, extra: _Parsed | None) -> CapabilityTable:
    """Our table with the operator's laid over it: families tried first, entries merged."""
    defaults, families, models, embeddings = ours
    if extra is not None:
        extra_defaults, extra_families, extra_models, extra_embeddings = extra
        defaults = {**defaults, **extra_defaults}
        families = extra_families + families
        models = {**models, **{name: {**models.get(name, {}), **entry} for name, entry in extra_models.items()}}
        embeddings = {**embeddings, **extra_embeddings}
    return CapabilityTable(defaults=defaults, families=tuple(families), models=models, embedding_models=embeddings)


def _check(table: CapabilityTable) -> None:
    """Build every model entry, and each family over the defaults (raises on the first error)."""
    for name in table.models:
        table.lookup(name)
    for pattern, entry in table.families:
        _build(f"family {pattern}", {**table.defaults, **entry})


def _parsed(path: Path) -> _Parsed:
    try:
        return _parse(_read(path))
    except _MALFORMED as exc:
        raise CapabilityFileError(f"capability file {path.name} is malformed ({exc.__class__.__name__}: {exc})") from None


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CapabilityFileError(f"cannot read capability file {path.name}: {exc.__class__.__name__}") from None
    if not isinstance(data, dict):
        raise CapabilityFileError(f"capability file {path.name} must hold a JSON object")
    return data
