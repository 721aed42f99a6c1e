"""The one parser of client model names.

A client model name is ``[PREFIX] base-model[-suffix...]``:

- prefix ``[EXPRESS]`` forces Vertex AI Express (API keys), ``[PAY]`` forces service accounts;
  no prefix lets routing choose. Prefixes are case-insensitive and spacing around them is free.
- suffixes ``-search`` (Google Search grounding), ``-nothinking`` (thinking off), ``-max``
  (maximum thinking) and ``-openai`` (Vertex's OpenAI-compatible endpoint) may be stacked in
  any order. An unknown suffix is part of the base name and goes to Vertex unchanged.

Whether a variant is allowed for a model is not decided here but by the capability table.

Every front door checks the name with :func:`model_name_problem` first (the request schemas do):
only ASCII letters, digits, ``.``, ``-``, ``_`` and ``@``, starting with a letter or digit,
optionally after a prefix, at most :data:`MAX_MODEL_NAME_LENGTH` characters. A name with
``:``, ``/``, ``?``, ``#``, ``%``, spaces inside, control characters or non-ASCII letters never
reaches a URL or a response header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

CredentialChoice = Literal["auto", "express", "service_account"]
ThinkingVariant = Literal["off", "max"]

EXPRESS_PREFIX = "[EXPRESS]"
PAY_PREFIX = "[PAY]"
_PREFIXES: dict[str, CredentialChoice] = {EXPRESS_PREFIX: "express", PAY_PREFIX: "service_account"}

SEARCH_SUFFIX = "-search"
NOTHINKING_SUFFIX = "-nothinking"
MAX_SUFFIX = "-max"
DIRECT_SUFFIX = "-openai"
SUFFIXES: tuple[str, ...] = (SEARCH_SUFFIX, NOTHINKING_SUFFIX, MAX_SUFFIX, DIRECT_SUFFIX)

MAX_MODEL_NAME_LENGTH = 128
# No flags, so that JSON Schema (the OpenAPI document) reads it the same way: the prefixes'
# letters are spelled in both cases, and "(?![\s\S])" ends it ("$" matches before a final "\n").
MODEL_NAME_PATTERN = (
    r"^ *(?:\[(?:[Ee][Xx][Pp][Rr][Ee][Ss][Ss]|[Pp][Aa][Yy])\] *)?[A-Za-z0-9][A-Za-z0-9._@-]* *(?![\s\S])"
)
MODEL_NAME_RULE = (
    "must be a model id of ASCII letters, digits, '.', '-', '_' and '@' "
    f"(optionally after {EXPRESS_PREFIX} or {PAY_PREFIX}), at most {MAX_MODEL_NAME_LENGTH} characters"
)
_VALID_NAME = re.compile(MODEL_NAME_PATTERN)


def model_name_problem(name: object) -> str | None:
    """Why ``name`` cannot be a client model name (:data:`MODEL_NAME_RULE`), or None when it can.

    The one check every front door applies before anything else reads the name.
    """
    if not isinstance(name, str) or len(name) > MAX_MODEL_NAME_LENGTH or _VALID_NAME.match(name) is None:
        return MODEL_NAME_RULE
    return None


@dataclass(frozen=True, slots=True)
class ModelRoute:
    """What a client model name asks for."""

    requested: str
    base: str
    credential: CredentialChoice = "auto"
    search: bool = False
    thinking: ThinkingVariant | None = None
    direct: bool = False
    alias: str | None = None
    """The name the client sent, when ``MODEL_ALIASES`` turned it into ``requested``."""

    @property
    def names(self) -> tuple[str, ...]:
        """The names the request answers to: the client's alias (if any), then the model it stands for."""
        return (self.alias, self.requested) if self.alias else (self.requested,)

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The variant suffixes asked for, in canonical order (:data:`SUFFIXES`)."""
        asked = {
            SEARCH_SUFFIX: self.search,
            NOTHINKING_SUFFIX: self.thinking == "off",
            MAX_SUFFIX: self.thinking == "max",
            DIRECT_SUFFIX: self.direct,
        }
        return tuple(suffix for suffix in SUFFIXES if asked[suffix])

    @property
    def suffix(self) -> str:
        """The variant suffixes in canonical order, joined (for display and catalog ids)."""
        return "".join(self.suffixes)


class ModelNameError(ValueError):
    """A model name that cannot be parsed (empty, or contradictory suffixes)."""


def parse_model_name(name: str) -> ModelRoute:
    """Parse a client model name into a :class:`ModelRoute`.

    Raises :class:`ModelNameError` for an empty base name, a repeated suffix, or
    ``-nothinking`` together with ``-max``.
    """
    rest = name.strip()
    credential: CredentialChoice = "auto"
    upper = rest.upper()
    for prefix, choice in _PREFIXES.items():
        if upper.startswith(prefix):
            credential = choice
            rest = rest[len(prefix):].strip()
            break
    flags: dict[str, bool] = {}
    while True:
        lowered = rest.lower()
        found = next((s for s in SUFFIXES if lowered.endswith(s) and len(rest) > len(s)), None)
        if found is None:
            break
        if found in flags:
            raise ModelNameError(f"the suffix {found} appears twice in model {name!r}")
        flags[found] = True
        rest = rest[: -len(found)]
    base = rest.strip()
    if not base:
        raise ModelNameError(f"model {name!r} names no base model")
    if NOTHINKING_SUFFIX in flags and MAX_SUFFIX in flags:
        raise ModelNameError(f"model {name!r} asks for both -nothinking and -max")
    thinking: ThinkingVariant | None = None
    if NOTHINKING_SUFFIX in flags:
        thinking = "off"
    elif MAX_SUFFIX in flags:
        thinking = "max"
    return ModelRoute(
        requested=name,
        base=base,
        credential=credential,
        search=SEARCH_SUFFIX in flags,
        thinking=thinking,
        direct=DIRECT_SUFFIX in flags,
    )
