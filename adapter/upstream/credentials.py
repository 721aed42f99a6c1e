"""Loading of Vertex AI credentials: Express API keys and service accounts.

Service accounts come from ``GOOGLE_CREDENTIALS_JSON`` (one or more JSON objects separated by
commas, or a JSON array) or, when that is unset, from every ``*.json`` file in
``CREDENTIALS_DIR``. A credential that cannot be used is reported by its position or file name,
never by its content, and the others still load.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Literal

import requests

from ..log import private_key_secrets, register_secrets

if TYPE_CHECKING:
    from .google_token import GoogleToken

logger = logging.getLogger(__name__)

CredentialKind = Literal["express", "service_account"]
KIND_LABELS: dict[str, str] = {"express": "express", "service_account": "sa"}
_REQUIRED_FIELDS = ("type", "client_email", "private_key", "token_uri")


@dataclass(eq=False)
class Credential:
    """One Express key or service account. Prints as ``kind#index``, never its secret.

    ``session`` owns the connection pool; ``headers`` carry an Express key; ``token`` adds a
    service account's access token (the credentials of its ``AuthorizedSession``).
    """

    kind: CredentialKind
    index: int
    source: str
    session: requests.Session = field(repr=False)
    project: str | None = None
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    token: GoogleToken | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return f"{KIND_LABELS[self.kind]}#{self.index}"

    def __repr__(self) -> str:
        return f"<Credential {self.label} ({self.source})>"

    __str__ = __repr__


@dataclass(frozen=True)
class LoadReport:
    """What start-up loaded, for the log and the health endpoint."""

    loaded: int
    rejected: tuple[str, ...]


def express_credentials(keys: tuple[str, ...], session: requests.Session) -> list[Credential]:
    """One credential per Express key, all sharing ``session`` (same host, one pool)."""
    return [
        Credential(kind="express", index=i, source=f"VERTEX_EXPRESS_API_KEY #{i + 1}", session=session, headers={"x-goog-api-key": key})
        for i, key in enumerate(keys)
    ]


def split_json_objects(text: str) -> Iterator[Any]:
    """Yield the JSON values in ``text``: a JSON array, or values separated by commas.

    Splitting on commas would break private keys; this scans value by value instead.
    Raises ValueError at the first position that does not hold a JSON value.
    """
    stripped = text.strip()
    if stripped.startswith("["):
        value = json.loads(stripped)
        if isinstance(value, list):
            yield from value
            return
    decoder = json.JSONDecoder()
    position = 0
    while position < len(stripped):
        while position < len(stripped) and stripped[position] in " \t\r\n,":
            position += 1
        if position >= len(stripped):
            return
        value, position = decoder.raw_decode(stripped, position)
        yield value


def _service_account_session(info: Any, where: str, pool_size: int, isolated: bool) -> tuple[requests.Session, GoogleToken, str | None]:
    if not isinstance(info, dict):
        raise ValueError(f"{where} is not a JSON object")
    missing = [name for name in _REQUIRED_FIELDS if not info.get(name)]
    if missing:
        raise ValueError(f"{where} lacks {', '.join(missing)}")
    if info.get("type") != "service_account":
        raise ValueError(f"{where} is not a service-account key (type must be service_account)")
    # Imported here: google-auth and cryptography cost ~11 MB and ~0.1 s of start-up, which a
    # deployment with Express keys only does not need.
    from .google_token import authorized_session

    try:
        session, token = authorized_session(info, pool_size, isolated)
    except (ValueError, TypeError, KeyError):
        raise ValueError(f"{where} holds an unreadable private key") from None
    return session, token, info.get("project_id")


def _service_account_sources(json_text: str | None, directory: Path) -> Iterator[tuple[str, Any]]:
    """(where, parsed JSON or the exception that stopped parsing) for each configured account."""
    if json_text is not None:
        position = 0
        try:
            for position, info in enumerate(split_json_objects(json_text), start=1):
                yield f"GOOGLE_CREDENTIALS_JSON entry #{position}", info
        except ValueError:
            yield f"GOOGLE_CREDENTIALS_JSON entry #{position + 1}", ValueError("not valid JSON")
        return
    if not directory.is_dir():
        return
    for path in sorted(directory.glob("*.json")):
        try:
            yield f"file {path.name}", json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            yield f"file {path.name}", ValueError("not valid JSON")


def service_account_credentials(
    json_text: str | None, directory: Path, project_override: str | None, pool_size: int, *, isolated: bool = False
) -> tuple[list[Credential], LoadReport]:
    """Load every service account; report the unusable ones by position or file name.

    ``isolated``: Google's hosts are replaced (``VERTEX_BASE_URL``); see :mod:`.google_token`.
    """
    credentials: list[Credential] = []
    rejected: list[str] = []
    for where, info in _service_account_sources(json_text, directory):
        if isinstance(info, dict) and isinstance(info.get("private_key"), str):
            register_secrets(private_key_secrets(info["private_key"]))
        try:
            if isinstance(info, ValueError):
                raise ValueError(f"{where} is {info}")
            session, token, project = _service_account_session(info, where, pool_size, isolated)
        except ValueError as exc:
            logger.warning("skipping service account: %s", exc)
            rejected.append(str(exc))
            continue
        project = project_override or project
        if not project:
            message = f"{where} has no project_id and GCP_PROJECT_ID is not set"
            logger.warning("skipping service account: %s", message)
            rejected.append(message)
            continue
        credentials.append(Credential(kind="service_account", index=len(credentials), source=where, session=session, project=project, token=token))
    return credentials, LoadReport(loaded=len(credentials), rejected=tuple(rejected))
