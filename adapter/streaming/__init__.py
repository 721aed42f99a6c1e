"""Relaying an upstream event stream to a client as server-sent events, for any front door.

Nothing here knows Chat Completions, Responses or Messages: a front door brings an
:class:`~adapter.streaming.wire.EventTranslator` (upstream event in, its own events out) and an
:class:`~adapter.streaming.wire.SSEWire` (how its events look on the wire).

- :mod:`.wire`: the translator protocol and the SSE framings;
- :mod:`.pump`: opens the upstream in its own greenlet (failover, backoff, first events);
- :mod:`.relay`: the response body: translated frames, keep-alives, a final error event;
- :mod:`.frames`: one translator's output as bytes, usage noted and failures classified;
- :mod:`.disconnect`: noticing a client that hung up while nothing is written to it.
"""
