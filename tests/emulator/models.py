"""What each emulated model accepts: the one table of model facts the emulator enforces.

The emulator plays Google, so it keeps its own facts (it does not read the gateway's capability
table); a disagreement between the two shows up as an upstream 400 in the end-to-end tests.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal, Mapping

ThinkingKind = Literal["none", "budget", "level"]
LevelMessage = Literal["pro", "flash"]


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """One model. Budgets: ``budget_min..budget_max``, plus 0 when ``budget_can_disable``, plus -1.
    ``maxOutputTokens`` must be below ``max_output_tokens`` (Google states the range as exclusive)."""

    name: str
    kind: Literal["chat", "embedding"] = "chat"
    thinking: ThinkingKind = "none"
    budget_min: int = 0
    budget_max: int = 0
    budget_can_disable: bool = False
    levels: tuple[str, ...] = ()
    level_message: LevelMessage = "pro"
    thinks_by_default: bool = False
    gemini3: bool = False
    max_candidates: int = 8
    max_output_tokens: int = 65536
    penalties: bool = True
    logprobs: bool = True
    media_resolution: bool = True
    trailing_model_turn: bool = False
    image_output: bool = False
    search: bool = True
    search_with_functions: bool = False
    json_with_tools: bool = False
    max_instances: int = 0
    dimensions: int = 0

    @property
    def thinks(self) -> bool:
        return self.thinking != "none" or self.gemini3


_GEMINI_20 = ModelFacts(name="", trailing_model_turn=True, max_output_tokens=8193)
_GEMINI_25 = ModelFacts(name="", thinking="budget", thinks_by_default=True)
_GEMINI_3 = ModelFacts(
    name="", thinking="level", thinks_by_default=True, gemini3=True, penalties=False, logprobs=False,
    search_with_functions=True, json_with_tools=True,
)
_PRO_LEVELS = ("LOW", "HIGH")
_FLASH_LEVELS = ("MINIMAL", "LOW", "MEDIUM", "HIGH")


def _model(base: ModelFacts, name: str, **changes: Any) -> ModelFacts:
    return dataclasses.replace(base, name=name, **changes)


def _embedding(name: str, max_instances: int, dimensions: int) -> ModelFacts:
    return ModelFacts(name=name, kind="embedding", max_instances=max_instances, dimensions=dimensions)


DEFAULT_MODELS: Mapping[str, ModelFacts] = {
    facts.name: facts
    for facts in (
        _model(_GEMINI_20, "gemini-2.0-flash-001"),
        _model(_GEMINI_20, "gemini-2.0-flash-lite-001", search=False),
        _model(_GEMINI_25, "gemini-2.5-pro", budget_min=128, budget_max=32768),
        _model(_GEMINI_25, "gemini-2.5-flash", budget_min=1, budget_max=24576, budget_can_disable=True),
        _model(_GEMINI_25, "gemini-2.5-flash-lite", budget_min=512, budget_max=24576, budget_can_disable=True,
               thinks_by_default=False),
        _model(ModelFacts(name=""), "gemini-2.5-flash-image", max_candidates=1, max_output_tokens=32769, penalties=False, logprobs=False,
               media_resolution=False, image_output=True, search=False),
        _model(_GEMINI_3, "gemini-3-pro-preview", levels=_PRO_LEVELS, max_candidates=1, max_output_tokens=65537),
        _model(_GEMINI_3, "gemini-3.1-pro-preview", levels=("LOW", "MEDIUM", "HIGH"), max_output_tokens=65537),
        _model(_GEMINI_3, "gemini-3-flash-preview", levels=_FLASH_LEVELS, level_message="flash", max_output_tokens=65537),
        _model(_GEMINI_3, "gemini-3.8-flash", levels=_FLASH_LEVELS, level_message="flash", max_output_tokens=65537),
        _model(_GEMINI_3, "gemini-3-pro-image-preview", levels=(), max_candidates=1, max_output_tokens=32769, media_resolution=False,
               image_output=True, search_with_functions=False, json_with_tools=False),
        _embedding("gemini-embedding-001", max_instances=1, dimensions=3072),
        _embedding("text-embedding-005", max_instances=250, dimensions=768),
        _embedding("text-multilingual-embedding-002", max_instances=250, dimensions=768),
    )
}
"""The default known-model set (brief, task A) with Google's per-model rules."""
