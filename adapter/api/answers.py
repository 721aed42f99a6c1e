"""Vertex AI answers that translation cannot read: a 502 that says so, not an internal error.

Translation trusts the shapes Google documents and does not check every field of every event
(that would cost CPU on each chunk). An answer that breaks them (a proxy's answer, a field of
another type) makes it raise one of :data:`UNREADABLE`; the views catch those around the
translation of upstream data and raise :func:`unreadable_answer` instead, so the client gets a
502 (or, mid-stream, an error event) and the log the traceback.
"""

from __future__ import annotations

import logging

from ..errors import UpstreamError

logger = logging.getLogger(__name__)

UNREADABLE = (AttributeError, IndexError, KeyError, TypeError, ValueError)


def unreadable_answer() -> UpstreamError:
    """The error for the exception being handled (logged with its traceback)."""
    logger.warning("an answer from Vertex AI could not be translated", exc_info=True)
    return UpstreamError("Vertex AI sent an answer that the gateway could not read.", upstream_status=502, code="upstream_bad_answer")
