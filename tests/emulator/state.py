"""The emulator's shared state: credentials, tokens, the reply queue, signatures, records.

Every method takes the one lock; the server threads and the test thread share one instance.
"""

from __future__ import annotations

import base64
import os
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from cryptography.hazmat.primitives.asymmetric import rsa

from . import errors
from .auth import GrantError, ServiceAccountKey, check_grant, verify_jwt
from .models import ModelFacts
from .records import CallRecord, Credential, StreamRecord
from .script import QueuedReply, Reply

PLACEHOLDER_PROJECT = "express-mode-project"


@dataclass
class Account:
    email: str
    key_id: str
    public_key: rsa.RSAPublicKey
    project: str
    projects: frozenset[str]
    label: str


@dataclass
class ExpressKey:
    label: str
    project: str
    disabled: bool = False


@dataclass
class TokenScript:
    failures: int = 0
    status: int = 400
    body: Mapping[str, Any] | None = None
    lifetime: int | None = None


@dataclass
class Identity:
    credential: Credential
    label: str
    project: str
    projects: frozenset[str] = field(default_factory=frozenset)


class EmulatorState:
    def __init__(self, models: Mapping[str, ModelFacts]) -> None:
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self.models = dict(models)
        self.accounts: dict[str, Account] = {}
        self.express_keys: dict[str, ExpressKey] = {}
        self.tokens: dict[str, tuple[str, float]] = {}
        self.grants: Counter[str] = Counter()
        self.token_scripts: dict[str, TokenScript] = {}
        self.signatures: set[str] = set()
        self.queue: list[QueuedReply] = []
        self.standing: list[QueuedReply] = []
        self.calls: list[CallRecord] = []
        self.streams: list[StreamRecord] = []
        self._seq = 0

    # -- credentials ------------------------------------------------------------------------------
    def add_account(self, key: ServiceAccountKey, extra_projects: Iterable[str] = ()) -> str:
        with self.lock:
            existing = self.accounts.get(key.client_email)
            label = existing.label if existing else f"sa#{len(self.accounts)}"
            projects = frozenset({key.project_id, *extra_projects})
            self.accounts[key.client_email] = Account(
                key.client_email, key.private_key_id, key.public_key, key.project_id, projects, label)
            return label

    def add_express_key(self, key: str, project: str | None) -> str:
        with self.lock:
            existing = self.express_keys.get(key)
            label = existing.label if existing else f"express#{len(self.express_keys)}"
            self.express_keys[key] = ExpressKey(label, project or PLACEHOLDER_PROJECT)
            return label

    def public_key(self, email: str, key_id: str) -> rsa.RSAPublicKey | None:
        with self.lock:
            account = self.accounts.get(email)
        if account is None or (key_id and key_id != account.key_id):
            return None
        return account.public_key

    # -- tokens -------------------------------------------------------------------------------------
    def grant(self, form: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """Answer a token request: (status, JSON body)."""
        try:
            claims = check_grant(form, self.public_key)
        except GrantError as exc:
            return exc.status, exc.body()
        email = str(claims["iss"])
        with self.lock:
            script = self.token_scripts.get(email)
            if script is not None and script.failures:
                script.failures -= 1
                return script.status, dict(script.body or GrantError("Token endpoint failure (scripted).").body())
            lifetime = script.lifetime if script is not None and script.lifetime is not None else 3599
            token = self.mint_token(email, lifetime)
            self.grants[email] += 1
        return 200, {"access_token": token, "expires_in": lifetime, "token_type": "Bearer"}

    def mint_token(self, email: str, lifetime: int = 3599) -> str:
        """An access token for ``email`` without a grant (not counted in ``grants``)."""
        token = "ya29.emulated-" + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = (email, time.time() + lifetime)
        return token

    def script_tokens(self, email: str, **changes: Any) -> None:
        with self.lock:
            script = self.token_scripts.setdefault(email, TokenScript())
            for name, value in changes.items():
                setattr(script, name, value)

    def revoke_tokens(self, email: str | None) -> None:
        with self.lock:
            for token, (owner, _) in list(self.tokens.items()):
                if email is None or owner == email:
                    del self.tokens[token]

    def identify_bearer(self, token: str) -> Identity | None:
        with self.lock:
            entry = self.tokens.get(token)
            account = self.accounts.get(entry[0]) if entry and entry[1] > time.time() else None
        if account is None and token.count(".") == 2:
            account = self._self_signed(token)
        if account is None:
            return None
        return Identity(("service_account", account.email), account.label, account.project, account.projects)

    def _self_signed(self, token: str) -> Account | None:
        """A self-signed JWT used directly as the bearer token (wire fact 28)."""
        try:
            claims = verify_jwt(token, self.public_key)
        except GrantError:
            return None
        with self.lock:
            return self.accounts.get(str(claims["iss"]))

    def identify_key(self, key: str) -> Identity:
        with self.lock:
            entry = self.express_keys.get(key)
        if entry is None:
            raise errors.api_key_invalid()
        if entry.disabled:
            raise errors.api_key_disabled()
        return Identity(("express", key), entry.label, entry.project, frozenset({entry.project}))

    # -- signatures ---------------------------------------------------------------------------------
    def issue_signature(self) -> str:
        signature = "AY89a1" + base64.b64encode(os.urandom(48)).decode("ascii")[6:]
        with self.lock:
            self.signatures.add(signature)
        return signature

    def remember_signatures(self, signatures: Iterable[str]) -> None:
        with self.lock:
            self.signatures.update(signatures)

    def is_issued(self, signature: str) -> bool:
        with self.lock:
            return signature in self.signatures

    # -- script -------------------------------------------------------------------------------------
    def enqueue(self, entry: QueuedReply, standing: bool = False) -> None:
        with self.lock:
            self._seq += 1
            entry.seq = self._seq
            (self.standing if standing else self.queue).append(entry)

    def take_reply(self, model: str | None, identity: Identity | None, rpc: str) -> Reply | None:
        credential = identity.credential if identity else None
        label = identity.label if identity else None
        with self.lock:
            for entry in self.queue:
                if entry.matches(model, credential, label, rpc):
                    entry.remaining = (entry.remaining or 1) - 1
                    if entry.remaining <= 0:
                        self.queue.remove(entry)
                    return entry.reply
            for entry in self.standing:
                if entry.matches(model, credential, label, rpc):
                    return entry.reply
        return None

    # -- records ------------------------------------------------------------------------------------
    def record(self, call: CallRecord) -> CallRecord:
        with self.lock:
            call.seq = len(self.calls) + 1
            self.calls.append(call)
        return call

    def track_stream(self) -> StreamRecord:
        stream = StreamRecord()
        with self.lock:
            self.streams.append(stream)
        return stream

    def reset(self) -> None:
        with self.lock:
            self.queue.clear()
            self.standing.clear()
            self.calls.clear()
            self.streams = [stream for stream in self.streams if stream.is_open]
            self.token_scripts.clear()
            self.grants.clear()
            for entry in self.express_keys.values():
                entry.disabled = False
