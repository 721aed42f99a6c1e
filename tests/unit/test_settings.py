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


def test_shared_state_settings(tmp_path: Path) -> None:
    defaults = load_settings({"API_KEY": "k", "DATA_DIR": str(tmp_path / "state")})
    assert (defaults.data_dir, defaults.redis_url, defaults.state_key_prefix) == (tmp_path / "state", None, "gateway:")
    assert defaults.responses_ttl == 30 * 86400 and (tmp_path / "state").is_dir()
    chosen = {"REDIS_URL": "rediss://:pw-9f@cache.internal:6380/2", "STATE_KEY_PREFIX": "gw-eu:", "RESPONSES_TTL": "12h"}
    settings = load_settings({"API_KEY": "k", "DATA_DIR": str(tmp_path), **chosen})
    assert (settings.redis_url, settings.state_key_prefix, settings.responses_ttl) == (chosen["REDIS_URL"], "gw-eu:", 12 * 3600)
    assert "pw-9f" in settings.secrets() and "pw-9f" not in repr(settings)
    assert load_settings({"API_KEY": "k", "DATA_DIR": str(tmp_path), "RESPONSES_TTL": "3600"}).responses_ttl == 3600


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REDIS_URL", "http://:hunter2@cache:6379"),
        ("REDIS_URL", "redis://:hunter2@cache:notaport"),
        ("REDIS_URL", "hunter2"),
        ("RESPONSES_TTL", "hunter2"),
        ("RESPONSES_TTL", "0"),
    ],
)
def test_bad_state_settings_name_the_variable_never_the_password(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name) as raised:
        load_settings({"API_KEY": "k", "DATA_DIR": str(tmp_path), name: value})
    assert "hunter2" not in str(raised.value)


def test_an_unwritable_data_dir_stops_start_up(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(SettingsError, match="DATA_DIR"):
        load_settings({"API_KEY": "k", "DATA_DIR": str(blocker / "state")})
