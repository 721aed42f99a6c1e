"""The gateway's long-lived parts, built once per process and kept on the Flask app.

:func:`build_gateway` loads credentials, capability table and catalog sources from
:class:`~adapter.settings.Settings`; views reach it through :func:`current_gateway`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import requests
from flask import Flask, current_app

from .keys.definitions import KeysError, admin_key
from .keys.limiter import Limiter
from .keys.registry import KeyRegistry, install_sighup_handler
from .routing.aliases import ModelAliases
from .routing.capabilities import CapabilityTable, load_capabilities
from .routing.catalog import ModelLists, catalog_ids, embedding_ids, is_served, requested_route, table_lists
from .routing.model_name import ModelRoute
from .settings import Settings, SettingsError
from .state import StateStore, open_state
from .upstream.credentials import (
    Credential,
    CredentialKind,
    LoadReport,
    express_credentials,
    service_account_credentials,
)
from .upstream.dispatch import Dispatcher
from .upstream.inflight import mount_tracked_pool
from .upstream.media import MediaFetcher, MediaLimits
from .upstream.pool import CredentialPool
from .upstream.pool_state import PoolState
from .upstream.remote_models import RemoteModelList
from .upstream.vertex import VertexClient

logger = logging.getLogger(__name__)

EXTENSION_KEY = "adapter"


@dataclass
class Gateway:
    settings: Settings
    capabilities: CapabilityTable
    client: VertexClient
    pools: dict[CredentialKind, CredentialPool]
    dispatcher: Dispatcher
    media: MediaFetcher
    remote_models: RemoteModelList | None
    service_account_report: LoadReport
    state: StateStore
    pool_state: PoolState
    aliases: ModelAliases
    keys: KeyRegistry
    limiter: Limiter

    def remote_lists(self) -> ModelLists | None:
        """The remote model list (``MODELS_CONFIG_URL``), None when unset or not fetched yet."""
        return self.remote_models.current() if self.remote_models else None

    def model_lists(self) -> ModelLists:
        return self.remote_lists() or table_lists(self.capabilities)

    def base_models(self) -> set[str]:
        """Every base model the catalog knows (chat and embeddings), for bounded metric labels."""
        lists = self.model_lists()
        return {*lists.service_account, *lists.express, *self.capabilities.embedding_models}

    def cooling_count(self) -> int:
        return sum(pool.cooling_count() for pool in self.pools.values())

    def state_degraded(self) -> bool:
        """True while this worker keeps cooldowns, round-robin or key limits in its own memory (store unreachable)."""
        return self.pool_state.degraded or self.limiter.degraded

    def model_ids(self) -> list[str]:
        """The served model ids, then the (exact) ``MODEL_ALIASES`` whose target is served."""
        has_express, has_service_accounts = bool(self.pools["express"]), bool(self.pools["service_account"])
        chat = catalog_ids(self.model_lists(), self.capabilities, has_express=has_express, has_service_accounts=has_service_accounts)
        ids = chat + embedding_ids(self.capabilities, has_express=has_express, has_service_accounts=has_service_accounts)
        served = set(ids)
        return ids + [alias for alias, target in self.aliases.listed() if alias not in served and is_served(target, served)]

    def route_of(self, model: str) -> ModelRoute:
        """The route of a request's ``model``, after ``MODEL_ALIASES`` (every front door asks here);
        InvalidRequest (param ``model``) when it cannot be parsed. An alias stays on the route
        (``alias``), as client keys allow models by either name."""
        target = self.aliases.resolve(model)
        route = requested_route(target)
        return replace(route, alias=model) if target != model else route


def build_gateway(settings: Settings) -> Gateway:
    express_session = requests.Session()
    mount_tracked_pool(express_session, settings.pool_connections)
    accounts, report = service_account_credentials(
        settings.google_credentials_json,
        settings.credentials_dir,
        settings.gcp_project_id,
        settings.pool_connections,
        isolated=settings.vertex_base_url is not None,
    )
    express = express_credentials(settings.express_api_keys, express_session)
    state = open_state(settings)
    pool_state = PoolState(state, labels=[cred.label for cred in (*express, *accounts)])
    pools: dict[CredentialKind, CredentialPool] = {
        "express": _pool(settings, express, pool_state, "express"),
        "service_account": _pool(settings, accounts, pool_state, "service_account"),
    }
    if not pools["express"] and not pools["service_account"]:
        logger.warning("no Vertex AI credentials loaded: set VERTEX_EXPRESS_API_KEY, GOOGLE_CREDENTIALS_JSON or CREDENTIALS_DIR")
    logger.info("shared state: %s", state.backend)
    logger.info("loaded %d express keys and %d service accounts (%d rejected)", len(pools["express"]), report.loaded, len(report.rejected))
    remote = RemoteModelList(settings.models_config_url, settings.models_config_ttl) if settings.models_config_url else None
    if remote is not None:
        remote.current()
    return Gateway(
        settings=settings,
        capabilities=load_capabilities(settings.model_capabilities_file),
        client=VertexClient(
            base_url=settings.vertex_base_url,
            location=settings.gcp_location,
            connect_timeout=settings.upstream_connect_timeout,
            read_timeout=settings.upstream_read_timeout,
        ),
        pools=pools,
        dispatcher=Dispatcher(pools, max_retries=settings.max_retries, rejected={"service_account": report.rejected}),
        media=MediaFetcher(
            allow_private=settings.allow_private_urls,
            max_bytes=settings.media_max_bytes,
            timeout=settings.media_fetch_timeout,
            limits=MediaLimits(
                max_parts=settings.media_max_parts,
                max_total_bytes=settings.media_max_total_bytes,
                total_timeout=settings.media_total_timeout,
                allowed_gcs_buckets=settings.allowed_gcs_buckets,
            ),
        ),
        remote_models=remote,
        service_account_report=report,
        state=state,
        pool_state=pool_state,
        aliases=ModelAliases.from_pairs(settings.model_aliases),
        keys=_key_registry(settings),
        limiter=Limiter(state),
    )


def _key_registry(settings: Settings) -> KeyRegistry:
    try:
        registry = KeyRegistry(
            admin=admin_key(settings.api_key) if settings.api_key else None, env_keys=settings.client_keys, path=settings.client_keys_file
        )
    except KeysError as exc:
        raise SettingsError(str(exc)) from None
    if settings.client_keys_file is not None:
        install_sighup_handler()
    logger.info("client keys: %d (%s)", len(registry.client_keys()), "with the admin key" if settings.api_key else "no admin key")
    return registry


def _pool(settings: Settings, credentials: list[Credential], state: PoolState, name: CredentialKind) -> CredentialPool:
    return CredentialPool(
        credentials,
        round_robin=settings.round_robin,
        cooldown=settings.credential_cooldown,
        auth_cooldown=settings.auth_failure_cooldown,
        state=state,
        name=name,
    )


def init_gateway(app: Flask, settings: Settings) -> Gateway:
    gateway = build_gateway(settings)
    app.extensions[EXTENSION_KEY] = gateway
    return gateway


def current_gateway() -> Gateway:
    gateway: Gateway = current_app.extensions[EXTENSION_KEY]
    return gateway
