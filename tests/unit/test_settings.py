"""Settings: defaults, parsing, and refusal to start open or misconfigured."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapter.settings import SettingsError, load_settings


def test_refuses_to_start_without_api_key() -> None:
    with pytest.raises(SettingsError, match="API_KEY is not set"):
        load_settings({})
    with pytest.raises(SettingsError, match="API_KEY is not set"):
        load_settings({"API_KEY": "   "})


def test_defaults() -> None:
    settings = load_settings({"API_KEY": "k"})
    assert settings.express_api_keys == ()
    assert settings.credentials_dir == Path("credentials")
    assert settings.gcp_location == "global"
    assert settings.round_robin is False
    assert settings.fake_streaming is False
    assert settings.fake_streaming_interval == 1.0
    assert settings.safety_threshold == "OFF"
    assert settings.vertex_base_url is None
    assert settings.stream_keepalive_interval == 10.0
    assert settings.first_byte_deadline == 25.0
    assert (settings.upstream_connect_timeout, settings.upstream_read_timeout) == (10.0, 300.0)
    assert (settings.credential_cooldown, settings.auth_failure_cooldown, settings.max_retries) == (60.0, 600.0, None)
    assert settings.max_request_bytes == 50 * 1024 * 1024 and settings.allow_private_urls is False
    assert settings.debug_runtime_stats is False


def test_parses_every_kind_of_value() -> None:
    settings = load_settings(
        {
            "API_KEY": "k",
            "VERTEX_EXPRESS_API_KEY": " a, b ,,c ",
            "ROUNDROBIN": "TRUE",
            "FAKE_STREAMING": "yes",
            "FAKE_STREAMING_INTERVAL": "0.5",
            "GCP_LOCATION": "us-central1",
            "VERTEX_BASE_URL": "http://127.0.0.1:9/",
            "SAFETY_THRESHOLD": "block_none",
            "MAX_RETRIES": "0",
            "CREDENTIALS_DIR": "/app/credentials",
            "DEBUG_RUNTIME_STATS": "on",
            "UPSTREAM_READ_TIMEOUT": "2.5",
            "MAX_REQUEST_BYTES": "1000",
        }
    )
    assert settings.debug_runtime_stats is True
    assert settings.upstream_read_timeout == 2.5 and settings.max_request_bytes == 1000
    assert settings.express_api_keys == ("a", "b", "c")
    assert settings.round_robin is True
    assert settings.fake_streaming is True
    assert settings.fake_streaming_interval == 0.5
    assert settings.gcp_location == "us-central1"
    assert settings.vertex_base_url == "http://127.0.0.1:9"
    assert settings.safety_threshold == "BLOCK_NONE"
    assert settings.max_retries == 0
    assert settings.credentials_dir == Path("/app/credentials")


@pytest.mark.parametrize(
    "name,value",
    [
        ("ROUNDROBIN", "maybe"),
        ("FAKE_STREAMING_INTERVAL", "-1"),
        ("FAKE_STREAMING_INTERVAL", "nan"),
        ("VERTEX_BASE_URL", "ftp://x"),
        ("SAFETY_THRESHOLD", "LOOSE"),
        ("MAX_RETRIES", "-2"),
        ("MAX_REQUEST_BYTES", "lots"),
        ("MAX_REQUEST_BYTES", "0"),
        ("UPSTREAM_CONNECT_TIMEOUT", "0"),
        ("CREDENTIAL_COOLDOWN", "inf"),
        ("DEBUG_RUNTIME_STATS", "sometimes"),
        ("LOG_LEVEL", "verbose"),
    ],
)
def test_bad_values_name_the_variable_but_not_the_value(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"API_KEY": "k", name: value})
    assert name in str(caught.value)
    assert value not in str(caught.value)


def test_secrets_are_not_in_repr() -> None:
    settings = load_settings({"API_KEY": "client-secret-key", "VERTEX_EXPRESS_API_KEY": "express-secret"})
    assert "client-secret-key" not in repr(settings)
    assert "express-secret" not in repr(settings)
    assert set(settings.secrets()) == {"client-secret-key", "express-secret"}
