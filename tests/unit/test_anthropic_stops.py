"""The gateway's stop sequences: text in pieces in, answer text out, cut at the first match."""

from __future__ import annotations

import pytest

from adapter.translate.anthropic.stops import StopScanner


@pytest.mark.parametrize(
    ("sequences", "pieces", "emitted", "matched"),
    [
        ((), ["a", "b"], ["a", "b"], None),
        (("END",), ["abc"], ["abc"], None),
        (("END",), ["ab", "E"], ["ab", ""], None),
        (("END",), ["abE", "N", "D!"], ["ab", "", ""], "END"),
        (("END",), ["abE", "x"], ["ab", "Ex"], None),
        (("</a>", "<"), ["x<", "/a>"], ["x"], "<"),
        (("abcd", "bc"), ["abcd"], ["a"], "bc"),
        (("abcd", "bc"), ["ab", "cd"], ["", "a"], "bc"),
        (("cd", "bcd"), ["abcd"], ["a"], "bcd"),
        (("xyz",), ["xy", "", "z after"], ["", "", ""], "xyz"),
        (("END",), ["END", "more"], ["", ""], "END"),
    ],
)
def test_feed(sequences: tuple[str, ...], pieces: list[str], emitted: list[str], matched: str | None) -> None:
    scanner = StopScanner(sequences)
    assert [scanner.feed(piece) for piece in pieces][: len(emitted)] == emitted
    assert scanner.matched == matched


def test_flush_gives_back_what_was_held() -> None:
    scanner = StopScanner(("</answer>",))
    assert scanner.feed("done </ans") == "done "
    assert scanner.flush() == "</ans"
    assert scanner.flush() == "" and scanner.matched is None
