"""``POST /v1/embeddings``: Vertex text embedding models through ``:predict``.

Same credentials, routing and failover as chat: the model name may carry ``[EXPRESS]`` or
``[PAY]``; each batch (at most the model's per-request limit, see ``embedding_models`` in the
capability table) is dispatched on its own, with failover, a few batches at a time; the answer
keeps the input order. ``X-Dry-Run: 1`` shows the ``:predict`` requests instead of sending them.
"""

from __future__ import annotations

import contextvars
import threading
from dataclasses import dataclass
from typing import Any, Callable, Sequence, TypeVar

from flask import Blueprint, Response

from ..errors import InvalidRequest, NotFound
from ..gateway import Gateway, current_gateway
from ..routing.capabilities import EmbeddingModel
from ..routing.catalog import requested_route
from ..routing.model_name import ModelRoute
from ..schemas.embeddings import EMBEDDING_REQUEST_SCHEMA
from ..translate.embeddings import EmbeddingBatches, plan_batches, to_embedding_list
from ..upstream.credentials import Credential, CredentialKind
from ..upstream.dispatch import Attempt, Outcome
from ..validation import validate_json
from .dry_run import DryRun, PlannedRequest, dry_run_requested, dry_run_response
from ..http import json_response
from ..request_log import RequestRecord, current_record

bp = Blueprint("embeddings", __name__)

PARALLEL_BATCHES = 4
"""How many ``:predict`` calls one request keeps in flight (greenlets under gevent)."""

T = TypeVar("T")


@dataclass
class EmbeddingCall:
    body: dict[str, Any]
    route: ModelRoute
    model: EmbeddingModel
    kinds: tuple[CredentialKind, ...]
    batches: EmbeddingBatches
    record: RequestRecord


@bp.post("/embeddings")
@validate_json(EMBEDDING_REQUEST_SCHEMA)
def create_embeddings(body: dict[str, Any]) -> Response:
    gateway = current_gateway()
    call = prepare_embeddings(gateway, body)
    if dry_run_requested():
        return dry_run_response(gateway, _dry_run_plan(gateway, call), _headers(call, []))
    outcomes = _run_batches(gateway, call)
    result = to_embedding_list(
        [outcome.value for outcome in outcomes],
        call.batches.sizes,
        model=call.route.requested,
        encoding_format=body.get("encoding_format", "float"),
    )
    call.record.usage = {"prompt_tokens": result["usage"]["prompt_tokens"]}
    return json_response(result, headers=_headers(call, outcomes))


def _embedding_model(gateway: Gateway, route: ModelRoute) -> EmbeddingModel:
    if route.suffix:
        raise InvalidRequest(
            f"The variant {route.suffix} applies to chat models only; embedding models take no suffix.",
            param="model",
            code="model_variant_not_supported",
        )
    model = gateway.capabilities.embedding(route.base)
    if model is None:
        names = ", ".join(gateway.capabilities.embedding_models)
        raise NotFound(
            f"The model '{route.requested}' is not an embedding model this gateway serves. Embedding models: {names}.",
            param="model",
            code="model_not_found",
        )
    return model


def prepare_embeddings(gateway: Gateway, body: dict[str, Any]) -> EmbeddingCall:
    """Parse the model name, pick the credential kinds and plan the batches (no I/O)."""
    route = requested_route(str(body["model"]))
    model = _embedding_model(gateway, route)
    record = current_record()
    record.note_model(route)
    kinds = gateway.dispatcher.plan(route.credential, prefer_express=model.express or not gateway.pools["service_account"])
    return EmbeddingCall(body=body, route=route, model=model, kinds=kinds, batches=plan_batches(body, model), record=record)


def _predict_url(gateway: Gateway, model: str) -> Callable[[Credential], str]:
    def url(cred: Credential) -> str:
        return gateway.client.model_url(cred, model, "predict")

    return url


def _send_batch(gateway: Gateway, call: EmbeddingCall, body: dict[str, Any]) -> Outcome[Any]:
    url = _predict_url(gateway, call.route.base)
    attempts: list[Attempt] = []  # the dispatcher counts a run's budget on its list: one per batch
    try:
        return gateway.dispatcher.run(call.kinds, lambda cred: gateway.client.post_json(cred, url(cred), body), attempts=attempts)
    finally:
        call.record.attempts.extend(attempts)


def _run_batches(gateway: Gateway, call: EmbeddingCall) -> list[Outcome[Any]]:
    tasks = [lambda body=body: _send_batch(gateway, call, body) for body in call.batches.bodies]
    try:
        return in_parallel(tasks, PARALLEL_BATCHES)
    finally:
        call.record.note_attempts()


def in_parallel(tasks: Sequence[Callable[[], T]], width: int) -> list[T]:
    """Run ``tasks`` on up to ``width`` threads; results in task order.

    After a failure no new task starts; the failure of the earliest failed task is raised.
    Threads are greenlets under gunicorn's gevent workers. Each thread runs in a copy of the
    caller's context, so that log lines keep the request id.
    """
    if len(tasks) == 1:
        return [tasks[0]()]
    results: dict[int, T] = {}
    errors: dict[int, BaseException] = {}
    pending = iter(range(len(tasks)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                index = None if errors else next(pending, None)
            if index is None:
                return
            try:
                results[index] = tasks[index]()
            except BaseException as exc:  # re-raised in the caller's thread below
                errors[index] = exc

    threads = [threading.Thread(target=contextvars.copy_context().run, args=(work,), daemon=True) for _ in range(min(width, len(tasks)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[min(errors)]
    return [results[index] for index in range(len(tasks))]


def _headers(call: EmbeddingCall, outcomes: Sequence[Outcome[Any]]) -> dict[str, str]:
    """The explain headers of chat, for every batch: credentials used, attempts, batches."""
    labels = list(dict.fromkeys(outcome.credential.label for outcome in outcomes))
    headers = {
        "X-Gateway-Upstream-Model": call.route.base,
        "X-Gateway-Attempts": str(len(call.record.attempts)),
        "X-Gateway-Batches": str(len(call.batches.bodies)),
    }
    if labels:
        headers["X-Gateway-Credential"] = ", ".join(labels)
    return headers


def _dry_run_plan(gateway: Gateway, call: EmbeddingCall) -> DryRun:
    url = _predict_url(gateway, call.route.base)
    return DryRun(
        endpoint="embeddings",
        model=call.route.requested,
        upstream_model=call.route.base,
        kinds=call.kinds,
        rewrites=(),
        requests=tuple(PlannedRequest(url=url, body=body) for body in call.batches.bodies),
    )
