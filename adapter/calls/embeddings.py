"""Embeddings through the pipeline: one ``:predict`` plan per batch, sent a few at a time.

Same credentials, routing and failover as chat: the model name may carry ``[EXPRESS]`` or
``[PAY]``; each batch (at most the model's per-request limit, see ``embedding_models`` in the
capability table) is dispatched on its own, with failover; the answer keeps the input order.
"""

from __future__ import annotations

import contextvars
import threading
from dataclasses import dataclass
from typing import Any, Callable, Sequence, TypeVar, cast

from ..errors import InvalidRequest, NotFound
from ..gateway import Gateway
from ..request_log import current_record
from ..routing.capabilities import EmbeddingModel
from ..routing.model_name import ModelRoute
from ..translate.embeddings import plan_batches
from ..upstream.dispatch import Attempt, Outcome
from .opening import poster
from .plan import PREDICT, CallPlan, credential_order

PARALLEL_BATCHES = 4
"""How many ``:predict`` calls one request keeps in flight (greenlets under gevent)."""

T = TypeVar("T")


@dataclass(frozen=True)
class EmbeddingBatches:
    """One plan per batch, and how many inputs each batch holds."""

    plans: tuple[CallPlan, ...]
    sizes: tuple[int, ...]


def embedding_batches(gateway: Gateway, body: dict[str, Any]) -> EmbeddingBatches:
    """The batches of a validated embeddings request (sends nothing)."""
    route = gateway.route_of(str(body["model"]))
    model = _embedding_model(gateway, route)
    record = current_record()
    record.note_model(route)
    kinds = credential_order(gateway, route, model)
    batches = plan_batches(cast(Any, body), model)
    plans = tuple(CallPlan(route=route, caps=model, kinds=kinds, body=cast(dict[str, Any], batch), method=PREDICT, record=record) for batch in batches.bodies)
    return EmbeddingBatches(plans=plans, sizes=batches.sizes)


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


def send_batches(gateway: Gateway, plans: Sequence[CallPlan]) -> list[Outcome[Any]]:
    """Every batch's answer, in order (the first failure is raised)."""
    try:
        return in_parallel([lambda plan=plan: _send_batch(gateway, plan) for plan in plans], PARALLEL_BATCHES)
    finally:
        plans[0].record.note_attempts()


def _send_batch(gateway: Gateway, plan: CallPlan) -> Outcome[Any]:
    attempts: list[Attempt] = []  # the dispatcher counts a run's budget on its list: one per batch
    try:
        return gateway.dispatcher.run(plan.kinds, poster(gateway, plan), attempts=attempts)
    finally:
        plan.record.attempts.extend(attempts)


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
