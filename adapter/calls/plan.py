"""What is decided about one call before Vertex is called, for every front door."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..gateway import Gateway
from ..request_log import RequestRecord
from ..routing.model_name import ModelRoute
from ..upstream.credentials import CredentialKind
from .access import admit_call

GENERATE = "generateContent"
COUNT_TOKENS = "countTokens"
PREDICT = "predict"
OPENAI_CHAT = "openai.chat.completions"
"""Vertex's OpenAI-compatible endpoint (direct mode, ``-openai``)."""

ANY_KIND: tuple[CredentialKind, ...] = ("express", "service_account")
SERVICE_ACCOUNTS_ONLY: tuple[CredentialKind, ...] = ("service_account",)


class ServedModel(Protocol):
    """What the credential order needs to know of a model (chat or embedding capabilities)."""

    @property
    def name(self) -> str: ...

    @property
    def express(self) -> bool: ...


@dataclass(frozen=True)
class CallPlan:
    """One Vertex call: where it goes, with which credentials, and what it sends.

    ``method`` is the Vertex method (``generateContent`` also for a stream: ``stream`` says
    how the answer is wanted); ``legacy_functions`` is set when a chat client declared the
    deprecated ``functions`` and expects the answer in that shape.
    """

    route: ModelRoute
    caps: ServedModel
    kinds: tuple[CredentialKind, ...]
    body: dict[str, Any]
    method: str
    record: RequestRecord
    rewrites: tuple[str, ...] = ()
    stream: bool = False
    legacy_functions: bool = False


def credential_order(gateway: Gateway, route: ModelRoute, caps: ServedModel, *, allowed: tuple[CredentialKind, ...] = ANY_KIND) -> tuple[CredentialKind, ...]:
    """The credential kinds to try, in order (raises NotConfigured when none is configured).

    A plain model name goes to Express keys first when the model is offered in Express mode,
    or when no service account is configured. Whether it is offered comes from the remote
    model list (``MODELS_CONFIG_URL``) for a model that list names, else from the capability
    table. Every front door plans through here, so this is also where the request's client key
    is checked against the model and its limits (403, 429: :func:`~.access.admit_call`).
    """
    admit_call(gateway, route)
    return gateway.dispatcher.plan(route.credential, prefer_express=_prefers_express(gateway, caps), allowed=allowed)


def _prefers_express(gateway: Gateway, caps: ServedModel) -> bool:
    if not gateway.pools["service_account"]:
        return True
    remote = gateway.remote_lists()
    if remote is not None and (caps.name in remote.express or caps.name in remote.service_account):
        return caps.name in remote.express
    return caps.express
