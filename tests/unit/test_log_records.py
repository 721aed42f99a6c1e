"""What the gateway's log records carry, and what they leave out to stay cheap per request."""

from __future__ import annotations

import logging
import os

import gevent

from adapter.log import configure_logging


def test_records_skip_thread_names_but_keep_the_process_id_gunicorn_prints() -> None:
    configure_logging("INFO", [])
    spawned = gevent.spawn(logging.getLogger("adapter.requests").makeRecord, "adapter.requests", logging.INFO, __file__, 1, "line", None, None)
    spawned.join()
    record = spawned.value
    assert record.threadName is None and record.processName is None
    assert record.process == os.getpid()
