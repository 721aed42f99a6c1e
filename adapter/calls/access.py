"""Client keys in the pipeline: may this key call this model now, and what does it cost.

:func:`admit_call` runs inside :func:`~.plan.credential_order`, which every front door calls
once per request while planning (chat, embeddings, and the doors that plan the same way), so a
front door gets the checks without code of its own, before any media is fetched or anything is
sent to Vertex:

1. the key may use the model (exact names or globs, matched against the name the client sent
   and, for a ``MODEL_ALIASES`` alias, the model it stands for): else 403 ``model_not_allowed``
   naming ``model``;
2. its limits admit the call (:class:`~adapter.keys.limiter.Limiter`): else 429
   ``rate_limit_exceeded`` with ``Retry-After`` and the ``x-ratelimit-*`` headers, in the front
   door's own error shape;
3. the admitted call's ``x-ratelimit-*`` headers go on its answer, and the key is charged when the
   request's record is finished (once the answer or the stream ends): one request, and the tokens
   Vertex reported (prompt + output + thoughts).
"""

from __future__ import annotations

from typing import Sequence

from ..errors import PermissionDenied, RateLimited
from ..gateway import Gateway
from ..keys.definitions import ClientKey
from ..keys.limiter import Limiter
from ..request_log import current_record
from ..routing.model_name import ModelRoute


def admit_call(gateway: Gateway, route: ModelRoute) -> None:
    """Check the request's key against ``route`` (once per request); raises 403 or 429."""
    record = current_record()
    key = record.client_key
    if key is None or record.charge is not None:
        return
    limiter = gateway.limiter
    record.rate_limit_headers = admit(limiter, key, route.names)
    record.charge = lambda tokens: limiter.charge(key, tokens)


def admit(limiter: Limiter, key: ClientKey, names: Sequence[str]) -> dict[str, str]:
    """The key's ``x-ratelimit-*`` headers for an admitted call; 403 or 429 otherwise."""
    check_model(key, names)
    verdict = limiter.admit(key)
    if not verdict.allowed:
        headers = {**verdict.headers, "Retry-After": str(verdict.retry_after)}
        raise RateLimited(verdict.message(key), code="rate_limit_exceeded", headers=headers)
    return verdict.headers


def check_model(key: ClientKey, names: Sequence[str]) -> None:
    """Raise 403 naming ``model`` unless the key may use one of ``names``."""
    if not key.allows(names):
        raise PermissionDenied(
            f"The API key '{key.name}' may not use the model '{names[0]}'. Allowed: {', '.join(key.models)}.",
            param="model",
            code="model_not_allowed",
        )
