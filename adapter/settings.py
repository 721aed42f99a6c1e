"""Settings: every environment variable the gateway reads, parsed once.

:func:`load_settings` is the only reader of the environment. Tests pass a plain mapping.
A setting that cannot be parsed stops start-up with a message naming the variable (never its
value: several variables hold secrets).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, TypeVar
from urllib.parse import urlsplit

from .keys.definitions import ClientKey, KeysError
from .keys.registry import parse_env_keys
from .telemetry.config import TelemetryConfig, TelemetryConfigError, parse_telemetry

T = TypeVar("T")

SAFETY_THRESHOLDS = ("OFF", "BLOCK_NONE", "BLOCK_ONLY_HIGH", "BLOCK_MEDIUM_AND_ABOVE", "BLOCK_LOW_AND_ABOVE")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
SPACES_DATA_DIR = Path("/data")
_DURATION = re.compile(r"(\d+)([smhd]?)")
_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class SettingsError(ValueError):
    """A configuration problem that must stop start-up."""


@dataclass(frozen=True)
class Settings:
    api_key: str | None = field(repr=False)
    express_api_keys: tuple[str, ...] = field(default=(), repr=False)
    google_credentials_json: str | None = field(default=None, repr=False)
    credentials_dir: Path = Path("credentials")
    round_robin: bool = False
    gcp_project_id: str | None = None
    gcp_location: str = "global"
    vertex_base_url: str | None = None
    fake_streaming: bool = False
    fake_streaming_interval: float = 1.0
    models_config_url: str | None = None
    models_config_ttl: float = 300.0
    model_capabilities_file: Path | None = None
    safety_threshold: str = "OFF"
    malformed_function_call_retry: bool = False
    max_retries: int | None = None
    credential_cooldown: float = 60.0
    auth_failure_cooldown: float = 600.0
    stream_keepalive_interval: float = 10.0
    first_byte_deadline: float = 25.0
    upstream_connect_timeout: float = 10.0
    upstream_read_timeout: float = 300.0
    max_request_bytes: int = 50 * 1024 * 1024
    allow_private_urls: bool = False
    media_max_bytes: int = 20 * 1024 * 1024
    media_fetch_timeout: float = 15.0
    media_max_parts: int = 16
    media_max_total_bytes: int = 20 * 1024 * 1024
    media_total_timeout: float = 30.0
    allowed_gcs_buckets: frozenset[str] = frozenset()
    log_level: str = "INFO"
    pool_connections: int = 1000
    header_timeout: float = 10.0
    max_connections_per_ip: int = 128
    metrics_enabled: bool = False
    metrics_token: str | None = field(default=None, repr=False)
    debug_runtime_stats: bool = False
    data_dir: Path = Path("data")
    redis_url: str | None = field(default=None, repr=False)
    state_key_prefix: str = "gateway:"
    responses_ttl: int = 30 * 86400
    telemetry: TelemetryConfig | None = None
    model_aliases: tuple[tuple[str, str], ...] = ()
    client_keys: tuple[ClientKey, ...] = field(default=(), repr=False)
    client_keys_file: Path | None = None

    def secrets(self) -> tuple[str, ...]:
        """Every configured secret string (for log redaction and tests)."""
        redis_password = urlsplit(self.redis_url).password if self.redis_url else None
        optional = tuple(secret for secret in (self.api_key, self.metrics_token, redis_password) if secret)
        return (*self.express_api_keys, *optional, *(self.telemetry.secrets() if self.telemetry else ()))


def _text(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _parsed(env: Mapping[str, str], name: str, default: T, parse: Callable[[str], T], what: str) -> T:
    raw = _text(env, name)
    if raw is None:
        return default
    try:
        return parse(raw)
    except ValueError:
        raise SettingsError(f"{name} must be {what}") from None


def _bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(raw)


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0 or value == float("inf"):
        raise ValueError(raw)
    return value


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError(raw)
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError(raw)
    return value


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.upper()
        if value not in choices:
            raise ValueError(raw)
        return value

    return parse


def _url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError(raw)
    return raw.rstrip("/")


def _duration(raw: str) -> int:
    """Whole seconds, or a number with a unit: ``90s``, ``15m``, ``12h``, ``30d``."""
    match = _DURATION.fullmatch(raw.lower())
    if not match or int(match.group(1)) <= 0:
        raise ValueError(raw)
    return int(match.group(1)) * _DURATION_UNITS[match.group(2)]


def _redis_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
        raise ValueError("not a Redis URL")
    if parts.port == 0:
        raise ValueError("port 0")
    return raw


def _default_data_dir() -> Path:
    """``./data``, or the persistent ``/data`` of a Hugging Face Space when it is mounted."""
    return SPACES_DATA_DIR if SPACES_DATA_DIR.is_dir() else Path("data")


def _writable_dir(env: Mapping[str, str]) -> Path:
    raw = _text(env, "DATA_DIR")
    path = Path(raw) if raw else _default_data_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError:
        raise SettingsError(f"DATA_DIR ({path}) is not a writable directory: the shared state lives there") from None
    return path


def _key_list(raw: str) -> tuple[str, ...]:
    return tuple(key.strip() for key in raw.split(",") if key.strip())


def _alias_pairs(raw: str) -> tuple[tuple[str, str], ...]:
    """``alias=target,alias2=target2`` → pairs in order; an alias may be an ``fnmatch`` pattern."""
    pairs: list[tuple[str, str]] = []
    for entry in (item.strip() for item in raw.split(",")):
        if not entry:
            continue
        alias, equals, target = (side.strip() for side in entry.partition("="))
        if not equals or not alias or not target or any(alias == known for known, _ in pairs):
            raise ValueError(entry)
        pairs.append((alias, target))
    return tuple(pairs)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``environ`` (``os.environ`` by default).

    Raises :class:`SettingsError` when neither ``API_KEY`` nor client keys (``CLIENT_KEYS``,
    ``CLIENT_KEYS_FILE``) are set (the gateway never runs open) or a variable cannot be parsed.
    """
    env = os.environ if environ is None else environ
    api_key = _text(env, "API_KEY")
    client_keys = _client_keys(env)
    keys_file = _text(env, "CLIENT_KEYS_FILE")
    if api_key is None and not client_keys and keys_file is None:
        raise SettingsError(
            "API_KEY is not set: refusing to start an open gateway. "
            "Set API_KEY to the key your clients will send as 'Authorization: Bearer <API_KEY>' "
            "(or define client keys with CLIENT_KEYS_FILE or CLIENT_KEYS)."
        )
    capabilities_file = _text(env, "MODEL_CAPABILITIES_FILE")
    try:
        telemetry = parse_telemetry(env)
    except TelemetryConfigError as exc:
        raise SettingsError(str(exc)) from None
    return Settings(
        api_key=api_key,
        express_api_keys=_key_list(env.get("VERTEX_EXPRESS_API_KEY", "")),
        google_credentials_json=_text(env, "GOOGLE_CREDENTIALS_JSON"),
        credentials_dir=Path(_text(env, "CREDENTIALS_DIR") or "credentials"),
        round_robin=_parsed(env, "ROUNDROBIN", False, _bool, "true or false"),
        gcp_project_id=_text(env, "GCP_PROJECT_ID"),
        gcp_location=_text(env, "GCP_LOCATION") or "global",
        vertex_base_url=_parsed(env, "VERTEX_BASE_URL", None, _url, "an http(s) URL"),
        fake_streaming=_parsed(env, "FAKE_STREAMING", False, _bool, "true or false"),
        fake_streaming_interval=_parsed(env, "FAKE_STREAMING_INTERVAL", 1.0, _positive_float, "a positive number of seconds"),
        models_config_url=_parsed(env, "MODELS_CONFIG_URL", None, _url, "an http(s) URL"),
        models_config_ttl=_parsed(env, "MODELS_CONFIG_TTL", 300.0, _positive_float, "a positive number of seconds"),
        model_capabilities_file=Path(capabilities_file) if capabilities_file else None,
        safety_threshold=_parsed(env, "SAFETY_THRESHOLD", "OFF", _one_of(SAFETY_THRESHOLDS), "one of " + ", ".join(SAFETY_THRESHOLDS)),
        malformed_function_call_retry=_parsed(env, "MALFORMED_FUNCTION_CALL_RETRY", False, _bool, "true or false"),
        max_retries=_parsed(env, "MAX_RETRIES", None, _non_negative_int, "a whole number >= 0"),
        credential_cooldown=_parsed(env, "CREDENTIAL_COOLDOWN", 60.0, _positive_float, "a positive number of seconds"),
        auth_failure_cooldown=_parsed(env, "AUTH_FAILURE_COOLDOWN", 600.0, _positive_float, "a positive number of seconds"),
        stream_keepalive_interval=_parsed(env, "STREAM_KEEPALIVE_INTERVAL", 10.0, _positive_float, "a positive number of seconds"),
        first_byte_deadline=_parsed(env, "FIRST_BYTE_DEADLINE", 25.0, _positive_float, "a positive number of seconds"),
        upstream_connect_timeout=_parsed(env, "UPSTREAM_CONNECT_TIMEOUT", 10.0, _positive_float, "a positive number of seconds"),
        upstream_read_timeout=_parsed(env, "UPSTREAM_READ_TIMEOUT", 300.0, _positive_float, "a positive number of seconds"),
        max_request_bytes=_parsed(env, "MAX_REQUEST_BYTES", 50 * 1024 * 1024, _positive_int, "a positive number of bytes"),
        allow_private_urls=_parsed(env, "ALLOW_PRIVATE_URLS", False, _bool, "true or false"),
        media_max_bytes=_parsed(env, "MEDIA_MAX_BYTES", 20 * 1024 * 1024, _positive_int, "a positive number of bytes"),
        media_fetch_timeout=_parsed(env, "MEDIA_FETCH_TIMEOUT", 15.0, _positive_float, "a positive number of seconds"),
        media_max_parts=_parsed(env, "MEDIA_MAX_PARTS", 16, _non_negative_int, "a whole number >= 0"),
        media_max_total_bytes=_parsed(env, "MEDIA_MAX_TOTAL_BYTES", 20 * 1024 * 1024, _positive_int, "a positive number of bytes"),
        media_total_timeout=_parsed(env, "MEDIA_TOTAL_TIMEOUT", 30.0, _positive_float, "a positive number of seconds"),
        allowed_gcs_buckets=frozenset(_key_list(env.get("ALLOWED_GCS_BUCKETS", ""))),
        log_level=_parsed(env, "LOG_LEVEL", "INFO", _one_of(LOG_LEVELS), "one of " + ", ".join(LOG_LEVELS)),
        pool_connections=_parsed(env, "UPSTREAM_POOL_CONNECTIONS", 1000, _positive_int, "a positive whole number"),
        header_timeout=_parsed(env, "HEADER_TIMEOUT", 10.0, _positive_float, "a positive number of seconds"),
        max_connections_per_ip=_parsed(env, "MAX_CONNECTIONS_PER_IP", 128, _non_negative_int, "a whole number >= 0"),
        metrics_enabled=_parsed(env, "METRICS_ENABLED", False, _bool, "true or false"),
        metrics_token=_text(env, "METRICS_TOKEN"),
        debug_runtime_stats=_parsed(env, "DEBUG_RUNTIME_STATS", False, _bool, "true or false"),
        data_dir=_writable_dir(env),
        redis_url=_parsed(env, "REDIS_URL", None, _redis_url, "a redis://, rediss:// or unix:// URL"),
        state_key_prefix=env.get("STATE_KEY_PREFIX", "gateway:"),
        responses_ttl=_parsed(env, "RESPONSES_TTL", 30 * 86400, _duration, "a positive duration: seconds, or a number with s, m, h or d (30d)"),
        telemetry=telemetry,
        model_aliases=_parsed(
            env, "MODEL_ALIASES", (), _alias_pairs, "a comma-separated list of alias=target entries, each alias once"
        ),
        client_keys=client_keys,
        client_keys_file=Path(keys_file) if keys_file else None,
    )


def _client_keys(env: Mapping[str, str]) -> tuple[ClientKey, ...]:
    raw = _text(env, "CLIENT_KEYS")
    if raw is None:
        return ()
    try:
        return parse_env_keys(raw)
    except KeysError as exc:
        raise SettingsError(str(exc)) from None
