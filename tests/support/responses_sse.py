"""Reading a Responses stream off the wire: ``event:`` / ``data:`` frames, each checked."""

from __future__ import annotations

import json
from typing import Any

import requests

from tests.support.responses_stream import check_events


def read_events(response: requests.Response) -> list[dict[str, Any]]:
    """The events of a streamed Responses answer; every ``event:`` line names its data's type."""
    events: list[dict[str, Any]] = []
    name = None
    for line in response.iter_lines(decode_unicode=True):
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            event = json.loads(line[6:])
            assert event["type"] == name
            events.append(event)
    check_events(events)
    return events
