"""MODEL_ALIASES: parsing in the settings and the one resolver every front door calls."""

from __future__ import annotations

import pytest

from adapter.routing.aliases import NO_ALIASES, ModelAliases
from adapter.settings import SettingsError, load_settings

ALIASES = "claude-sonnet-4-5=gemini-2.5-pro, gpt-4o = [EXPRESS]gemini-2.5-flash-search ,claude-*=gemini-3-flash-preview,o?-mini=gemini-2.5-flash-lite"


def _aliases(raw: str) -> ModelAliases:
    return ModelAliases.from_pairs(load_settings({"API_KEY": "k", "MODEL_ALIASES": raw}).model_aliases)


def test_settings_keep_the_pairs_in_order() -> None:
    settings = load_settings({"API_KEY": "k", "MODEL_ALIASES": ALIASES})
    assert settings.model_aliases == (
        ("claude-sonnet-4-5", "gemini-2.5-pro"),
        ("gpt-4o", "[EXPRESS]gemini-2.5-flash-search"),
        ("claude-*", "gemini-3-flash-preview"),
        ("o?-mini", "gemini-2.5-flash-lite"),
    )
    assert load_settings({"API_KEY": "k"}).model_aliases == ()
    assert load_settings({"API_KEY": "k", "MODEL_ALIASES": " , "}).model_aliases == ()


@pytest.mark.parametrize(
    "raw",
    ["gpt-4o", "=gemini-2.5-flash", "gpt-4o=", "a=b,a=c", "a=b,,c"],
)
def test_malformed_aliases_stop_start_up_naming_the_variable(raw: str) -> None:
    with pytest.raises(SettingsError, match="MODEL_ALIASES must be a comma-separated list of alias=target"):
        load_settings({"API_KEY": "k", "MODEL_ALIASES": raw})


@pytest.mark.parametrize(
    "requested,served",
    [
        ("claude-sonnet-4-5", "gemini-2.5-pro"),  # exact wins over the earlier-listed pattern order
        ("gpt-4o", "[EXPRESS]gemini-2.5-flash-search"),
        (" gpt-4o ", "[EXPRESS]gemini-2.5-flash-search"),
        ("claude-haiku-4-5-20251001", "gemini-3-flash-preview"),
        ("o3-mini", "gemini-2.5-flash-lite"),
        ("o33-mini", "o33-mini"),
        ("gemini-2.5-flash", "gemini-2.5-flash"),
        ("GPT-4O", "GPT-4O"),
        ("gpt-4o-mini", "gpt-4o-mini"),
    ],
)
def test_resolve(requested: str, served: str) -> None:
    assert _aliases(ALIASES).resolve(requested) == served


def test_a_target_is_not_resolved_again() -> None:
    aliases = _aliases("a=b,b=c,c=a")
    assert [aliases.resolve(name) for name in "abc"] == ["b", "c", "a"]


def test_listed_aliases_are_the_exact_ones() -> None:
    assert _aliases(ALIASES).listed() == [
        ("claude-sonnet-4-5", "gemini-2.5-pro"),
        ("gpt-4o", "[EXPRESS]gemini-2.5-flash-search"),
    ]
    assert NO_ALIASES.listed() == [] and NO_ALIASES.resolve("x") == "x"
