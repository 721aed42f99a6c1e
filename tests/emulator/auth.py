"""Service-account keys, RS256 JWT verification, and the OAuth2 token endpoint's checks.

RSA key generation costs tens of milliseconds, so a small pool of 2048-bit keys is generated once
per process and shared: every :meth:`ServiceAccountKey.generate` gives a new identity (email,
key id) on one of the pooled keys, and :meth:`ServiceAccountKey.forged` gives the same identity on
a different key (its signatures must be refused).
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
TOKEN_LIFETIME = 3600
CLOCK_SKEW = 300

_POOL_SIZE = 3
_pool: list[rsa.RSAPrivateKey] = []
_pool_lock = threading.Lock()
_identity_counter = itertools.count(1)


def pooled_private_key(slot: int) -> rsa.RSAPrivateKey:
    """The RSA key in pool ``slot`` (modulo the pool size), generated on first use."""
    with _pool_lock:
        while len(_pool) <= slot % _POOL_SIZE:
            _pool.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return _pool[slot % _POOL_SIZE]


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


@dataclass(frozen=True, eq=False)
class ServiceAccountKey:
    """A service-account key file (``examples/auth/service-account-key.shape.json``) and its RSA key."""

    _info: Mapping[str, str]
    private_key: rsa.RSAPrivateKey = field(repr=False)
    slot: int = 0

    @classmethod
    def generate(cls, project_id: str = "emulated-project", email: str | None = None,
                 token_uri: str = GOOGLE_TOKEN_URI) -> "ServiceAccountKey":
        number = next(_identity_counter)
        slot = number % _POOL_SIZE
        email = email or f"adapter-test-{number}@{project_id}.iam.gserviceaccount.com"
        key = pooled_private_key(slot)
        info = {
            "type": "service_account",
            "project_id": project_id,
            "private_key_id": f"{number:08x}0123456789abcdef0123456789abcdef",
            "private_key": _pem(key),
            "client_email": email,
            "client_id": f"1122334455667788{number:05d}",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/" + email.replace("@", "%40"),
            "universe_domain": "googleapis.com",
        }
        return cls(info, key, slot)

    def forged(self) -> "ServiceAccountKey":
        """Same identity (email, key id), different private key: the token endpoint must refuse it."""
        slot = self.slot + 1
        key = pooled_private_key(slot)
        return ServiceAccountKey({**self._info, "private_key": _pem(key)}, key, slot)

    @property
    def info(self) -> dict[str, str]:
        """The key file as a dict (a fresh copy)."""
        return dict(self._info)

    @property
    def json_text(self) -> str:
        return json.dumps(self._info, indent=2)

    @property
    def client_email(self) -> str:
        return self._info["client_email"]

    @property
    def project_id(self) -> str:
        return self._info["project_id"]

    @property
    def private_key_id(self) -> str:
        return self._info["private_key_id"]

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()

    def __repr__(self) -> str:
        return f"ServiceAccountKey(client_email={self.client_email!r})"


class GrantError(Exception):
    """A refused token request: ``{"error": code, "error_description": description}`` with HTTP 400."""

    def __init__(self, description: str, code: str = "invalid_grant", status: int = 400) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.code, "error_description": self.description}


INVALID_SIGNATURE = "Invalid JWT Signature."
INVALID_TIME = (
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
    "Check your iat and exp values in the JWT claim."
)


def _b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Split a compact JWT into (header, claims, signing input, signature); raises GrantError."""
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(_b64url_decode(header_b64))
        claims = json.loads(_b64url_decode(claims_b64))
        signature = _b64url_decode(signature_b64)
    except (ValueError, TypeError) as exc:
        raise GrantError("Invalid JWT: malformed assertion.") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise GrantError("Invalid JWT: malformed assertion.")
    return header, claims, f"{header_b64}.{claims_b64}".encode("ascii"), signature


KeyLookup = Callable[[str, str], "rsa.RSAPublicKey | None"]
"""(issuer email, key id) -> the registered public key, or None."""


def verify_jwt(token: str, lookup: KeyLookup, now: float | None = None) -> dict[str, Any]:
    """Verify an RS256 JWT signed by a registered account; return its claims or raise GrantError."""
    header, claims, signing_input, signature = decode_unverified(token)
    if header.get("alg") != "RS256":
        raise GrantError(INVALID_SIGNATURE)
    issuer = claims.get("iss")
    if not isinstance(issuer, str):
        raise GrantError("Invalid JWT: No issuer claim.")
    public_key = lookup(issuer, str(header.get("kid", "")))
    if public_key is None:
        raise GrantError("Invalid grant: account not found")
    try:
        public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise GrantError(INVALID_SIGNATURE) from None
    _check_times(claims, time.time() if now is None else now)
    return claims


def _check_times(claims: Mapping[str, Any], now: float) -> None:
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, (int, float)) or not isinstance(exp, (int, float)) or isinstance(iat, bool):
        raise GrantError(INVALID_TIME)
    if not 0 < exp - iat <= TOKEN_LIFETIME or iat > now + CLOCK_SKEW or exp < now - CLOCK_SKEW:
        raise GrantError(INVALID_TIME)


def check_grant(form: Mapping[str, str], lookup: KeyLookup, now: float | None = None) -> dict[str, Any]:
    """Check a JWT-bearer grant form (wire fact 26); return the verified claims."""
    if form.get("grant_type") != JWT_BEARER_GRANT:
        raise GrantError(f"Invalid grant_type: {form.get('grant_type', '')}", code="unsupported_grant_type")
    assertion = form.get("assertion")
    if not assertion:
        raise GrantError("Missing required parameter: assertion", code="invalid_request")
    claims = verify_jwt(assertion, lookup, now)
    scopes = str(claims.get("scope", "")).split()
    if CLOUD_PLATFORM_SCOPE not in scopes:
        raise GrantError("Invalid OAuth scope or ID token audience provided.", code="invalid_scope")
    return claims
