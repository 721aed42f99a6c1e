"""A Vertex AI emulator on loopback for the test suite (real HTTP, Vertex's exact wire format).

See :class:`VertexEmulator` for the server, :class:`Reply` for scripting answers and faults,
:mod:`tests.emulator.payloads` for realistic response builders.
"""

from . import payloads
from .auth import ServiceAccountKey
from .models import DEFAULT_MODELS, ModelFacts
from .records import CallRecord, StreamRecord
from .script import Reply
from .server import VertexEmulator

__all__ = [
    "DEFAULT_MODELS", "CallRecord", "ModelFacts", "Reply", "ServiceAccountKey", "StreamRecord", "VertexEmulator",
    "payloads",
]
