"""The worker's resolver: gevent's thread resolver, answers kept 30 s, one lookup per name at a time."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import gevent
import pytest

from adapter.resolver_cache import TTL_SECONDS, CachingResolver

ROOT = Path(__file__).resolve().parents[2]
LITERAL = ("127.0.0.1", 8080, 0, socket.SOCK_STREAM, 0, 0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_answer_is_reused_until_it_is_30_seconds_old() -> None:
    clock = Clock()
    resolver = CachingResolver(clock=clock)
    first = resolver.getaddrinfo(*LITERAL)
    assert first == socket.getaddrinfo(*LITERAL)
    clock.now += TTL_SECONDS - 1
    assert resolver.getaddrinfo(*LITERAL) == first
    assert resolver.lookups == 1
    clock.now += 1
    assert resolver.getaddrinfo(*LITERAL) == first
    assert resolver.lookups == 2


def test_a_caller_cannot_change_the_kept_answer() -> None:
    resolver = CachingResolver()
    resolver.getaddrinfo(*LITERAL).clear()
    assert resolver.getaddrinfo(*LITERAL) == socket.getaddrinfo(*LITERAL)


def test_different_questions_are_different_answers() -> None:
    resolver = CachingResolver()
    resolver.getaddrinfo("127.0.0.1", 80, 0, socket.SOCK_STREAM)
    other = resolver.getaddrinfo("127.0.0.1", 443, 0, socket.SOCK_STREAM)
    assert {entry[4][1] for entry in other} == {443}
    assert resolver.lookups == 2


def test_concurrent_callers_share_one_lookup() -> None:
    resolver = CachingResolver()
    callers = [gevent.spawn(resolver.getaddrinfo, *LITERAL) for _ in range(50)]
    gevent.joinall(callers, raise_error=True)
    assert resolver.lookups == 1
    assert all(caller.value == socket.getaddrinfo(*LITERAL) for caller in callers)


def test_a_failed_lookup_is_not_kept_and_fails_every_waiter() -> None:
    resolver = CachingResolver()
    question = ("not-an-address", 80, 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)
    callers = [gevent.spawn(resolver.getaddrinfo, *question) for _ in range(5)]
    gevent.joinall(callers)
    assert all(isinstance(caller.exception, socket.gaierror) for caller in callers)
    with pytest.raises(socket.gaierror):
        resolver.getaddrinfo(*question)
    assert resolver.lookups == 2


def test_waiters_look_up_themselves_when_the_lookup_they_waited_for_is_killed() -> None:
    resolver = CachingResolver()
    first = gevent.spawn(resolver.getaddrinfo, *LITERAL)
    waiter = gevent.spawn(resolver.getaddrinfo, *LITERAL)
    gevent.sleep(0)  # both started: the first looks up (in the thread pool), the second waits for it
    first.kill()
    assert waiter.get(timeout=5) == socket.getaddrinfo(*LITERAL)
    assert resolver.lookups == 2


def test_the_worker_uses_it_unless_gevent_resolver_is_set() -> None:
    probe = (
        "import runpy, os; runpy.run_path('gunicorn.conf.py');"
        "import gevent; print(type(gevent.get_hub().resolver).__name__)"
    )
    env = {key: value for key, value in os.environ.items() if key != "GEVENT_RESOLVER"}
    chosen = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert chosen.stdout.strip() == "CachingResolver"
    env["GEVENT_RESOLVER"] = "block"
    chosen = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert chosen.stdout.strip() == "Resolver"
