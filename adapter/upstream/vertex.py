"""The only code that talks HTTP to Vertex AI.

:class:`VertexClient` builds URLs for a credential, posts JSON bodies and opens SSE streams.
Every failure becomes an :class:`~adapter.errors.UpstreamError` that keeps the upstream status
(0 when Vertex could not be reached) and Google's message. Keys travel in headers, never in URLs.
"""

from __future__ import annotations

import email.utils
import logging
import socket
import time
from typing import Any, Iterator

import orjson
import requests
from google.auth import exceptions as auth_exceptions
from urllib3 import exceptions as urllib3_exceptions

from ..errors import UpstreamError
from .credentials import Credential
from .sse import SSEDecoder

logger = logging.getLogger(__name__)

GLOBAL_HOST = "https://aiplatform.googleapis.com"
JSON_HEADERS = {"Content-Type": "application/json"}
STREAM_HEADERS = {"Content-Type": "application/json", "Accept": "text/event-stream", "Accept-Encoding": "identity"}
_ERROR_BODY_LIMIT = 64 * 1024
DONE_PAYLOAD = b"[DONE]"  # the end marker of OpenAI-framed streams (direct mode)


def vertex_host(location: str) -> str:
    """The Google host for a location: the global host, or ``{location}-aiplatform``."""
    if location == "global":
        return GLOBAL_HOST
    return f"https://{location}-aiplatform.googleapis.com"


class VertexClient:
    def __init__(self, *, base_url: str | None, location: str, connect_timeout: float, read_timeout: float) -> None:
        self.location = location
        self.base_url = (base_url or vertex_host(location)).rstrip("/")
        self.express_base_url = (base_url or GLOBAL_HOST).rstrip("/")
        self.timeout = (connect_timeout, read_timeout)

    def model_url(self, cred: Credential, model: str, method: str, *, version: str = "v1") -> str:
        """The URL of ``method`` (``generateContent``, ``predict``...) on ``model`` for ``cred``."""
        if cred.kind == "express":
            return f"{self.express_base_url}/{version}/publishers/google/models/{model}:{method}"
        return f"{self.base_url}/{version}/projects/{cred.project}/locations/{self.location}/publishers/google/models/{model}:{method}"

    def openai_url(self, cred: Credential) -> str:
        """Vertex's OpenAI-compatible chat completions endpoint for a service account."""
        return f"{self.base_url}/v1beta1/projects/{cred.project}/locations/{self.location}/endpoints/openapi/chat/completions"

    def post_json(self, cred: Credential, url: str, body: dict[str, Any]) -> Any:
        """POST ``body``; return the decoded JSON answer or raise :class:`UpstreamError`."""
        response = self._post(cred, url, body, JSON_HEADERS, stream=False)
        try:
            if response.status_code != 200:
                raise error_from_response(response.status_code, response.content, response.headers)
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise UpstreamError("Vertex AI sent an answer that is not JSON.", upstream_status=502) from None
        finally:
            response.close()

    def open_stream(self, cred: Credential, url: str, body: dict[str, Any]) -> "UpstreamStream":
        """Open an SSE stream; raises :class:`UpstreamError` if Vertex refuses it."""
        response = self._post(cred, url, body, STREAM_HEADERS, stream=True)
        if response.status_code != 200:
            try:
                content = response.raw.read(_ERROR_BODY_LIMIT, decode_content=True)
            except (requests.RequestException, OSError):
                content = b""
            finally:
                response.close()
            raise error_from_response(response.status_code, content, response.headers)
        return UpstreamStream(response)

    def _post(self, cred: Credential, url: str, body: dict[str, Any], headers: dict[str, str], *, stream: bool) -> requests.Response:
        data = orjson.dumps(body)
        all_headers = {**headers, **cred.headers} if cred.headers else headers
        try:
            return cred.session.post(url, data=data, headers=all_headers, timeout=self.timeout, stream=stream)
        except requests.Timeout:
            raise timeout_error(self.timeout[1]) from None
        except requests.ConnectionError:
            raise UpstreamError("Could not connect to Vertex AI.", upstream_status=0, code="upstream_unreachable") from None
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
            raise UpstreamError("The connection to Vertex AI broke during the answer.", upstream_status=0, code="upstream_connection_broken") from None
        except auth_exceptions.RefreshError as exc:
            raise UpstreamError(f"Vertex AI refused the service account's token request ({_refresh_reason(exc)}).", upstream_status=401, code="credential_refused") from None
        except auth_exceptions.TransportError:
            raise UpstreamError("Could not reach Google's token endpoint.", upstream_status=0, code="upstream_unreachable") from None


