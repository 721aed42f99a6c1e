"""Client keys: who may call the gateway, which models, and how much.

- :mod:`.definitions` (pure): :class:`ClientKey` and the parsing of a keys document.
- :mod:`.registry`: the keys in force (``API_KEY`` as admin, ``CLIENT_KEYS``, ``CLIENT_KEYS_FILE``
  re-read on change or ``SIGHUP``) and the constant-time lookup of a presented key.
- :mod:`.limiter`: requests and tokens per minute and tokens per day over the state layer's
  fixed-window counters (:mod:`.counters` falls back to the worker's memory during an outage).
"""
