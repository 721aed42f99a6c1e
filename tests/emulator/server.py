"""``VertexEmulator``: a real HTTP server on loopback that plays Vertex AI for the test suite.

One instance serves a whole test run (the conftest starts it once and calls :meth:`reset`
between tests). Typical use::

    emulator = VertexEmulator().start()
    key = emulator.new_service_account("my-project")       # key.info -> the key file's JSON
    express = emulator.new_express_key()
    emulator.enqueue(Reply.error(429), model="gemini-2.5-flash", credential="express#0")
    ...
    assert emulator.last_call(method="streamGenerateContent").stream.outcome == "client_disconnected"
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from typing import Any, Iterable, Mapping

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from .app import EmulatorApp
from .auth import ServiceAccountKey
from .models import DEFAULT_MODELS, ModelFacts
from .records import CallRecord, StreamRecord
from .script import QueuedReply, Reply, normalize_credential, normalize_method
from .state import EmulatorState

logger = logging.getLogger(__name__)


class _QuietHandler(WSGIRequestHandler):
    """No access log; server errors go to this module's logger."""

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - werkzeug's signature
        if type == "error":
            logger.error(message, *args)


class _Server(ThreadedWSGIServer):
    """A deeper listen backlog than werkzeug's 128, for soak tests with many concurrent clients."""

    request_queue_size = 1024


def _as_reply(reply: Reply | Mapping[str, Any] | list[Any]) -> Reply:
    if isinstance(reply, Reply):
        return reply
    if isinstance(reply, list):
        return Reply.stream(reply)
    return Reply.unary(reply)


def _models(models: Mapping[str, ModelFacts] | Iterable[str] | None) -> dict[str, ModelFacts]:
    if models is None:
        return dict(DEFAULT_MODELS)
    if isinstance(models, Mapping):
        return dict(models)
    return {name: DEFAULT_MODELS.get(name, ModelFacts(name=name)) for name in models}


