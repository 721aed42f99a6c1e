"""``GET /`` for browsers: a small self-contained status page (no external assets).

It shows that the service is up, the base URL to paste into OpenAI clients, the models and a
copyable ``curl`` example; with the API key (a request that carries it, as ``GET /`` JSON
does), also the credential health (counts, kinds, cooldowns; never a secret). The base URL is
never built from request headers (``Host`` and ``X-Forwarded-*`` are the client's to choose):
the page carries the relative ``v1`` and its script resolves it against the address the
browser shows. API clients keep getting JSON: see :func:`wants_html`.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any, Mapping

from flask import Response, render_template, request
from markupsafe import Markup

from .gateway import Gateway
from .routing.model_name import EXPRESS_PREFIX, PAY_PREFIX

_SCRIPT = (Path(__file__).resolve().parent / "templates" / "status_page.js").read_text(encoding="utf-8")
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{_SCRIPT_HASH}'; "
        "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self' https://huggingface.co"
    ),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Vary": "Accept",
}
BASE_PATH = "v1"
"""The base URL, relative to the page (which is served at the service's root)."""
_EXAMPLE_MODEL = "gemini-2.5-flash"


def wants_html() -> bool:
    """True when the client prefers HTML to JSON (a browser); curl and SDKs send ``*/*``."""
    return request.accept_mimetypes.best_match(("application/json", "text/html")) == "text/html"


def curl_example_tail(model: str) -> str:
    """The ``curl`` example after its base URL (which the page's script fills in)."""
    body = '{"model": "%s", "messages": [{"role": "user", "content": "Say hello"}]}' % model
    return (
        "/chat/completions \\\n"
        '  -H "Authorization: Bearer $API_KEY" -H "Content-Type: application/json" \\\n'
        f"  -d '{body}'"
    )


def plain_model_ids(ids: list[str]) -> list[str]:
    """Model ids without the credential prefixes (the page explains those once)."""
    return [model for model in ids if not model.upper().startswith((EXPRESS_PREFIX, PAY_PREFIX))]


def service_state(health: Mapping[str, Any]) -> tuple[str, str]:
    """(badge style, label) for the header: up, or up but unable to serve right now."""
    configured = health["express_keys"] + health["service_accounts"]
    if health.get("status") == "degraded":
        return "warn", "Service up, some configured credentials could not be loaded"
    if configured == 0:
        return "warn", "Service up, no credentials configured"
    if health["credentials_cooling_down"] >= configured:
        return "warn", "Service up, every credential cooling down"
    return "up", "Service up"


def status_page(gateway: Gateway, health: Mapping[str, Any], *, detailed: bool) -> Response:
    """The page; credential counts and states only when ``detailed`` (the API key was sent)."""
    plain = plain_model_ids(gateway.model_ids())
    models = [model for model in plain if model not in gateway.capabilities.embedding_models]
    embedding_models = [model for model in plain if model in gateway.capabilities.embedding_models]
    example_model = _EXAMPLE_MODEL if _EXAMPLE_MODEL in models else next(iter(models), _EXAMPLE_MODEL)
    state, label = service_state(health)
    html = render_template(
        "status_page.html",
        health=health,
        state=state,
        state_label=label,
        detailed=detailed,
        base_path=BASE_PATH,
        models=models,
        embedding_models=embedding_models,
        curl_tail=curl_example_tail(example_model),
        script=Markup(_SCRIPT),
    )
    return Response(html, mimetype="text/html", headers=SECURITY_HEADERS)
