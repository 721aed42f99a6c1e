"""``MODEL_ALIASES``: client model names that stand for a chosen Gemini model (pure).

Some clients insist on their own model names (Claude Code asks for ``claude-…`` models, tools
hard-coded to ``gpt-4o``). ``MODEL_ALIASES=alias=target,...`` maps them, for every front door,
before the model name is parsed. An alias is matched against the whole name the client sent:
exact aliases first, then aliases holding ``*``, ``?`` or ``[`` as ``fnmatch`` patterns in the
order given (``claude-*=gemini-2.5-flash``). The target is any model name the gateway accepts
(prefixes and variant suffixes included) and is not resolved again, so aliases cannot loop.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Iterable

_PATTERN_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class ModelAliases:
    """The configured aliases; :meth:`resolve` is the one place a client model name is mapped."""

    exact: dict[str, str]
    patterns: tuple[tuple[str, str], ...]

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> "ModelAliases":
        exact: dict[str, str] = {}
        patterns: list[tuple[str, str]] = []
        for alias, target in pairs:
            if _PATTERN_CHARACTERS.isdisjoint(alias):
                exact[alias] = target
            else:
                patterns.append((alias, target))
        return cls(exact=exact, patterns=tuple(patterns))

    def resolve(self, name: str) -> str:
        """The model name to serve ``name`` with: its alias target, or ``name`` itself."""
        stripped = name.strip()
        target = self.exact.get(stripped)
        if target is not None:
            return target
        for pattern, pattern_target in self.patterns:
            if fnmatch.fnmatchcase(stripped, pattern):
                return pattern_target
        return name

    def listed(self) -> list[tuple[str, str]]:
        """(alias, target) for the model list: the exact aliases (a pattern names no model)."""
        return list(self.exact.items())


NO_ALIASES = ModelAliases(exact={}, patterns=())
