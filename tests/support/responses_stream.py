"""Responses stream helpers for tests: validate every event and accumulate a stream with the
``openai`` SDK's own accumulator (``ResponseStreamState``, what ``client.responses.stream``
uses), so a test sees exactly what a client built from the events."""

from __future__ import annotations

from typing import Any, Iterable

from openai._models import construct_type
from openai._types import omit
from openai.lib.streaming.responses._responses import ResponseStreamState
from openai.types.responses import ResponseStreamEvent

from tests.support.openai_schema import assert_valid

TERMINAL = ("response.completed", "response.incomplete", "response.failed")


def check_events(events: list[dict[str, Any]]) -> None:
    """Each event valid, numbered 0, 1, 2...; created first, one terminal event last; distinct
    output indexes, each item added before its done (a failed stream may leave the last one open)."""
    for event in events:
        assert_valid(event, "ResponseStreamEvent")
    assert [event["sequence_number"] for event in events] == list(range(len(events)))
    assert [event["type"] for event in events[:2]] == ["response.created", "response.in_progress"]
    assert events[-1]["type"] in TERMINAL
    assert sum(event["type"] in TERMINAL for event in events) == 1
    added = [event["output_index"] for event in events if event["type"] == "response.output_item.added"]
    done = [event["output_index"] for event in events if event["type"] == "response.output_item.done"]
    assert added == sorted(set(added)) == list(range(len(added)))
    if events[-1]["type"] == "response.failed":
        assert done == added[: len(done)]
    else:
        assert done == added


def sdk_accumulate(events: Iterable[dict[str, Any]], **parse: Any) -> Any:
    """The SDK's final response for the stream (``stream.get_final_response()``, or the response
    of ``response.incomplete``/``failed``), via its state."""
    state = ResponseStreamState(input_tools=parse.get("tools", omit), text_format=parse.get("text_format", omit))
    snapshot = None
    for event in events:
        typed = construct_type(type_=ResponseStreamEvent, value=event)
        for sdk_event in state.handle_event(typed):
            if sdk_event.type in TERMINAL:
                snapshot = sdk_event.response
    return snapshot


def sdk_snapshot(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The output the SDK built from the deltas alone (its running snapshot), as plain dicts."""
    state = ResponseStreamState(input_tools=omit, text_format=omit)
    for event in events:
        if event["type"] in TERMINAL:
            break
        state.handle_event(construct_type(type_=ResponseStreamEvent, value=event))
    current = state._ResponseStreamState__current_snapshot  # the SDK keeps its snapshot private
    return [item.to_dict() for item in current.output] if current is not None else []
