"""The only code that talks HTTP to Vertex AI.

:class:`VertexClient` builds URLs for a credential, posts JSON bodies and opens SSE streams.
Every failure becomes an :class:`~adapter.errors.UpstreamError` that keeps the upstream status
(0 when Vertex could not be reached) and Google's message. Keys travel in headers, never in URLs.

Requests go out on connections of the urllib3 pool that the credential's ``requests`` session
mounted (:class:`SessionPools`), not through ``Session.request``: requests' per-request layers
(a scan of the proxy variables and ``.netrc`` on every call, request preparation, cookie jars,
hooks) cost about 0.5 ms of a 1.3 ms gateway request and 1.2 ms of a stream's opening, for one
host and fixed headers. What they did that matters is kept: the session still owns the pool
(sizes, mounts, abortable connections of :mod:`.inflight`), proxies and CA bundle come from the
environment as requests would take them (read once per host), requests' default headers are
sent (a gzip or deflate answer is decoded), and a service account's token is handled by
google-auth as ``AuthorizedSession`` does (:mod:`.google_token`).

Measured (commit dae529c, one gevent worker): 1.33 → 0.93 CPU-ms per non-streaming request and
3.60 → 2.93 per 50-chunk stream; keeping the pool per host (commit 6ee81af) took it to 0.87.
Then urllib3's ``urlopen`` and http.client gave way to one exchange written and read by hand on
the pool's connection (:mod:`.exchange`, :mod:`.http_head`): see that commit for its figures.
It leans on requests' adapter methods (``get_connection_with_tls_context``, ``cert_verify``,
``request_url``) and urllib3's pool methods (``_get_conn``, ``_put_conn``, ``_prepare_proxy``);
``tests/unit/test_library_internals.py`` fails, naming the pinned version, when they change.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

import orjson
import requests
from urllib3 import HTTPConnectionPool
from urllib3.util.proxy import connection_requires_http_tunnel

from ..errors import UpstreamError
from .connect_errors import FAILURE_DESCRIPTIONS, failure_class, os_reason
from .credential_failures import AUTH_FAILURE, TOKEN_ERROR, TokenFailure, credential_error, refused_by_vertex
from .credentials import Credential
from .exchange import Answer, BodyBroken, ConnectFailed, Route, post, request_bytes
from .google_errors import error_from_response, timeout_error
from .stream import UpstreamStream

if TYPE_CHECKING:
    from collections.abc import Mapping

logger = logging.getLogger(__name__)

GLOBAL_HOST = "https://aiplatform.googleapis.com"
_DEFAULT_HEADERS = dict(requests.utils.default_headers())  # what requests sent: User-Agent, Accept-Encoding...
JSON_HEADERS = {**_DEFAULT_HEADERS, "Content-Type": "application/json"}
STREAM_HEADERS = {**_DEFAULT_HEADERS, "Content-Type": "application/json", "Accept": "text/event-stream", "Accept-Encoding": "identity"}
_ERROR_BODY_LIMIT = 64 * 1024


def vertex_host(location: str) -> str:
    """The Google host for a location: the global host, or ``{location}-aiplatform``."""
    if location == "global":
        return GLOBAL_HOST
    return f"https://{location}-aiplatform.googleapis.com"


class Target(NamedTuple):
    """Where requests' ``HTTPAdapter.send`` would send a URL: the route and the request target."""

    route: Route
    path: str

    @property
    def pool(self) -> HTTPConnectionPool:
        return self.route.pool


