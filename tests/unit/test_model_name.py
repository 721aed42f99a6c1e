"""Model-name parsing: every prefix x suffix combination, odd spacing and case."""

from __future__ import annotations

import pytest

from adapter.routing.model_name import ModelNameError, ModelRoute, model_name_problem, parse_model_name

PREFIXES = [
    ("", "auto"),
    ("[EXPRESS] ", "express"),
    ("[EXPRESS]", "express"),
    ("[express]  ", "express"),
    ("[PAY]", "service_account"),
    ("[pay] ", "service_account"),
    ("  [Pay]", "service_account"),
]
SUFFIX_SETS = [
    (),
    ("-search",),
    ("-nothinking",),
    ("-max",),
    ("-openai",),
    ("-search", "-nothinking"),
    ("-nothinking", "-search"),
    ("-search", "-max"),
    ("-search", "-openai"),
    ("-max", "-openai"),
]


@pytest.mark.parametrize("prefix,credential", PREFIXES)
@pytest.mark.parametrize("suffixes", SUFFIX_SETS)
def test_every_prefix_and_suffix_combination(prefix: str, credential: str, suffixes: tuple[str, ...]) -> None:
    name = f"{prefix}gemini-2.5-flash{''.join(suffixes)}"
    route = parse_model_name(name)
    assert route.base == "gemini-2.5-flash"
    assert route.credential == credential
    assert route.search == ("-search" in suffixes)
    assert route.direct == ("-openai" in suffixes)
    expected_thinking = "off" if "-nothinking" in suffixes else "max" if "-max" in suffixes else None
    assert route.thinking == expected_thinking
    assert route.requested == name


@pytest.mark.parametrize(
    "name,base",
    [
        ("gemini-2.5-flash-lite", "gemini-2.5-flash-lite"),
        ("gemini-2.5-flash-SEARCH", "gemini-2.5-flash"),
        ("gemini-2.5-flash-thinking", "gemini-2.5-flash-thinking"),
        ("gemini-2.5-flash-encrypt", "gemini-2.5-flash-encrypt"),
        ("gemini-2.5-flash-encrypt-full", "gemini-2.5-flash-encrypt-full"),
        ("gemini-2.5-flash-auto", "gemini-2.5-flash-auto"),
        ("  gemini-3-pro-preview  ", "gemini-3-pro-preview"),
        ("[PAY]  gemini-2.5-pro-max", "gemini-2.5-pro"),
    ],
)
def test_unknown_suffixes_stay_in_the_base_name(name: str, base: str) -> None:
    assert parse_model_name(name).base == base


@pytest.mark.parametrize(
    "name,fragment",
    [
        ("", "no base model"),
        ("[EXPRESS]", "no base model"),
        ("   ", "no base model"),
        ("gemini-2.5-flash-search-search", "twice"),
        ("gemini-2.5-flash-nothinking-max", "both"),
    ],
)
def test_invalid_names(name: str, fragment: str) -> None:
    with pytest.raises(ModelNameError, match=fragment):
        parse_model_name(name)


def test_suffix_property_is_canonical() -> None:
    route = parse_model_name("[PAY]gemini-2.5-flash-openai-nothinking-search")
    assert route.suffixes == ("-search", "-nothinking", "-openai")
    assert route.suffix == "-search-nothinking-openai"
    assert route == ModelRoute(
        requested="[PAY]gemini-2.5-flash-openai-nothinking-search",
        base="gemini-2.5-flash",
        credential="service_account",
        search=True,
        thinking="off",
        direct=True,
    )


@pytest.mark.parametrize(
    "name,valid",
    [
        ("gemini-2.5-flash", True),
        ("[PAY]  gemini-2.5-pro-max", True),
        ("[express]gemini-2.5-flash", True),
        ("  gemini-3-pro-preview  ", True),
        ("claude-x@20240620", True),
        ("g" * 128, True),
        ("g" * 129, False),
        ("", False),
        ("gemini-2.5-flash:countTokens", False),
        ("gemini/2.5", False),
        ("gemini-2.5-flash\n", False),
        ("-gemini", False),
        ("[FREE]gemini", False),
        ("gemini-2.5-flaſh", False),
        ("gemini-2.5-flash\u212a", False),
        (None, False),
    ],
)
def test_model_name_problem_follows_the_one_rule(name: object, valid: bool) -> None:
    assert (model_name_problem(name) is None) is valid
