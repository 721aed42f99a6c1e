"""``X-Dry-Run: 1``: show what would be sent to Vertex AI, without sending it.

The answer names the credential that would be used (peeked: no round-robin turn is taken),
the order of credential kinds for failover, the rewrites, and each exact Vertex request (URL
and body; keys travel in headers, so URLs never hold one). Its shape is documented in README.md
("What the gateway did: headers and dry runs").
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from flask import Response, request

from ..gateway import Gateway
from ..http import json_response
from ..upstream.credentials import KIND_LABELS, Credential, CredentialKind
from ..upstream.pool import AllCoolingDown
from .plan import CallPlan
from .urls import upstream_url

DRY_RUN_HEADER = "X-Dry-Run"
_YES = frozenset({"1", "true", "yes", "on"})


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


def dry_run_payload(gateway: Gateway, plans: Sequence[CallPlan], endpoint: str) -> dict[str, Any]:
    """What ``plans`` (one per Vertex request, all of one client request) would send."""
    plan = plans[0]
    chosen = _next_credential(gateway, plan.kinds)
    for_urls = chosen or gateway.pools[plan.kinds[0]].credentials[0]
    return {
        "object": "gateway.dry_run",
        "endpoint": endpoint,
        "model": plan.route.requested,
        "upstream_model": plan.route.base,
        "credential": chosen.label if chosen else None,
        "credential_order": [KIND_LABELS[kind] for kind in plan.kinds],
        "selection": "round_robin" if gateway.settings.round_robin else "random",
        "rewrites": list(plan.rewrites),
        "requests": [{"method": "POST", "url": upstream_url(gateway, item)(for_urls), "body": item.body} for item in plans],
    }


def dry_run_response(gateway: Gateway, plans: Sequence[CallPlan], endpoint: str, headers: Mapping[str, str]) -> Response:
    payload = dry_run_payload(gateway, plans, endpoint)
    extra = {DRY_RUN_HEADER: "1"}
    if payload["credential"]:
        extra["X-Gateway-Credential"] = payload["credential"]
    return json_response(payload, headers={**headers, **extra})