class SessionPools:
    """Finds the pool of a session's adapter for a URL, with requests' environment settings.

    ``Session.request`` merged, on every call, the proxies of ``HTTPS_PROXY``/``NO_PROXY``...
    and the CA bundle of ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``, then asked the adapter for
    the pool (~50 µs under gevent, its locks included). Here the CA bundle is read once, and the
    proxies and the pool once per session and host (a deployment talks to one or two hosts); a
    pool closed since is looked up again.
    """

    def __init__(self, environ: "Mapping[str, str]" = os.environ) -> None:
        self.verify: bool | str = environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE") or True
        self._routes: dict[tuple[requests.Session, str], tuple[Route, bool]] = {}

    def target(self, session: requests.Session, url: str) -> Target:
        scheme, _, rest = url.partition("://")
        host, slash, path = rest.partition("/")
        origin = f"{scheme}://{host}"
        found = self._routes.get((session, origin))
        if found is None or found[0].pool.pool is None:
            found = self._routes[(session, origin)] = self._route(session, url, scheme, host)
        route, absolute = found
        return Target(route, url if absolute else slash + path or "/")

    def _route(self, session: requests.Session, url: str, scheme: str, host: str) -> tuple[Route, bool]:
        """The route to ``url``'s host, and whether the request target is the whole URL (a
        plain-HTTP proxy takes it so)."""
        request = requests.PreparedRequest()
        request.url = url  # already a valid URL: no re-parsing (prepare_url) needed
        proxies = requests.utils.get_environ_proxies(f"{scheme}://{host}", no_proxy=None)
        adapter: Any = session.get_adapter(url)
        pool = adapter.get_connection_with_tls_context(request, self.verify, proxies=proxies)
        adapter.cert_verify(pool, url, self.verify, None)
        tunnel = connection_requires_http_tunnel(pool.proxy, pool.proxy_config, scheme)
        proxy_headers = {} if tunnel or pool.proxy is None else dict(pool.proxy_headers)
        return Route(pool, host, tunnel, proxy_headers), adapter.request_url(request, proxies) == url


