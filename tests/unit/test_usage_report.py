"""The /v1/usage report built from per-key daily tallies (pure)."""

from __future__ import annotations

from adapter.keys.limiter import recent_days
from adapter.keys.usage import usage_report
from adapter.state import Usage

DAYS = recent_days(1_800_000_000.0, 30)  # 2027-01-15 is today


def test_the_report_days_are_the_last_30_utc_days_ending_today() -> None:
    assert (len(DAYS), DAYS[0], DAYS[-1]) == (30, "2026-12-17", "2027-01-15")


def test_each_key_gets_today_the_30_day_total_and_the_days_it_was_used() -> None:
    tallies = {
        "alice": {"2026-12-17": Usage(1, 10), "2027-01-14": Usage(2, 20), "2027-01-15": Usage(3, 30)},
        "bob": {},
    }
    report = usage_report(tallies, DAYS)
    assert report["object"] == "usage_report" and report["today"] == "2027-01-15" and report["first_day"] == "2026-12-17"
    alice, bob = report["keys"]  # type: ignore[misc]
    assert alice == {
        "name": "alice",
        "today": {"requests": 3, "tokens": 30},
        "last_30_days": {"requests": 6, "tokens": 60},
        "daily": [
            {"date": "2026-12-17", "requests": 1, "tokens": 10},
            {"date": "2027-01-14", "requests": 2, "tokens": 20},
            {"date": "2027-01-15", "requests": 3, "tokens": 30},
        ],
    }
    assert bob == {"name": "bob", "today": {"requests": 0, "tokens": 0}, "last_30_days": {"requests": 0, "tokens": 0}, "daily": []}
