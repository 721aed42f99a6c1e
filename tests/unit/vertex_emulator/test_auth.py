"""The emulator's OAuth2 token endpoint (real google-auth) and its auth checks on model routes."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests
from google.auth import jwt as google_jwt
from google.auth.crypt import RSASigner
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account

from tests.emulator import ServiceAccountKey, VertexEmulator
from tests.emulator.fixtures import error_body, load_json

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
BODY = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}


@pytest.fixture(scope="module")
def account(emulator: VertexEmulator) -> ServiceAccountKey:
    return emulator.new_service_account("my-project", extra_projects=["shared-project"])


def session(key: ServiceAccountKey, scopes: list[str] | None = None) -> AuthorizedSession:
    creds = service_account.Credentials.from_service_account_info(key.info, scopes=scopes or [SCOPE])
    return AuthorizedSession(creds)


def assertion(key: ServiceAccountKey, **claims: Any) -> str:
    now = int(time.time())
    payload = {"iat": now, "exp": now + 3600, "iss": key.client_email,
               "aud": "https://oauth2.googleapis.com/token", "scope": SCOPE, **claims}
    signer = RSASigner.from_service_account_info(key.info)
    return google_jwt.encode(signer, payload).decode("ascii")


def grant(emulator: VertexEmulator, jwt_text: str) -> requests.Response:
    return requests.post(emulator.token_uri, data={
        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": jwt_text}, timeout=5)


def test_key_file_has_the_documented_shape(account: ServiceAccountKey) -> None:
    shape = load_json("auth/service-account-key.shape.json")
    assert list(account.info) == list(shape)
    assert account.info["private_key"].startswith("-----BEGIN PRIVATE KEY-----\n")
    assert json.loads(account.json_text) == account.info
    assert "PRIVATE" not in repr(account)


def test_google_auth_gets_a_token_once_and_reuses_it(emulator: VertexEmulator, account: ServiceAccountKey) -> None:
    authed = session(account)
    url = emulator.model_url("gemini-2.5-flash", project="my-project")
    statuses = [authed.post(url, json=BODY, timeout=5).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert emulator.token_grants(account) == 1
    token_call = emulator.last_call("token")
    assert token_call.body["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert emulator.last_call("generateContent").credential == ("service_account", account.client_email)
    assert emulator.last_call("generateContent").credential_label.startswith("sa#")


def test_token_response_shape(emulator: VertexEmulator, account: ServiceAccountKey) -> None:
    answer = grant(emulator, assertion(account))
    assert answer.status_code == 200
    body = answer.json()
    assert list(body) == ["access_token", "expires_in", "token_type"]
    assert body["access_token"].startswith("ya29.emulated-") and body["expires_in"] == 3599


@pytest.mark.parametrize(
    ("make", "status", "error", "fragment"),
    [
        (lambda key: assertion(key.forged()), 400, "invalid_grant", "Invalid JWT Signature."),
        (lambda key: assertion(ServiceAccountKey.generate("my-project")), 400, "invalid_grant", "account not found"),
        (lambda key: assertion(key, exp=int(time.time()) + 7200), 400, "invalid_grant", "short-lived token"),
        (lambda key: assertion(key, iat=int(time.time()) - 7300, exp=int(time.time()) - 3700), 400, "invalid_grant", "reasonable timeframe"),
        (lambda key: assertion(key, scope="https://www.googleapis.com/auth/userinfo.email"), 400, "invalid_scope", "scope"),
        (lambda key: assertion(key)[:-8] + "AAAAAAAA", 400, "invalid_grant", "Invalid JWT Signature."),
        (lambda key: "not-a-jwt", 400, "invalid_grant", "malformed"),
    ],
    ids=["foreign-key", "unknown-account", "too-long-lived", "expired", "wrong-scope", "tampered", "garbage"],
)
def test_token_endpoint_refuses_bad_assertions(emulator: VertexEmulator, account: ServiceAccountKey, make: Any,
                                               status: int, error: str, fragment: str) -> None:
    answer = grant(emulator, make(account))
    assert answer.status_code == status
    assert answer.json()["error"] == error
    assert fragment in answer.json()["error_description"]
    assert emulator.token_grants() == 0


def test_forged_key_fails_through_google_auth(emulator: VertexEmulator, account: ServiceAccountKey) -> None:
    with pytest.raises(RefreshError, match="Invalid JWT Signature"):
        session(account.forged()).post(emulator.model_url("gemini-2.5-flash", project="my-project"), json=BODY, timeout=5)


def test_scripted_token_failure_then_recovery(emulator: VertexEmulator, account: ServiceAccountKey) -> None:
    emulator.fail_token_requests(account, times=1)
    url = emulator.model_url("gemini-2.5-flash", project="my-project")
    with pytest.raises(RefreshError):
        session(account).post(url, json=BODY, timeout=5)
    assert session(account).post(url, json=BODY, timeout=5).status_code == 200
    assert emulator.token_grants(account) == 1


def test_short_lived_tokens_are_refreshed(emulator: VertexEmulator, account: ServiceAccountKey) -> None:
    emulator.set_token_lifetime(account, 1)
    authed = session(account)
    url = emulator.model_url("gemini-2.5-flash", project="my-project")
    for _ in range(2):
        assert authed.post(url, json=BODY, timeout=5).status_code == 200
    assert emulator.token_grants(account) == 2


def test_revoked_token_gets_the_expired_401_and_google_auth_recovers(emulator: VertexEmulator, account: ServiceAccountKey) -> None:
    authed = session(account)
    url = emulator.model_url("gemini-2.5-flash", project="my-project")
    assert authed.post(url, json=BODY, timeout=5).status_code == 200
    emulator.revoke_tokens(account)
    raw = requests.post(url, json=BODY, headers={"Authorization": f"Bearer {authed.credentials.token}"}, timeout=5)
    assert raw.status_code == 401
    assert raw.json() == error_body("401.access-token-expired")
    assert authed.post(url, json=BODY, timeout=5).status_code == 200
    assert emulator.token_grants(account) == 2


def test_self_signed_jwt_is_accepted_as_bearer(emulator: VertexEmulator, account: ServiceAccountKey) -> None:
    token = assertion(account, aud="https://aiplatform.googleapis.com/")
    answer = requests.post(emulator.model_url("gemini-2.5-flash", project="my-project"), json=BODY,
                           headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert answer.status_code == 200, answer.text
    assert emulator.last_call().credential == ("service_account", account.client_email)
    assert emulator.token_grants(account) == 0, "a self-signed JWT needs no token grant"


@pytest.mark.parametrize(
    ("project", "status"),
    [("my-project", 200), ("shared-project", 200), ("someone-elses-project", 403)],
)
def test_project_must_belong_to_the_account(emulator: VertexEmulator, account: ServiceAccountKey, project: str, status: int) -> None:
    answer = session(account).post(emulator.model_url("gemini-2.5-flash", project=project), json=BODY, timeout=5)
    assert answer.status_code == status
    if status == 403:
        details = answer.json()["error"]["details"][0]
        assert details["reason"] == "IAM_PERMISSION_DENIED"
        assert details["metadata"]["resource"] == f"projects/{project}/locations/global/publishers/google/models/gemini-2.5-flash"
        assert emulator.last_call().outcome == "unauthenticated"


def test_express_key_in_header_or_query(emulator: VertexEmulator) -> None:
    key = emulator.new_express_key()
    url = emulator.model_url("gemini-2.5-flash")
    assert requests.post(url, json=BODY, headers={"x-goog-api-key": key}, timeout=5).status_code == 200
    assert requests.post(f"{url}?key={key}", json=BODY, timeout=5).status_code == 200
    assert emulator.last_call().credential == ("express", key)
    assert emulator.last_call().express is True


@pytest.mark.parametrize(
    ("headers_for", "status", "reason"),
    [
        (lambda key, token: {"x-goog-api-key": "AQ.unknown"}, 400, "API_KEY_INVALID"),
        (lambda key, token: {}, 401, "CREDENTIALS_MISSING"),
        (lambda key, token: {"Authorization": "Bearer ya29.never-issued"}, 401, "ACCESS_TOKEN_EXPIRED"),
    ],
    ids=["unknown-key", "no-credentials", "unknown-token"],
)
def test_express_route_refusals(emulator: VertexEmulator, headers_for: Any, status: int, reason: str) -> None:
    answer = requests.post(emulator.model_url("gemini-2.5-flash"), json=BODY, headers=headers_for("", ""), timeout=5)
    assert answer.status_code == status
    assert answer.json()["error"]["details"][0]["reason"] == reason
    assert emulator.last_call().outcome == ("rejected" if status == 400 else "unauthenticated")


def test_disabled_express_key_gets_403_until_reset(emulator: VertexEmulator) -> None:
    key = emulator.new_express_key()
    emulator.disable_express_key(key)
    url = emulator.model_url("gemini-2.5-flash")
    answer = requests.post(url, json=BODY, headers={"x-goog-api-key": key}, timeout=5)
    assert answer.status_code == 403
    assert key not in answer.text
    emulator.reset()
    assert requests.post(url, json=BODY, headers={"x-goog-api-key": key}, timeout=5).status_code == 200


def test_api_key_on_a_project_route_is_refused(emulator: VertexEmulator) -> None:
    key = emulator.new_express_key()
    answer = requests.post(emulator.model_url("gemini-2.5-flash", project="my-project"), json=BODY,
                           headers={"x-goog-api-key": key}, timeout=5)
    assert answer.status_code == 401
    assert answer.json()["error"]["details"][0]["reason"] == "CREDENTIALS_MISSING"
    assert "API keys are not supported" in answer.json()["error"]["message"]


def test_bearer_token_works_on_express_routes(emulator: VertexEmulator, account: ServiceAccountKey) -> None:
    assert session(account).post(emulator.model_url("gemini-3-flash-preview"), json=BODY, timeout=5).status_code == 200
    record = emulator.last_call()
    assert record.express is True and record.credential == ("service_account", account.client_email)


def test_401_metadata_names_the_rpc(emulator: VertexEmulator) -> None:
    url = emulator.model_url("gemini-2.5-flash", "streamGenerateContent", project="p", version="v1beta1")
    answer = requests.post(url, json=BODY, headers={"Authorization": "Bearer nope"}, timeout=5)
    metadata = answer.json()["error"]["details"][0]["metadata"]
    assert metadata["method"] == "google.cloud.aiplatform.v1beta1.PredictionService.StreamGenerateContent"
    assert answer.headers["Content-Type"] == "application/json; charset=UTF-8"

