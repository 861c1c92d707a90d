"""The records the emulator stores: immutable attrs classes, replaced (``attrs.evolve``) on change.

Immutability lets a handler render a record after the store lock is released without another
thread changing it underneath. Lists are tuples for the same reason.
"""
from __future__ import annotations

from typing import Any

import attrs
from attrs import frozen


@frozen
class Environment:
    code: str
    name: str
    created_on: str


@frozen
class Business:
    code: str
    name: str
    created_on: str
    phone: str | None = None
    email: str | None = None
    industry: str | None = None
    timezone: str | None = None
    privacy_url: str | None = None
    terms_url: str | None = None
    has_clickwrap: bool = False
    has_kinde_branding: bool = True


@frozen
class Application:
    id: str  # also the client id, as in Kinde
    name: str
    type: str  # reg | spa | m2m | device
    seq: int
    client_secret: str | None = None
    org_code: str | None = None
    login_uri: str | None = None
    homepage_uri: str | None = None
    language_key: str | None = None
    has_cancel_button: bool = False
    is_access_control_enabled: bool = False
    is_allow_faceless_auth: bool = False
    is_ask_for_name: bool = False
    has_marketing_consent: bool = False
    has_sign_in_link_on_sign_up_page: bool = False
    has_register_link_on_sign_in_page: bool = False
    has_sign_in_with_sso_button: bool = False
    use_gravatar_fallback: bool = False
    redirect_urls: tuple[str, ...] = ()
    logout_urls: tuple[str, ...] = ()
    access_token_lifetime: int | None = None
    refresh_token_lifetime: int | None = None
    id_token_lifetime: int | None = None
    authenticated_session_lifetime: int | None = None
    is_hasura_mapping_enabled: bool | None = None
    # The environment's own M2M client, whose credentials the emulator's token endpoint accepts.
    is_emulator_client: bool = False


@frozen
class Api:
    id: str
    name: str
    audience: str  # ignored for the management API, whose audience follows the request host
    seq: int
    is_management_api: bool = False
    authorized_app_ids: tuple[str, ...] = ()
    # (application id, scope id) pairs: write-only in Kinde, kept for the state dump.
    app_scope_grants: tuple[tuple[str, str], ...] = ()


@frozen
class ApiScope:
    id: str
    api_id: str
    key: str
    seq: int
    description: str | None = None


@frozen
class Role:
    id: str
    key: str
    name: str
    seq: int
    description: str | None = None
    is_default_role: bool = False
    assignment_permission_id: str | None = None
    permission_ids: tuple[str, ...] = ()
    scope_ids: tuple[str, ...] = ()


@frozen
class Permission:
    id: str
    key: str
    name: str
    seq: int
    description: str | None = None


@frozen
class EnvVar:
    id: str
    key: str
    value: str
    is_secret: bool
    created_on: str
    seq: int


@frozen
class ApiKey:
    id: str
    name: str
    type: str
    api_id: str
    key_hash: str  # sha256 of the secret: the secret itself is shown once and never stored
    key_prefix: str
    key_suffix: str
    status: str
    created_on: str
    seq: int
    scope_ids: tuple[str, ...] = ()
    user_id: str | None = None
    org_code: str | None = None
    last_verified_on: str | None = None
    last_verified_ip: str | None = None
    verification_count: int = 0


@frozen
class Webhook:
    id: str
    name: str
    endpoint: str  # fixed at creation: PATCH cannot change it
    event_types: tuple[str, ...]
    created_on: str
    seq: int
    description: str | None = None


@frozen
class Connection:
    """An authentication connection. ``options`` holds everything sent, write-only secrets
    included (readers strip those); it is replaced, never mutated, like every record."""

    id: str
    name: str
    display_name: str
    strategy: str
    seq: int
    options: dict[str, Any] = attrs.field(factory=dict)
    organization_code: str | None = None
    # Kinde's own connections (email, Google...): present in every environment, never changed.
    is_builtin: bool = False
    # Applications (client ids) this connection is enabled for: the one record of that link.
    enabled_app_ids: tuple[str, ...] = ()


@frozen
class FeatureFlag:
    """A business-wide flag definition, shared by every environment."""

    key: str
    name: str
    type: str  # str | int | bool
    default_value: str
    seq: int
    description: str | None = None
    allow_override_level: str | None = None


@frozen
class FlagOverride:
    """One environment's value for a business flag."""

    key: str
    value: str


# kind -> record class. Environment kinds live under the environment's code; business kinds under
# BUSINESS_SCOPE.
ENV_KINDS: dict[str, type] = {
    "environment": Environment,
    "applications": Application,
    "apis": Api,
    "api_scopes": ApiScope,
    "roles": Role,
    "permissions": Permission,
    "env_vars": EnvVar,
    "api_keys": ApiKey,
    "flag_overrides": FlagOverride,
    "webhooks": Webhook,
    "connections": Connection,
}
BUSINESS_KINDS: dict[str, type] = {"business": Business, "feature_flags": FeatureFlag}
BUSINESS_SCOPE = "_business"


def record_id(record: Any) -> str:
    """The identity a record is stored under: its id, or its key/code for kinds without ids."""
    for name in ("id", "key", "code"):
        value = getattr(record, name, None)
        if value is not None:
            return str(value)
    raise TypeError(f"record without identity: {record!r}")

