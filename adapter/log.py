"""Logging: one configuration, request ids on every record, secrets redacted.

:func:`configure_logging` runs before the app is built. Every record passes through
:class:`RedactSecrets`, which replaces the configured secrets (client key, Express keys) and
anything shaped like an OAuth token or a private key with ``[REDACTED]``: the code never logs
them on purpose, and this filter makes sure a library cannot either.
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from typing import Iterable

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_TOKEN_SHAPES = re.compile(
    r"ya29\.[\w.\-]+"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----"
    r"|Bearer\s+[\w.\-~+/=]+"
    r"|eyJ[\w\-]+\.[\w\-]+\.[\w\-]+",
    re.DOTALL,
)
REDACTED = "[REDACTED]"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RedactSecrets(logging.Filter):
    """Replaces known secrets and token-shaped strings in the final message."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return _TOKEN_SHAPES.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


HANDLER_NAME = "adapter"
QUIET_LIBRARIES = ("urllib3", "google", "werkzeug")


def configure_logging(level: str, secrets: Iterable[str]) -> None:
    """Install the gateway's handler on the root logger (replacing an earlier one of ours).

    Other handlers (gunicorn's, pytest's) are left alone.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactSecrets(secrets))
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
