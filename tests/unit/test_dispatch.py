"""Failover: retry on the next credential, cooldowns, cross-kind backup, final errors."""

from __future__ import annotations

from typing import Callable

import pytest
import requests

from adapter.errors import NotConfigured, RateLimited, UpstreamError
from adapter.upstream.credentials import Credential
from adapter.upstream.dispatch import Dispatcher
from adapter.upstream.pool import CredentialPool


def pool(kind: str, n: int) -> CredentialPool:
    session = requests.Session()
    return CredentialPool(
        [Credential(kind=kind, index=i, source=f"#{i}", session=session) for i in range(n)], round_robin=True  # type: ignore[arg-type]
    )


def dispatcher(express: int, accounts: int, max_retries: int | None = None) -> tuple[Dispatcher, list[float]]:
    sleeps: list[float] = []
    return Dispatcher({"express": pool("express", express), "service_account": pool("service_account", accounts)}, max_retries=max_retries, sleep=sleeps.append), sleeps


def scripted(statuses: list[int]) -> Callable[[Credential], str]:
    answers = iter(statuses)

    def call(cred: Credential) -> str:
        status = next(answers)
        if status != 200:
            raise UpstreamError("boom", upstream_status=status)
        return cred.label

    return call


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 0, 401, 403])
def test_retryable_failure_moves_to_the_next_credential(status: int) -> None:
    d, sleeps = dispatcher(express=3, accounts=0)
    outcome = d.run(("express",), scripted([status, 200]))
    assert outcome.value == "express#1"
    assert [(a.credential, a.status) for a in outcome.attempts] == [("express#0", status), ("express#1", 200)]
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 2.0


@pytest.mark.parametrize("status", [400, 404, 409, 413])
def test_client_errors_are_final(status: int) -> None:
    d, _ = dispatcher(express=3, accounts=0)
    attempts: list = []
    with pytest.raises(UpstreamError) as caught:
        d.run(("express",), scripted([status, 200]), attempts=attempts)
    assert caught.value.upstream_status == status
    assert len(attempts) == 1


def test_each_credential_is_tried_at_most_once() -> None:
    d, _ = dispatcher(express=2, accounts=0, max_retries=5)
    attempts: list = []
    with pytest.raises(UpstreamError):
        d.run(("express",), scripted([503, 503, 200]), attempts=attempts)
    assert [a.credential for a in attempts] == ["express#0", "express#1"]


def test_retry_budget_defaults_to_pool_size_capped_at_three() -> None:
    d, _ = dispatcher(express=6, accounts=0)
    attempts: list = []
    with pytest.raises(UpstreamError):
        d.run(("express",), scripted([500] * 10), attempts=attempts)
    assert len(attempts) == 4


def test_max_retries_zero_means_one_attempt() -> None:
    d, sleeps = dispatcher(express=3, accounts=0, max_retries=0)
    attempts: list = []
    with pytest.raises(UpstreamError) as caught:
        d.run(("express",), scripted([429, 200]), attempts=attempts)
    assert caught.value.upstream_status == 429
    assert [(a.credential, a.status) for a in attempts] == [("express#0", 429)] and sleeps == []


def test_express_and_service_accounts_back_each_other_up() -> None:
    d, _ = dispatcher(express=1, accounts=2)
    kinds = d.plan("auto", prefer_express=True)
    assert kinds == ("express", "service_account")
    outcome = d.run(kinds, scripted([429, 200]))
    assert outcome.value == "sa#0"


def test_forced_kind_does_not_fall_back() -> None:
    d, _ = dispatcher(express=1, accounts=2)
    assert d.plan("express", prefer_express=False) == ("express",)
    with pytest.raises(UpstreamError):
        d.run(("express",), scripted([429, 200]))


def test_all_cooling_down_gives_429_with_retry_after() -> None:
    d, _ = dispatcher(express=2, accounts=0)
    for cred in d.pools["express"].credentials:
        d.pools["express"].report(cred, 429, retry_after=30)
    with pytest.raises(RateLimited) as caught:
        d.run(("express",), scripted([200]))
    assert caught.value.status == 429
    assert caught.value.headers["Retry-After"] in {"29", "30"}


@pytest.mark.parametrize(
    "choice,express,accounts,fragment",
    [
        ("express", 0, 2, "VERTEX_EXPRESS_API_KEY"),
        ("service_account", 2, 0, "GOOGLE_CREDENTIALS_JSON"),
        ("auto", 0, 0, "VERTEX_EXPRESS_API_KEY"),
    ],
)
def test_plan_says_what_to_configure(choice: str, express: int, accounts: int, fragment: str) -> None:
    d, _ = dispatcher(express=express, accounts=accounts)
    with pytest.raises(NotConfigured, match=fragment) as caught:
        d.plan(choice, prefer_express=True)  # type: ignore[arg-type]
    assert caught.value.status == 503


def failing_with(status: int, retry_after: float | None) -> Callable[[Credential], str]:
    calls = iter([True, False])

    def call(cred: Credential) -> str:
        if next(calls):
            raise UpstreamError("busy", upstream_status=status, retry_after=retry_after)
        return cred.label

    return call


@pytest.mark.parametrize(
    "status,retry_after,low,high",
    [
        (503, 1.5, 1.5, 1.5),  # the service asked for a pause: honoured before the next attempt
        (500, 60.0, 10.0, 10.0),  # ... up to RETRY_AFTER_CAP
        (503, 0.01, 0.05, 0.1),  # shorter than the backoff: the backoff wins
        (503, None, 0.05, 0.1),  # no Retry-After: jittered exponential backoff
        (429, 30.0, 0.05, 0.1),  # a 429's Retry-After cools that key down; the next key is tried at once
    ],
)
def test_backoff_honours_retry_after_except_for_rate_limits(status: int, retry_after: float | None, low: float, high: float) -> None:
    d, sleeps = dispatcher(express=2, accounts=0)
    assert d.run(("express",), failing_with(status, retry_after)).value == "express#1"
    assert len(sleeps) == 1 and low <= sleeps[0] <= high


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    d, sleeps = dispatcher(express=8, accounts=0, max_retries=7)
    with pytest.raises(UpstreamError):
        d.run(("express",), scripted([500] * 8))
    ceilings = [min(2.0, 0.1 * 2**i) for i in range(7)]
    assert all(c / 2 <= s <= c for s, c in zip(sleeps, ceilings))



@pytest.mark.parametrize(
    "max_retries,first,second",
    [(0, [200], [200]), (None, [503, 200], [503, 200])],
    ids=["no retries", "default budget"],
)
def test_a_second_run_for_the_same_request_has_its_own_budget(max_retries: int | None, first: list[int], second: list[int]) -> None:
    """The malformed-function-call retry runs the dispatcher again with the request's attempts:
    what the first run spent neither shrinks the second run's budget nor delays its first try."""
    d, sleeps = dispatcher(express=1, accounts=1, max_retries=max_retries)
    attempts: list = []
    d.run(("express", "service_account"), scripted(first), attempts=attempts)
    sleeps.clear()
    outcome = d.run(("express", "service_account"), scripted(second), attempts=attempts)
    assert outcome.value == ("express#0" if second == [200] else "sa#0")
    assert [a.status for a in attempts] == first + second
    assert len(sleeps) == len(second) - 1
