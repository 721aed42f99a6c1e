"""The model catalog: which model ids the configured credentials can serve, and variant checks.

The base list comes from the capability table (``listed`` models) or, when ``MODELS_CONFIG_URL``
is set, from the older tool's remote JSON (``{"vertex_models": [...],
"vertex_express_models": [...]}``), refreshed in the background (see :mod:`remote_models`).
Ids are shown in every form the credentials allow: plain and ``[EXPRESS] name`` for Express
keys, ``[PAY]name`` (and plain names when no Express key is configured) for service accounts,
each with the variants the model supports. ``-openai`` (service accounts only) is listed plain and
with ``[PAY]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Collection, Iterable

from ..errors import InvalidRequest
from .capabilities import CapabilityTable, ModelCapabilities
from .model_name import (
    DIRECT_SUFFIX,
    EXPRESS_PREFIX,
    MAX_SUFFIX,
    NOTHINKING_SUFFIX,
    PAY_PREFIX,
    SEARCH_SUFFIX,
    ModelNameError,
    ModelRoute,
    parse_model_name,
)

CATALOG_CREATED = 1795564800  # 2026-11-25, when this catalog was written
OWNED_BY = "google"


@dataclass(frozen=True)
class ModelLists:
    """Base model names per credential kind."""

    service_account: tuple[str, ...]
    express: tuple[str, ...]


_VARIANT_CHECKS: tuple[tuple[str, str, Callable[[ModelCapabilities], bool]], ...] = (
    (SEARCH_SUFFIX, "Google Search grounding", lambda caps: caps.search),
    (NOTHINKING_SUFFIX, "thinking control", lambda caps: caps.thinking is not None),
    (MAX_SUFFIX, "thinking control", lambda caps: caps.thinking is not None),
    (DIRECT_SUFFIX, "Vertex's OpenAI-compatible endpoint", lambda caps: caps.direct),
)


def variants(caps: ModelCapabilities, *, direct_possible: bool) -> list[str]:
    """The suffixes offered in the catalog for a model."""
    return [suffix for suffix, _, check in _VARIANT_CHECKS if check(caps) and (suffix != DIRECT_SUFFIX or direct_possible)]


def requested_route(model: str) -> ModelRoute:
    """The route of a request's ``model``; InvalidRequest (param ``model``) when it cannot be parsed."""
    try:
        return parse_model_name(model)
    except ModelNameError as exc:
        raise InvalidRequest(f"Invalid model name: {exc}.", param="model", code="invalid_model") from None


def check_variant(route: ModelRoute, caps: ModelCapabilities, table: CapabilityTable) -> None:
    """Raise InvalidRequest (param ``model``) when the model does not support a requested variant."""
    if route.direct and route.credential == "express":
        raise InvalidRequest(
            f"The variant {DIRECT_SUFFIX} calls Vertex's OpenAI-compatible endpoint with service accounts; "
            f"drop the {EXPRESS_PREFIX} prefix or use {PAY_PREFIX}.",
            param="model",
            code="model_variant_not_supported",
        )
    requested = route.suffixes
    for suffix, feature, check in _VARIANT_CHECKS:
        if suffix in requested and not check(caps):
            able = [m.name for m in table.listed_models() if check(m)]
            raise InvalidRequest(
                f"The variant {suffix} needs {feature}, which {route.base} does not support. "
                f"Models that do: {', '.join(able) or 'none'}.",
                param="model",
                code="model_variant_not_supported",
            )


def catalog_ids(lists: ModelLists, table: CapabilityTable, *, has_express: bool, has_service_accounts: bool) -> list[str]:
    """Every model id a client can pick, in a stable order, without duplicates."""
    ids: dict[str, None] = {}
    if has_express:
        for name in lists.express:
            caps = table.lookup(name)
            for suffix in ["", *variants(caps, direct_possible=False)]:
                ids[f"{name}{suffix}"] = None
                ids[f"{EXPRESS_PREFIX} {name}{suffix}"] = None
    if has_service_accounts:
        for name in lists.service_account:
            caps = table.lookup(name)
            for suffix in ["", *variants(caps, direct_possible=True)]:
                if not has_express or suffix == DIRECT_SUFFIX:
                    ids[f"{name}{suffix}"] = None
                ids[f"{PAY_PREFIX}{name}{suffix}"] = None
    return list(ids)


def is_served(model_id: str, ids: Collection[str]) -> bool:
    """Whether ``model_id`` names a listed model, in any spacing or case of the prefix and with
    any combination of listed variants (``[PAY]gemini-2.5-flash-search-max``)."""
    if model_id in ids:
        return True
    try:
        route = parse_model_name(model_id)
    except ModelNameError:
        return False
    prefix = _PREFIX_FORMS[route.credential]
    return all(f"{prefix}{route.base}{suffix}" in ids for suffix in route.suffixes or ("",))


_PREFIX_FORMS: dict[str, str] = {"auto": "", "express": f"{EXPRESS_PREFIX} ", "service_account": PAY_PREFIX}


def model_object(model_id: str) -> dict[str, object]:
    return {"id": model_id, "object": "model", "created": CATALOG_CREATED, "owned_by": OWNED_BY}


def model_list(ids: Iterable[str]) -> dict[str, object]:
    return {"object": "list", "data": [model_object(i) for i in ids]}


def embedding_ids(table: CapabilityTable, *, has_express: bool, has_service_accounts: bool) -> list[str]:
    """Embedding model ids (``POST /v1/embeddings``): plain, ``[EXPRESS] name``, ``[PAY]name``."""
    ids: list[str] = []
    for model in table.embedding_models.values():
        express = has_express and model.express
        if express or has_service_accounts:
            ids.append(model.name)
        if express:
            ids.append(f"{EXPRESS_PREFIX} {model.name}")
        if has_service_accounts:
            ids.append(f"{PAY_PREFIX}{model.name}")
    return ids


def table_lists(table: CapabilityTable) -> ModelLists:
    listed = table.listed_models()
    return ModelLists(
        service_account=tuple(m.name for m in listed),
        express=tuple(m.name for m in listed if m.express),
    )