class VertexClient:
    def __init__(self, *, base_url: str | None, location: str, connect_timeout: float, read_timeout: float, pools: SessionPools | None = None) -> None:
        self.location = location
        self.base_url = (base_url or vertex_host(location)).rstrip("/")
        self.express_base_url = (base_url or GLOBAL_HOST).rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self._pools = pools or SessionPools()

    def model_url(self, cred: Credential, model: str, method: str, *, version: str = "v1") -> str:
        """The URL of ``method`` (``generateContent``, ``predict``...) on ``model`` for ``cred``.

        Every variable part is a percent-encoded path segment: a model name never adds a path,
        a method, a query or a fragment (front doors refuse odd names before; this holds anyway).
        """
        resource = f"{_segment(model)}:{_segment(method)}"
        if cred.kind == "express":
            return f"{self.express_base_url}/{version}/publishers/google/models/{resource}"
        return f"{self._project_url(cred, version)}/publishers/google/models/{resource}"

    def openai_url(self, cred: Credential) -> str:
        """Vertex's OpenAI-compatible chat completions endpoint for a service account."""
        return f"{self._project_url(cred, 'v1beta1')}/endpoints/openapi/chat/completions"

    def _project_url(self, cred: Credential, version: str) -> str:
        return f"{self.base_url}/{version}/projects/{_segment(cred.project or '')}/locations/{_segment(self.location)}"

    def post_json(self, cred: Credential, url: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body``; return the decoded JSON object or raise :class:`UpstreamError`."""
        answer = self._send(cred, url, body, JSON_HEADERS)
        try:
            content = answer.read()
            if answer.status != 200:
                raise refused_by_vertex(error_from_response(answer.status, content, answer.headers), cred)
            parsed = orjson.loads(content)
        except TimeoutError as exc:  # a stall mid-body, as urllib3's ReadTimeoutError was mapped
            raise unreachable(exc, None) from None
        except (BodyBroken, OSError):
            raise UpstreamError("The connection to Vertex AI broke during the answer.", upstream_status=0, code="upstream_connection_broken") from None
        except orjson.JSONDecodeError:
            raise UpstreamError("Vertex AI sent an answer that is not JSON.", upstream_status=502, code="upstream_bad_answer") from None
        finally:
            answer.close()
        if type(parsed) is not dict:
            raise UpstreamError("Vertex AI sent an answer that is not a JSON object.", upstream_status=502, code="upstream_bad_answer")
        return parsed

    def open_stream(self, cred: Credential, url: str, body: dict[str, Any]) -> UpstreamStream:
        """Open an SSE stream; raises :class:`UpstreamError` if Vertex refuses it, or if it sends
        the stream compressed although asked not to (``Accept-Encoding: identity``)."""
        answer = self._send(cred, url, body, STREAM_HEADERS)
        if answer.status != 200:
            try:
                content = answer.read(_ERROR_BODY_LIMIT)
            except (BodyBroken, OSError):
                content = b""
            finally:
                answer.close()
            raise refused_by_vertex(error_from_response(answer.status, content, answer.headers), cred)
        if (answer.headers.get("content-encoding") or "identity").lower() != "identity":
            answer.close()
            raise UpstreamError("Vertex AI sent a compressed stream although asked not to.", upstream_status=502, code="upstream_bad_event")
        return UpstreamStream(answer, self.timeout[1])

    def _send(self, cred: Credential, url: str, body: dict[str, Any], headers: dict[str, str]) -> Answer:
        """POST ``body`` and return the answer once its head is in (the body unread).

        A service account's request carries google-auth's token; a 401 gets the token refreshed
        and the request sent again, as ``AuthorizedSession`` does.
        """
        data = orjson.dumps(body)
        target = self._pools.target(cred.session, url)
        refreshes = 0
        try:
            while True:
                request_headers = {**headers, **cred.headers}
                if cred.token is not None:
                    cred.token.apply(request_headers, url, self.timeout)
                answer = self._exchange(target, data, request_headers)
                if answer.status != 401 or cred.token is None or refreshes >= cred.token.max_refreshes:
                    return answer
                answer.close()
                refreshes += 1
                logger.debug("refreshing the token of %s after a 401 (attempt %d)", cred.label, refreshes)
                cred.token.refresh(self.timeout)
        except TokenFailure as failure:
            raise credential_error(cred, failure.reason, TOKEN_ERROR if failure.transient else AUTH_FAILURE) from None

    def _exchange(self, target: Target, data: bytes, headers: dict[str, str]) -> Answer:
        """One POST (:mod:`.exchange`); its failures as urllib3's were mapped through requests."""
        connect_timeout, read_timeout = self.timeout
        try:
            return post(target.route, request_bytes(target.route, target.path, headers, data), connect_timeout, read_timeout)
        except ConnectFailed as failed:
            raise unreachable(failed.cause, connect_timeout) from None
        except TimeoutError:
            raise timeout_error(read_timeout) from None
        except (OSError, ValueError) as exc:
            raise unreachable(exc, connect_timeout) from None


def _segment(value: str) -> str:
    """``value`` as one URL path segment: everything but letters, digits, ``-._~@`` encoded."""
    return quote(value, safe="@")


def unreachable(exc: BaseException, connect_timeout: float | None) -> UpstreamError:
    """The error of a connection to Vertex AI that failed, naming the kind of failure (DNS,
    refused, TLS, timeout...) in the message and the log line. A connect timeout is a 504."""
    kind = failure_class(exc)
    logger.warning("could not connect to Vertex AI: %s (%s) %s", kind, FAILURE_DESCRIPTIONS[kind], os_reason(exc))
    if kind == "timeout":
        after = f" after {connect_timeout:g}s" if connect_timeout else ""
        error = UpstreamError(f"Could not connect to Vertex AI: connection timed out{after}.", upstream_status=0, code="upstream_timeout")
        error.status = 504
        return error
    return UpstreamError(f"Could not connect to Vertex AI: {FAILURE_DESCRIPTIONS[kind]}.", upstream_status=0, code="upstream_unreachable")
