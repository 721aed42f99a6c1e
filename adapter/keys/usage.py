"""The ``GET /v1/usage`` report: per-key totals for today and the last 30 UTC days (pure)."""

from __future__ import annotations

from typing import Mapping, Sequence, TypedDict

from ..state import Usage

REPORT_DAYS = 30


class Totals(TypedDict):
    requests: int
    tokens: int


class KeyUsage(TypedDict):
    name: str
    today: Totals
    last_30_days: Totals
    daily: list[dict[str, object]]


def _totals(tallies: Sequence[Usage]) -> Totals:
    return {"requests": sum(t.requests for t in tallies), "tokens": sum(t.tokens for t in tallies)}


def key_usage(name: str, tally: Mapping[str, Usage], days: Sequence[str]) -> KeyUsage:
    """One key's report; ``days`` are the report's days, oldest first (the last one is today)."""
    today = days[-1]
    return {
        "name": name,
        "today": _totals([tally[today]] if today in tally else []),
        "last_30_days": _totals([tally[day] for day in days if day in tally]),
        "daily": [{"date": day, "requests": tally[day].requests, "tokens": tally[day].tokens} for day in days if day in tally],
    }


def usage_report(per_key: Mapping[str, Mapping[str, Usage]], days: Sequence[str]) -> dict[str, object]:
    """Every key's report, in the order given (days without use are left out of ``daily``)."""
    return {
        "object": "usage_report",
        "today": days[-1],
        "first_day": days[0],
        "keys": [key_usage(name, tally, days) for name, tally in per_key.items()],
    }
