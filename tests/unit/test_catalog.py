"""The capability table and the catalog each credential set shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import CapabilityFileError, load_capabilities
from adapter.routing.catalog import ModelLists, catalog_ids, check_variant, is_served, table_lists
from adapter.routing.model_name import parse_model_name
from tests.emulator.models import DEFAULT_MODELS

TABLE = load_capabilities()


@pytest.mark.parametrize(
    "model,kind,levels,budget",
    [
        ("gemini-2.5-flash", "budget", (), (1, 24576, True)),
        ("gemini-2.5-flash-lite", "budget", (), (512, 24576, True)),
        ("gemini-2.5-pro", "budget", (), (128, 32768, False)),
        ("gemini-3-pro-preview", "level", ("LOW", "HIGH"), None),
        ("gemini-3.1-pro-preview", "level", ("LOW", "MEDIUM", "HIGH"), None),
        ("gemini-3-flash-preview", "level", ("MINIMAL", "LOW", "MEDIUM", "HIGH"), None),
        ("gemini-3.8-flash", "level", ("MINIMAL", "LOW", "MEDIUM", "HIGH"), None),
    ],
)
def test_thinking_control_per_model(model: str, kind: str, levels: tuple[str, ...], budget: tuple[int, int, bool] | None) -> None:
    thinking = TABLE.lookup(model).thinking
    assert thinking is not None and thinking.kind == kind
    assert thinking.levels == levels
    if budget:
        assert (thinking.budget_min, thinking.budget_max, thinking.can_disable) == budget


def test_unknown_models_get_conservative_defaults() -> None:
    caps = TABLE.lookup("some-future-model")
    assert caps.thinking is None
    assert not caps.penalties and caps.max_candidates == 1
    assert not caps.parameters_json_schema and not caps.trailing_model_turn
    assert not caps.express and not caps.listed


def test_operator_file_extends_and_overrides(tmp_path: Path) -> None:
    extra = tmp_path / "caps.json"
    extra.write_text(json.dumps({
        "families": [{"match": "my-tuned-*", "penalties": True, "express": True}],
        "models": {"gemini-2.5-flash": {"logprobs": False}, "my-tuned-a": {"listed": True}},
    }))
    table = load_capabilities(extra)
    assert table.lookup("my-tuned-a").penalties
    assert table.lookup("my-tuned-zzz").express
    assert not table.lookup("gemini-2.5-flash").logprobs
    assert table.lookup("gemini-2.5-flash").penalties
    assert "my-tuned-a" in [m.name for m in table.listed_models()]


@pytest.mark.parametrize(
    "content,fragment",
    [
        ("not json", "cannot read"),
        ("[]", "JSON object"),
        ('{"models": {"x": {"wings": true}}}', "unknown capability"),
        ('{"models": {"x": {"thinking": {"kind": "level", "levels": ["ULTRA"]}}}}', "thinking levels"),
        ('{"models": {"x": {"thinking": {"kind": "budget"}}}}', "thinking budget of x"),
        ('{"models": {"x": {"thinking": "on"}}}', "thinking of x"),
        ('{"models": {"x": {"max_candidates": "four"}}}', "bad value for max_candidates of x"),
        ('{"models": {"x": []}}', "not a mapping"),
        ('{"families": [{"penalties": true}]}', "malformed"),
        ('{"families": [{"match": "x*", "search": "yes"}]}', "bad value for search of family x"),
        ('{"families": [{"match": "x*", "wings": true}]}', "unknown capability fields for family x"),
        ('{"defaults": {"logprobs": 1}}', "bad value for logprobs"),
        ('{"embedding_models": {"e": {"max_batch": 1}}}', "max_dimensions"),
    ],
)
def test_bad_operator_file_is_refused_by_name(tmp_path: Path, content: str, fragment: str) -> None:
    """At start-up, whatever the mistake, rather than as a failure of the requests it touches."""
    extra = tmp_path / "caps.json"
    extra.write_text(content)
    with pytest.raises(CapabilityFileError, match=fragment) as caught:
        load_capabilities(extra)
    assert "caps.json" in str(caught.value)


LISTS = ModelLists(service_account=("gemini-2.5-flash", "gemini-2.0-flash-001"), express=("gemini-2.5-flash",))


def test_catalog_with_express_only() -> None:
    ids = catalog_ids(LISTS, TABLE, has_express=True, has_service_accounts=False)
    assert "gemini-2.5-flash" in ids and "[EXPRESS] gemini-2.5-flash" in ids
    assert "gemini-2.5-flash-search" in ids and "[EXPRESS] gemini-2.5-flash-nothinking" in ids
    assert not any(i.startswith("[PAY]") for i in ids)
    assert not any(i.endswith("-openai") for i in ids)
    assert "gemini-2.0-flash-001" not in ids


def test_catalog_with_service_accounts_only() -> None:
    ids = catalog_ids(LISTS, TABLE, has_express=False, has_service_accounts=True)
    assert "[PAY]gemini-2.5-flash" in ids and "[PAY]gemini-2.5-flash-openai" in ids
    assert "gemini-2.0-flash-001" in ids and "[PAY]gemini-2.0-flash-001-search" in ids
    assert "[PAY]gemini-2.0-flash-001-nothinking" not in ids
    assert not any(i.startswith("[EXPRESS]") for i in ids)


def test_catalog_with_both_and_no_duplicates() -> None:
    ids = catalog_ids(LISTS, TABLE, has_express=True, has_service_accounts=True)
    assert len(ids) == len(set(ids))
    assert "[EXPRESS] gemini-2.5-flash-max" in ids and "[PAY]gemini-2.5-flash-max" in ids


def test_catalog_with_nothing_configured_is_empty() -> None:
    assert catalog_ids(table_lists(TABLE), TABLE, has_express=False, has_service_accounts=False) == []


@pytest.mark.parametrize(
    "name,ok",
    [
        ("gemini-2.5-flash-nothinking", True),
        ("gemini-2.5-pro-nothinking", True),
        ("gemini-3-pro-preview-max", True),
        ("gemini-2.0-flash-001-nothinking", False),
        ("gemini-2.0-flash-lite-001-search", False),
        ("gemini-2.5-flash-image-max", False),
        ("some-unknown-model-search", False),
    ],
)
def test_variants_are_checked_against_capabilities(name: str, ok: bool) -> None:
    route = parse_model_name(name)
    if ok:
        check_variant(route, TABLE.lookup(route.base), TABLE)
        return
    with pytest.raises(InvalidRequest) as caught:
        check_variant(route, TABLE.lookup(route.base), TABLE)
    assert caught.value.param == "model"
    assert "gemini-2.5-flash" in caught.value.message


@pytest.mark.parametrize(
    "model,max_candidates,levels",
    [
        ("gemini-3-pro-preview", 1, ("LOW", "HIGH")),
        ("gemini-3.1-pro-preview", 8, ("LOW", "MEDIUM", "HIGH")),
        ("gemini-3.1-flash-image-preview", 1, ("MINIMAL", "HIGH")),
        ("gemini-3-pro-image-preview", 1, None),
    ],
)
def test_gemini_3_facts_from_the_docs(model: str, max_candidates: int, levels: tuple[str, ...] | None) -> None:
    caps = TABLE.lookup(model)
    assert caps.max_candidates == max_candidates
    assert (caps.thinking.levels if caps.thinking else None) == levels
    assert not caps.penalties and not caps.logprobs and caps.thought_signatures_required


def test_capability_table_agrees_with_the_emulated_google() -> None:
    """Where both tables describe the same fact, they agree (the emulator plays Google in e2e tests)."""
    for name, facts in DEFAULT_MODELS.items():
        if facts.kind != "chat":
            continue
        caps = TABLE.lookup(name)
        assert (caps.max_candidates, caps.penalties, caps.logprobs, caps.media_resolution) == (
            facts.max_candidates, facts.penalties, facts.logprobs, facts.media_resolution), name
        assert (caps.trailing_model_turn, caps.image_output, caps.search, caps.search_with_functions, caps.json_with_tools) == (
            facts.trailing_model_turn, facts.image_output, facts.search, facts.search_with_functions, facts.json_with_tools), name
        thinking = caps.thinking
        if thinking is None:
            assert facts.thinking == "none" or not facts.levels, name
        elif thinking.kind == "budget":
            assert (facts.thinking, facts.budget_min, facts.budget_max, facts.budget_can_disable) == (
                "budget", thinking.budget_min, thinking.budget_max, thinking.can_disable), name
        else:
            assert (facts.thinking, facts.levels) == ("level", thinking.levels), name


def test_direct_variant_refuses_the_express_prefix() -> None:
    route = parse_model_name("[EXPRESS] gemini-2.5-flash-openai")
    with pytest.raises(InvalidRequest) as caught:
        check_variant(route, TABLE.lookup(route.base), TABLE)
    assert caught.value.param == "model" and "[PAY]" in caught.value.message


def test_direct_ids_are_listed_plain_and_paid_when_both_kinds_are_configured() -> None:
    ids = catalog_ids(LISTS, TABLE, has_express=True, has_service_accounts=True)
    assert "gemini-2.5-flash-openai" in ids and "[PAY]gemini-2.5-flash-openai" in ids
    assert "[EXPRESS] gemini-2.5-flash-openai" not in ids
    assert "gemini-2.0-flash-001" not in ids and "[PAY]gemini-2.0-flash-001" in ids


@pytest.mark.parametrize(
    "model_id,served",
    [
        ("gemini-2.5-flash", True),
        ("[express]   gemini-2.5-flash", True),
        ("[PAY]gemini-2.5-flash-search-max", True),
        ("[pay] gemini-2.5-flash-openai-nothinking", True),
        ("gemini-2.5-flash-openai", True),
        ("[EXPRESS] gemini-2.5-flash-openai", False),
        ("gemini-2.0-flash-001", False),
        ("[PAY]gemini-2.0-flash-001-search-nothinking", False),
        ("gemini-2.5-flash-nothinking-max", False),
        ("gemini-2.5-flash-encrypt", False),
        ("", False),
    ],
)
def test_is_served_accepts_every_spelling_of_a_listed_model(model_id: str, served: bool) -> None:
    ids = set(catalog_ids(LISTS, TABLE, has_express=True, has_service_accounts=True))
    assert is_served(model_id, ids) is served


def test_operator_model_entries_override_field_by_field(tmp_path: Path) -> None:
    extra = tmp_path / "caps.json"
    extra.write_text(json.dumps({"models": {"gemini-2.5-flash": {"penalties": False}, "gemini-3-pro-preview": {"max_candidates": 4}}}))
    table = load_capabilities(extra)
    flash = table.lookup("gemini-2.5-flash")
    assert not flash.penalties and flash.listed and flash.logprobs
    assert table.lookup("gemini-3-pro-preview").max_candidates == 4 and table.lookup("gemini-3-pro-preview").listed
    assert [m.name for m in table.listed_models()] == [m.name for m in TABLE.listed_models()]