class UpstreamStream:
    """An open SSE response from Vertex. Iterate :meth:`events`; always :meth:`close`;
    :meth:`abort` from elsewhere to make the reader stop."""

    def __init__(self, response: requests.Response) -> None:
        self.response = response

    def events(self) -> Iterator[Any]:
        """Decoded JSON events. Raises :class:`UpstreamError` for an ``error`` event or a cut."""
        decoder = SSEDecoder()
        try:
            for piece in _raw_pieces(self.response.raw):
                for payload in decoder.feed(piece):
                    if payload == DONE_PAYLOAD:
                        return
                    yield _decode_event(payload)
            for payload in decoder.close():
                if payload != DONE_PAYLOAD:
                    yield _decode_event(payload)
        except (urllib3_exceptions.ReadTimeoutError, TimeoutError):
            raise timeout_error(None) from None
        except (urllib3_exceptions.HTTPError, requests.RequestException, OSError):
            raise UpstreamError("The connection to Vertex AI broke during the stream.", upstream_status=0, code="upstream_stream_broken") from None

    def abort(self) -> None:
        """Cut the connection from another thread (or greenlet) than the one reading it.

        Closing the response there is not safe (the reader holds its buffer) and does not wake
        a read blocked on the socket; shutting the socket down does both: the blocked read
        returns at once, the reader closes the stream, and Vertex sees the connection end.
        """
        connection = getattr(self.response.raw, "connection", None)
        sock = getattr(connection, "sock", None)
        try:
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
            else:
                self.response.raw.shutdown()
        except (ValueError, RuntimeError, OSError, AttributeError):
            pass

    def close(self) -> None:
        """Close the stream (from the thread that reads it)."""
        self.response.close()


def _raw_pieces(raw: Any) -> Iterator[bytes]:
    if raw.chunked and raw.supports_chunked_reads():
        yield from raw.read_chunked(None, decode_content=True)
        return
    while True:
        data = raw.read1(65536)
        if not data:
            return
        yield data


def _decode_event(payload: bytes) -> Any:
    try:
        event = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise UpstreamError("Vertex AI sent a stream event that is not JSON.", upstream_status=502, code="upstream_bad_event") from None
    if isinstance(event, list) and len(event) == 1:
        event = event[0]
    if isinstance(event, dict) and "error" in event:
        raise error_from_google(event["error"], None)
    return event


def timeout_error(read_timeout: float | None) -> UpstreamError:
    detail = f" within {read_timeout:g}s" if read_timeout else ""
    error = UpstreamError(f"Vertex AI did not answer{detail}.", upstream_status=0, code="upstream_timeout")
    error.status = 504
    return error


def _refresh_reason(exc: auth_exceptions.RefreshError) -> str:
    first = exc.args[0] if exc.args else ""
    reason = str(first).split(":", 1)[0].strip()
    return reason if reason.replace("_", "").isalnum() else "refused"


def error_from_response(status: int, content: bytes, headers: Any) -> UpstreamError:
    """An :class:`UpstreamError` from a Vertex error answer (google.rpc.Status JSON)."""
    retry_after = parse_retry_after(headers.get("Retry-After") if headers is not None else None)
    try:
        parsed = orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        parsed = None
    if isinstance(parsed, list) and parsed:
        parsed = parsed[0]
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        error = parsed["error"]
        error.setdefault("code", status)
        return error_from_google(error, retry_after, status=status)
    return UpstreamError(f"Vertex AI answered HTTP {status}.", upstream_status=status, retry_after=retry_after)


def error_from_google(error: dict[str, Any], retry_after: float | None, *, status: int | None = None) -> UpstreamError:
    """An :class:`UpstreamError` from a google.rpc.Status object (``{"code", "message", "status"}``)."""
    code = status if status is not None else error.get("code")
    upstream_status = code if isinstance(code, int) and 100 <= code < 600 else 500
    if retry_after is None:
        retry_after = _retry_info_delay(error.get("details"))
    message = error.get("message") if isinstance(error.get("message"), str) else ""
    canonical = error.get("status")
    return UpstreamError(
        message or f"Vertex AI answered HTTP {upstream_status}.",
        upstream_status=upstream_status,
        retry_after=retry_after,
        code=canonical.lower() if isinstance(canonical, str) and canonical else None,
    )


def _retry_info_delay(details: Any) -> float | None:
    if not isinstance(details, list):
        return None
    for detail in details:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            delay = detail.get("retryDelay")
            if isinstance(delay, str) and delay.endswith("s"):
                try:
                    return float(delay[:-1])
                except ValueError:
                    return None
    return None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
