"""A service account's session and access token, through google-auth.

:func:`authorized_session` builds the account's ``AuthorizedSession`` (which owns its
credentials and its connection pool) and a :class:`GoogleToken` for it.

:class:`VertexClient <adapter.upstream.vertex.VertexClient>` sends through the urllib3 pool of
the account's ``AuthorizedSession`` rather than through ``AuthorizedSession.request``; this
module keeps the rest of what that method did: google-auth's ``before_request`` (refresh when
needed, then the ``Authorization`` header), and a refresh before each retry of a 401 (at most
google-auth's ``DEFAULT_MAX_REFRESH_ATTEMPTS``). The credentials object stays the session's own
(``session.credentials``), so the token is cached and refreshed in one place.

Refreshes run in the background while the token is still valid: google-auth's non-blocking
mode starts a refresh thread once the token is within ``REFRESH_THRESHOLD`` (3 min 45 s) of
expiry and keeps sending the current token meanwhile; a request waits for a refresh only when
there is no valid token at all (the first call, or after a failed background refresh).

Imported only when service accounts are configured (google-auth and cryptography cost ~11 MB).
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

import requests
from google.auth import exceptions as auth_exceptions
from google.auth import transport as auth_transport
from google.auth.transport import requests as google_requests
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account

from .connect_errors import FAILURE_DESCRIPTIONS, failure_class
from .credential_failures import TokenFailure
from .inflight import mount_tracked_pool

MAX_REFRESH_ATTEMPTS: int = auth_transport.DEFAULT_MAX_REFRESH_ATTEMPTS
SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
IAM_HOST = "iamcredentials.googleapis.com"
IAM_MTLS_HOST = "iamcredentials.mtls.googleapis.com"


class GoogleToken:
    """Adds a service account's token to a request's headers; refreshes it after a 401."""

    max_refreshes = MAX_REFRESH_ATTEMPTS

    def __init__(self, session: AuthorizedSession, auth_request: google_requests.Request) -> None:
        self.credentials = session.credentials
        self.credentials.with_non_blocking_refresh()
        self._auth_request = auth_request

    def apply(self, headers: dict[str, str], url: str, timeout: tuple[float, float]) -> None:
        """google-auth's ``before_request``: a refresh if needed, then ``Authorization``."""
        try:
            self.credentials.before_request(self._request(timeout), "POST", url, headers)
        except TOKEN_ERRORS as exc:
            raise token_error(exc) from None

    def refresh(self, timeout: tuple[float, float]) -> None:
        """Get a new token now (Vertex answered 401: the token was revoked or expired early)."""
        try:
            self.credentials.refresh(self._request(timeout))
        except TOKEN_ERRORS as exc:
            raise token_error(exc) from None

    def _request(self, timeout: tuple[float, float]) -> Any:
        # As AuthorizedSession does: token grants get the timeout of the request they serve.
        return functools.partial(self._auth_request, timeout=timeout)


TOKEN_ERRORS = (auth_exceptions.RefreshError, auth_exceptions.TransportError)


def token_error(exc: Exception) -> TokenFailure:
    """The :class:`TokenFailure` of a failed token grant (never with the token's text): refused
    (``invalid_grant``...), or transient (the token endpoint's 5xx, a timeout, no answer)."""
    if isinstance(exc, auth_exceptions.RefreshError):
        transient = bool(getattr(exc, "retryable", False))
        return TokenFailure(refresh_reason(exc), transient=transient)
    return TokenFailure(f"could not reach the token endpoint: {FAILURE_DESCRIPTIONS[failure_class(exc)]}", transient=True)


def refresh_reason(exc: auth_exceptions.RefreshError) -> str:
    """Google's words for a failed grant (``error: error_description`` of its JSON answer, as
    google-auth words it), or a note that the answer was not JSON (its body is not repeated)."""
    if len(exc.args) > 1:  # (google-auth's words, the decoded JSON answer)
        return str(exc.args[0])
    return "the token endpoint's answer was not JSON"


def authorized_session(info: dict[str, Any], pool_size: int, isolated: bool) -> tuple[AuthorizedSession, GoogleToken]:
    """The session (pool sized to ``pool_size``) and token of the account in key file ``info``.

    Raises ValueError (or TypeError, KeyError) for a private key google-auth cannot read.
    ``isolated``: Google's hosts are replaced (``VERTEX_BASE_URL``); see :func:`_auth_request`.
    """
    creds = service_account.Credentials.from_service_account_info(info, scopes=list(SCOPES))
    auth_request = _auth_request(isolated)
    session = AuthorizedSession(creds, auth_request=auth_request)
    mount_tracked_pool(session, pool_size)
    return session, GoogleToken(session, auth_request)


class _NoNetwork(requests.adapters.BaseAdapter):
    """Refuses every request without touching the network."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        raise requests.ConnectionError(f"{urlsplit(request.url or '').hostname} is not contacted when VERTEX_BASE_URL is set")

    def close(self) -> None:
        return None


def _auth_request(isolated: bool) -> google_requests.Request:
    """The transport google-auth uses for token grants (the key file's ``token_uri``).

    google-auth also looks up a regional access boundary at Google's IAM host after each token
    grant; when ``VERTEX_BASE_URL`` replaces Google (an emulator, a proxy), that host is refused
    locally so that no request leaves for Google.
    """
    session = requests.Session()
    if isolated:
        session.mount(f"https://{IAM_HOST}/", _NoNetwork())
        session.mount(f"https://{IAM_MTLS_HOST}/", _NoNetwork())
    return google_requests.Request(session)