class VertexEmulator:
    def __init__(self, models: Mapping[str, ModelFacts] | Iterable[str] | None = None, host: str = "127.0.0.1") -> None:
        self.state = EmulatorState(_models(models))
        self.host = host
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> "VertexEmulator":
        if self._server is None:
            self.state.stopping.clear()
            self._server = _Server(self.host, 0, EmulatorApp(self.state), handler=_QuietHandler)
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="vertex-emulator", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self.state.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._server = self._thread = None

    def __enter__(self) -> "VertexEmulator":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return f"http://{self.host}:{self._server.server_port}"

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    def model_url(self, model: str, method: str = "generateContent", *, project: str | None = None,
                  location: str = "global", version: str = "v1", sse: bool = True) -> str:
        """URL of a model method: project-scoped when ``project`` is given, else Express mode.

        ``streamGenerateContent`` gets ``?alt=sse`` unless ``sse`` is False.
        """
        scope = f"projects/{project}/locations/{location}/" if project else ""
        query = "?alt=sse" if sse and method == "streamGenerateContent" else ""
        return f"{self.url}/{version}/{scope}publishers/google/models/{model}:{method}{query}"

    def openai_base_url(self, project: str, location: str = "global", version: str = "v1beta1") -> str:
        """``base_url`` for an OpenAI client on the OpenAI-compatible endpoint."""
        return f"{self.url}/{version}/projects/{project}/locations/{location}/endpoints/openapi"

    def reset(self) -> None:
        """Clear scripts, records, faults and token scripts; keep credentials, tokens and signatures."""
        self.state.reset()

    # -- credentials ----------------------------------------------------------------------------------
    def new_service_account(self, project_id: str = "emulated-project", extra_projects: Iterable[str] = ()) -> ServiceAccountKey:
        """Generate a key file pointing at this emulator's token endpoint, and register it."""
        key = ServiceAccountKey.generate(project_id, token_uri=self.token_uri)
        self.register_service_account(key, extra_projects)
        return key

    def register_service_account(self, key: ServiceAccountKey, extra_projects: Iterable[str] = ()) -> str:
        """Accept JWTs signed by ``key``; returns its label (``sa#N``, in registration order)."""
        return self.state.add_account(key, extra_projects)

    def new_express_key(self, project: str | None = None) -> str:
        key = "AQ.Ab8RN6" + secrets.token_urlsafe(30)
        self.register_express_key(key, project)
        return key

    def register_express_key(self, key: str, project: str | None = None) -> str:
        """Accept ``key`` in Express mode; returns its label (``express#N``)."""
        return self.state.add_express_key(key, project)

    def disable_express_key(self, key: str, disabled: bool = True) -> None:
        """A disabled key gets 403 (until :meth:`reset` or ``disabled=False``)."""
        with self.state.lock:
            self.state.express_keys[key].disabled = disabled

    def fail_token_requests(self, account: str | ServiceAccountKey, times: int = 1, status: int = 400,
                            body: Mapping[str, Any] | None = None) -> None:
        """The next ``times`` token grants for ``account`` fail with ``status``/``body``."""
        self.state.script_tokens(_email(account), failures=times, status=status, body=body)

    def set_token_lifetime(self, account: str | ServiceAccountKey, seconds: int) -> None:
        """Tokens granted to ``account`` from now on expire after ``seconds`` (``expires_in``)."""
        self.state.script_tokens(_email(account), lifetime=seconds)

    def revoke_tokens(self, account: str | ServiceAccountKey | None = None) -> None:
        """Forget issued access tokens (of one account, or all): their next use gets 401."""
        self.state.revoke_tokens(None if account is None else _email(account))

    def access_token(self, account: str | ServiceAccountKey, lifetime: int = 3599) -> str:
        """A valid bearer token for ``account`` (a test shortcut: no JWT, not counted as a grant)."""
        return self.state.mint_token(_email(account), lifetime)

    def token_grants(self, account: str | ServiceAccountKey | None = None) -> int:
        """Tokens granted since the last reset (to one account, or in total)."""
        with self.state.lock:
            if account is None:
                return sum(self.state.grants.values())
            return self.state.grants[_email(account)]

    # -- models and signatures -------------------------------------------------------------------------
    @property
    def models(self) -> dict[str, ModelFacts]:
        return dict(self.state.models)

    def add_model(self, facts: ModelFacts) -> None:
        with self.state.lock:
            self.state.models[facts.name] = facts

    def issue_signature(self) -> str:
        """A new signature the emulator will accept, as if a Gemini 3 model had sent it."""
        return self.state.issue_signature()

    def remember_signature(self, signature: str) -> None:
        self.state.remember_signatures([signature])

    # -- scripting ------------------------------------------------------------------------------------
    def enqueue(self, *replies: Reply | Mapping[str, Any] | list[Any], model: str | None = None,
                credential: Any = None, method: str | Iterable[str] | None = None, times: int = 1) -> None:
        """Queue replies for the next matching calls, in order.

        Filters: ``model`` (the model id in the URL), ``credential`` (``"sa#0"``/``"express#1"``, an email,
        an express key or a ServiceAccountKey), ``method`` (``generateContent``, ``streamGenerateContent``,
        ``countTokens``, ``predict``, ``chat.completions``). Each reply is used ``times`` times.
        A dict is a unary reply, a list a stream.
        """
        for reply in replies:
            entry = QueuedReply(0, _as_reply(reply), model, normalize_credential(credential), normalize_method(method), times)
            self.state.enqueue(entry)

    def always(self, reply: Reply | Mapping[str, Any] | list[Any], *, model: str | None = None,
               credential: Any = None, method: str | Iterable[str] | None = None) -> None:
        """A standing reply for every matching call once the queue has none (until reset)."""
        entry = QueuedReply(0, _as_reply(reply), model, normalize_credential(credential), normalize_method(method), None)
        self.state.enqueue(entry, standing=True)

    def pending(self) -> list[dict[str, Any]]:
        """Queued replies not consumed yet (standing replies excluded)."""
        with self.state.lock:
            return [entry.describe() for entry in self.state.queue]

    # -- records --------------------------------------------------------------------------------------
    @property
    def calls(self) -> list[CallRecord]:
        with self.state.lock:
            return list(self.state.calls)

    def calls_for(self, method: str | None = None, *, model: str | None = None, credential: Any = None,
                  outcome: str | None = None) -> list[CallRecord]:
        """Recorded calls filtered by RPC ``method`` name, ``model``, ``credential`` and ``outcome``."""
        wanted = normalize_credential(credential)
        return [
            call for call in self.calls
            if (method is None or call.rpc == method) and (model is None or call.model == model)
            and (outcome is None or call.outcome == outcome)
            and (wanted is None or wanted in (call.credential, call.credential_label)
                 or (call.credential is not None and wanted == call.credential[1]))
        ]

    def last_call(self, method: str | None = None, **filters: Any) -> CallRecord:
        matching = self.calls_for(method, **filters)
        if not matching:
            raise AssertionError(f"no recorded call matches method={method!r} {filters}")
        return matching[-1]

    def streams(self) -> list[StreamRecord]:
        with self.state.lock:
            return list(self.state.streams)

    def open_streams(self) -> int:
        """Streamed responses currently being served."""
        return sum(1 for stream in self.streams() if stream.is_open)

    def wait_until(self, predicate: Any, timeout: float = 2.0, interval: float = 0.01) -> bool:
        """Poll ``predicate()`` until true or ``timeout``; returns its last value."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                return bool(predicate())
            time.sleep(interval)
        return True

    def wait_for_streams_closed(self, timeout: float = 2.0) -> bool:
        return self.wait_until(lambda: self.open_streams() == 0, timeout)


def _email(account: str | ServiceAccountKey) -> str:
    return account if isinstance(account, str) else account.client_email
