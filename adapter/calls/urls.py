"""The Vertex URL of a plan for a credential, and the headers saying what the gateway did."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ..gateway import Gateway
from ..upstream.credentials import Credential
from ..upstream.dispatch import Outcome
from .plan import GENERATE, OPENAI_CHAT, CallPlan


def fakes_stream(gateway: Gateway, plan: CallPlan) -> bool:
    """Whether a stream is answered from one ``generateContent`` call (``FAKE_STREAMING``)."""
    return plan.stream and plan.method == GENERATE and gateway.settings.fake_streaming


def upstream_url(gateway: Gateway, plan: CallPlan) -> Callable[[Credential], str]:
    """The URL the plan is sent to, for a credential: ``streamGenerateContent`` as SSE for a
    real Gemini stream, Vertex's OpenAI-compatible endpoint in direct mode, else the method."""
    if plan.method == OPENAI_CHAT:
        return gateway.client.openai_url
    method, query = plan.method, ""
    if plan.stream and plan.method == GENERATE and not fakes_stream(gateway, plan):
        method, query = "streamGenerateContent", "?alt=sse"
    model_url, model = gateway.client.model_url, plan.route.base
    return lambda cred: model_url(cred, model, method) + query


def explain_headers(plan: CallPlan, outcomes: Sequence[Outcome[Any]]) -> dict[str, str]:
    """Upstream model, credentials used (none yet for a dry run), attempts and rewrites."""
    headers = {"X-Gateway-Upstream-Model": plan.route.base, "X-Gateway-Attempts": str(len(plan.record.attempts))}
    labels = list(dict.fromkeys(outcome.credential.label for outcome in outcomes))
    if labels:
        headers["X-Gateway-Credential"] = ", ".join(labels)
    if plan.rewrites:
        headers["X-Gateway-Rewrites"] = "; ".join(plan.rewrites).encode("ascii", "replace").decode("ascii")
    return headers
