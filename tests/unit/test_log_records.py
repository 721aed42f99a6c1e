"""What the gateway's log records carry, and what they leave out to stay cheap per request."""

from __future__ import annotations

import logging
import os

import gevent

from adapter.log import LineFormatter, configure_logging


def test_records_skip_thread_names_but_keep_the_process_id_gunicorn_prints() -> None:
    configure_logging("INFO", [])
    spawned = gevent.spawn(logging.getLogger("adapter.requests").makeRecord, "adapter.requests", logging.INFO, __file__, 1, "line", None, None)
    spawned.join()
    record = spawned.value
    assert record.threadName is None and record.processName is None
    assert record.process == os.getpid()


def test_the_line_formatter_writes_what_the_standard_one_does() -> None:
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    standard, line = logging.Formatter(fmt), LineFormatter(fmt)
    for created in (1_764_900_000.0, 1_764_900_000.9995, 1_764_900_001.0004, 1_764_900_001.5, 1_764_986_399.999):
        record = logging.LogRecord("adapter.requests", logging.INFO, __file__, 1, "line", None, None)
        record.created, record.msecs = created, (created - int(created)) * 1000
        assert line.format(record) == standard.format(record)
