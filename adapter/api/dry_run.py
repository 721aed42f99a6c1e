"""``X-Dry-Run: 1``: show what would be sent to Vertex AI, without sending it.

The answer names the credential that would be used (peeked: no round-robin turn is taken),
the order of credential kinds for failover, the rewrites, and each exact Vertex request (URL
and body; keys travel in headers, so URLs never hold one). Its shape is documented in README.md
("What the gateway did: headers and dry runs").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from flask import Response, request

from ..gateway import Gateway
from ..upstream.credentials import KIND_LABELS, Credential, CredentialKind
from ..upstream.pool import AllCoolingDown
from ..http import json_response

DRY_RUN_HEADER = "X-Dry-Run"
_YES = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class PlannedRequest:
    """One Vertex request: its URL for a given credential, and its JSON body."""

    url: Callable[[Credential], str]
    body: Mapping[str, Any]


@dataclass(frozen=True)
class DryRun:
    endpoint: str
    model: str
    upstream_model: str
    kinds: tuple[CredentialKind, ...]
    rewrites: Sequence[str]
    requests: Sequence[PlannedRequest]


def dry_run_requested() -> bool:
    """True when the client sent ``X-Dry-Run: 1`` (or true/yes/on)."""
    return request.headers.get(DRY_RUN_HEADER, "").strip().lower() in _YES


def _next_credential(gateway: Gateway, kinds: Iterable[CredentialKind]) -> Credential | None:
    """The credential the dispatcher would try first, or None when every one is cooling down."""
    for kind in kinds:
        try:
            cred = gateway.pools[kind].peek()
        except AllCoolingDown:
            continue
        if cred is not None:
            return cred
    return None


def dry_run_payload(gateway: Gateway, plan: DryRun) -> dict[str, Any]:
    chosen = _next_credential(gateway, plan.kinds)
    for_urls = chosen or gateway.pools[plan.kinds[0]].credentials[0]
    return {
        "object": "gateway.dry_run",
        "endpoint": plan.endpoint,
        "model": plan.model,
        "upstream_model": plan.upstream_model,
        "credential": chosen.label if chosen else None,
        "credential_order": [KIND_LABELS[kind] for kind in plan.kinds],
        "selection": "round_robin" if gateway.settings.round_robin else "random",
        "rewrites": list(plan.rewrites),
        "requests": [{"method": "POST", "url": item.url(for_urls), "body": item.body} for item in plan.requests],
    }


def dry_run_response(gateway: Gateway, plan: DryRun, headers: Mapping[str, str]) -> Response:
    payload = dry_run_payload(gateway, plan)
    extra = {DRY_RUN_HEADER: "1"}
    if payload["credential"]:
        extra["X-Gateway-Credential"] = payload["credential"]
    return json_response(payload, headers={**headers, **extra})
