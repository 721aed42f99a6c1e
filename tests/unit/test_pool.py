"""Credential pools: round-robin spread, random choice, cooldowns, exclusion."""

from __future__ import annotations

import logging
import random
from collections import Counter

import pytest
import requests

from adapter.upstream.credentials import Credential
from adapter.upstream.pool import AllCoolingDown, CredentialPool


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def creds(n: int, kind: str = "express") -> list[Credential]:
    session = requests.Session()
    return [Credential(kind=kind, index=i, source=f"#{i + 1}", session=session) for i in range(n)]  # type: ignore[arg-type]


def test_round_robin_visits_every_credential_in_turn() -> None:
    pool = CredentialPool(creds(3), round_robin=True)
    assert [pool.acquire().index for _ in range(7)] == [0, 1, 2, 0, 1, 2, 0]


def test_random_choice_spreads_over_all_credentials() -> None:
    pool = CredentialPool(creds(3), round_robin=False, rng=random.Random(7))
    counts = Counter(pool.acquire().index for _ in range(300))
    assert set(counts) == {0, 1, 2}
    assert min(counts.values()) > 60


@pytest.mark.parametrize("round_robin", [True, False])
def test_exclusion_and_exhaustion(round_robin: bool) -> None:
    pool = CredentialPool(creds(2), round_robin=round_robin)
    first = pool.acquire()
    second = pool.acquire(exclude={first.index})
    assert second.index != first.index
    assert pool.acquire(exclude={0, 1}) is None


def test_429_cools_a_credential_down_for_retry_after_then_it_returns() -> None:
    clock = FakeClock()
    pool = CredentialPool(creds(2), round_robin=True, cooldown=60, clock=clock)
    cred0 = pool.credentials[0]
    pool.report(cred0, 429, retry_after=5)
    assert {pool.acquire().index for _ in range(4)} == {1}
    assert pool.cooling_count() == 1
    clock.now += 5.1
    assert {pool.acquire().index for _ in range(4)} == {0, 1}


def test_all_cooling_down_says_how_long() -> None:
    clock = FakeClock()
    pool = CredentialPool(creds(2), round_robin=True, cooldown=60, clock=clock)
    pool.report(pool.credentials[0], 429, retry_after=10)
    pool.report(pool.credentials[1], 429)
    with pytest.raises(AllCoolingDown) as caught:
        pool.acquire()
    assert caught.value.retry_after == pytest.approx(10)


def test_auth_failure_cools_longer_and_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    pool = CredentialPool(creds(2), round_robin=True, cooldown=60, auth_cooldown=600, clock=clock)
    with caplog.at_level(logging.ERROR):
        pool.report(pool.credentials[1], 403)
        pool.report(pool.credentials[1], 403)
    assert len([r for r in caplog.records if "express#1" in r.getMessage()]) == 1
    clock.now += 300
    assert {pool.acquire().index for _ in range(4)} == {0}
    states = {s["credential"]: s for s in pool.states()}
    assert states["express#1"]["last_status"] == 403
    assert states["express#1"]["cooling_down_for"] == pytest.approx(300, abs=1)


def test_credential_repr_never_shows_secrets() -> None:
    session = requests.Session()
    cred = Credential(kind="express", index=2, source="VERTEX_EXPRESS_API_KEY #3", session=session, headers={"x-goog-api-key": "AIzaSECRET"})
    assert "AIzaSECRET" not in repr(cred) and "AIzaSECRET" not in str(cred)
    assert cred.label == "express#2"


def test_states_name_each_credential_and_its_cooldown_never_its_secret() -> None:
    clock = FakeClock()
    session = requests.Session()
    pool = CredentialPool(
        [Credential(kind="express", index=i, source=f"VERTEX_EXPRESS_API_KEY #{i + 1}", session=session, headers={"x-goog-api-key": f"AQ.secret{i}"}) for i in range(2)],
        round_robin=True,
        clock=clock,
    )
    pool.report(pool.credentials[0], 429, retry_after=30)
    pool.report(pool.credentials[1], 200)
    first, second = pool.states()
    assert (first["credential"], first["kind"], first["index"], first["last_status"]) == ("express#0", "express", 0, 429)
    assert first["cooling_down_for"] == 30 and str(first["cooling_down_until"]).endswith("Z")
    assert (second["cooling_down_for"], second["cooling_down_until"], second["last_status"]) == (0, None, 200)
    assert "AQ.secret" not in repr(pool.states())


def test_peek_shows_the_next_turn_without_taking_it() -> None:
    pool = CredentialPool(creds(3), round_robin=True)
    assert pool.acquire().index == 0
    assert pool.peek().index == 1
    assert pool.peek().index == 1
    assert [pool.acquire().index for _ in range(3)] == [1, 2, 0]


def test_token_endpoint_errors_rest_a_few_seconds_doubling_in_a_row_and_reset_on_success() -> None:
    clock = FakeClock()
    pool = CredentialPool(creds(1, "service_account"), round_robin=True, clock=clock)
    cred = pool.credentials[0]
    rests = []
    for _ in range(6):
        pool.report(cred, 503, failure="token_error", detail="temporarily_unavailable")
        rests.append(pool.states()[0]["cooling_down_for"])
        clock.now += 61
    assert rests == [5.0, 10.0, 20.0, 40.0, 60.0, 60.0]
    pool.report(cred, 200)
    pool.report(cred, 503, failure="token_error")
    assert pool.states()[0]["cooling_down_for"] == 5.0


@pytest.mark.parametrize(
    "failure,status,reason",
    [("token_error", 503, "token_error"), ("auth_failure", 400, "auth_failure"), (None, 403, "auth_failure"), (None, 429, "rate_limit")],
)
def test_every_cooldown_keeps_its_reason_for_errors_and_health(failure: str | None, status: int, reason: str) -> None:
    pool = CredentialPool(creds(1), round_robin=True, clock=FakeClock())
    pool.report(pool.credentials[0], status, failure=failure, detail="Google's words" if failure else None)
    state = pool.states()[0]
    assert state["cooling_reason"] == reason
    with pytest.raises(AllCoolingDown) as caught:
        pool.acquire()
    assert caught.value.resting["express#0"][0] == reason
