"""``GET /`` for browsers: a small self-contained status page (no external assets).

It shows that the service is up, the base URL to paste into OpenAI clients (derived from the
request, ``X-Forwarded-Proto``/``-Host``/``-Prefix`` included, as set by Hugging Face Spaces
and PaaS routers), the models, the credential health (counts, kinds, cooldowns; never a
secret) and a copyable ``curl`` example. API clients keep getting JSON: see :func:`wants_html`.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any, Mapping

from flask import Request, Response, render_template, request
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
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
_PREFIX_CHARS = _HOST_CHARS | frozenset("/_~")
_EXAMPLE_MODEL = "gemini-2.5-flash"


def wants_html() -> bool:
    """True when the client prefers HTML to JSON (a browser); curl and SDKs send ``*/*``."""
    return request.accept_mimetypes.best_match(("application/json", "text/html")) == "text/html"


def _first(value: str | None) -> str:
    return (value or "").split(",")[0].strip()


def public_base_url(req: Request) -> str:
    """The ``.../v1`` URL clients reach this service at, as seen through proxies."""
    proto = _first(req.headers.get("X-Forwarded-Proto")).lower()
    scheme = proto if proto in ("http", "https") else req.scheme
    host = _first(req.headers.get("X-Forwarded-Host"))
    if not host or not set(host) <= _HOST_CHARS:
        host = req.host
    prefix = _first(req.headers.get("X-Forwarded-Prefix")).rstrip("/")
    if not prefix.startswith("/") or not set(prefix) <= _PREFIX_CHARS:
        prefix = ""
    return f"{scheme}://{host}{prefix}/v1"


def curl_example(base_url: str, model: str) -> str:
    body = '{"model": "%s", "messages": [{"role": "user", "content": "Say hello"}]}' % model
    return (
        f"curl -s {base_url}/chat/completions \\\n"
        '  -H "Authorization: Bearer $API_KEY" -H "Content-Type: application/json" \\\n'
        f"  -d '{body}'"
    )


def plain_model_ids(ids: list[str]) -> list[str]:
    """Model ids without the credential prefixes (the page explains those once)."""
    return [model for model in ids if not model.upper().startswith((EXPRESS_PREFIX, PAY_PREFIX))]


def service_state(health: Mapping[str, Any]) -> tuple[str, str]:
    """(badge style, label) for the header: up, or up but unable to serve right now."""
    configured = health["express_keys"] + health["service_accounts"]
    if configured == 0:
        return "warn", "Service up, no credentials configured"
    if health["credentials_cooling_down"] >= configured:
        return "warn", "Service up, every credential cooling down"
    return "up", "Service up"


def status_page(gateway: Gateway, health: Mapping[str, Any]) -> Response:
    plain = plain_model_ids(gateway.model_ids())
    models = [model for model in plain if model not in gateway.capabilities.embedding_models]
    embedding_models = [model for model in plain if model in gateway.capabilities.embedding_models]
    base_url = public_base_url(request)
    example_model = _EXAMPLE_MODEL if _EXAMPLE_MODEL in models else next(iter(models), _EXAMPLE_MODEL)
    state, label = service_state(health)
    html = render_template(
        "status_page.html",
        health=health,
        state=state,
        state_label=label,
        base_url=base_url,
        models=models,
        embedding_models=embedding_models,
        curl_example=curl_example(base_url, example_model),
        script=Markup(_SCRIPT),
    )
    return Response(html, mimetype="text/html", headers=SECURITY_HEADERS)
