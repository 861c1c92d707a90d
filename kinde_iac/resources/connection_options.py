"""The ``options`` of a connection: the config model, and which options each kind of identity
provider takes.

The spec gives ``POST``/``PATCH /api/v1/connections`` three variants of ``options``: social
(``oauth2:*``), Azure AD (``oauth2:azure_ad``, ``wsfed:azure_ad``) and SAML (``saml:*``). Two
options are secrets Kinde never returns: ``client_secret`` and ``saml_signing_private_key``.
"""
from __future__ import annotations

from typing import Any, Literal

import attrs

#: The strategies ``POST /api/v1/connections`` accepts (the spec's enum). Any other strategy Kinde
#: lists (``email:password``, ``email:otp``...) belongs to one of its built-in connections.
Strategy = Literal[
    "oauth2:apple", "oauth2:azure_ad", "oauth2:bitbucket", "oauth2:discord", "oauth2:facebook",
    "oauth2:github", "oauth2:gitlab", "oauth2:google", "oauth2:linkedin", "oauth2:microsoft",
    "oauth2:patreon", "oauth2:slack", "oauth2:stripe", "oauth2:twitch", "oauth2:twitter", "oauth2:xero",
    "saml:custom", "saml:cloudflare", "saml:okta", "saml:microsoft", "saml:google", "wsfed:azure_ad",
]
STRATEGIES: frozenset[str] = frozenset(Strategy.__args__)  # type: ignore[attr-defined]


# The "options" of a connection entry (no docstring: the JSON Schema shows none for it).
@attrs.frozen
class ConnectionOptions:
    client_id: str | None = None
    #: Write-only: only as ${env:NAME}.
    client_secret: str | None = attrs.field(default=None, repr=False)
    is_use_custom_domain: bool | None = None
    is_trusted: bool | None = None
    home_realm_domains: tuple[str, ...] | None = None
    entra_id_domain: str | None = None
    is_use_common_endpoint: bool | None = None
    is_sync_user_profile_on_login: bool | None = None
    is_retrieve_provider_user_groups: bool | None = None
    is_extended_attributes_required: bool | None = None
    is_auto_join_organization_enabled: bool | None = None
    is_create_missing_user: bool | None = None
    is_force_show_sso_button: bool | None = None
    upstream_params: dict[str, Any] | None = None
    saml_entity_id: str | None = None
    saml_idp_metadata_url: str | None = None
    saml_idp_metadata_xml: str | None = None
    saml_sign_in_url: str | None = None
    sign_request_algorithm: Literal["RSA-SHA256", "RSA-SHA1"] | None = None
    protocol_binding: Literal["HTTP-REDIRECT", "HTTP-POST"] | None = None
    name_id_format: Literal["Persistent", "Transient", "Email address", "Unspecified"] | None = None
    saml_email_key_attr: str | None = None
    saml_user_id_key_attr: str | None = None
    saml_first_name_key_attr: str | None = None
    saml_last_name_key_attr: str | None = None
    saml_signing_certificate: str | None = None
    #: Write-only: only as ${env:NAME}.
    saml_signing_private_key: str | None = attrs.field(default=None, repr=False)


NAMES: tuple[str, ...] = tuple(f.name for f in attrs.fields(ConnectionOptions))
#: Kinde takes them but never returns them.
SECRETS: tuple[str, ...] = ("client_secret", "saml_signing_private_key")
#: Options whose value is a set of strings.
SETS: frozenset[str] = frozenset({"home_realm_domains"})
#: Options holding a URL.
URLS: tuple[str, ...] = ("saml_idp_metadata_url", "saml_sign_in_url")

_SOCIAL = frozenset({"client_id", "client_secret", "is_use_custom_domain", "is_trusted"})
_AZURE = _SOCIAL | {
    "home_realm_domains", "entra_id_domain", "is_use_common_endpoint", "is_sync_user_profile_on_login",
    "is_retrieve_provider_user_groups", "is_extended_attributes_required", "is_auto_join_organization_enabled",
    "is_create_missing_user", "is_force_show_sso_button", "upstream_params",
}
_SAML = frozenset({
    "home_realm_domains", "saml_entity_id", "saml_idp_metadata_url", "saml_idp_metadata_xml", "saml_sign_in_url",
    "sign_request_algorithm", "protocol_binding", "name_id_format", "saml_email_key_attr", "saml_user_id_key_attr",
    "saml_first_name_key_attr", "saml_last_name_key_attr", "is_create_missing_user", "is_force_show_sso_button",
    "upstream_params", "saml_signing_certificate", "saml_signing_private_key", "is_auto_join_organization_enabled",
    "is_use_custom_domain", "is_trusted",
})


def variant(strategy: str) -> tuple[str, frozenset[str]]:
    """(name, options it takes) of the spec's ``options`` variant for a strategy."""
    if strategy in ("oauth2:azure_ad", "wsfed:azure_ad"):
        return "Azure AD", _AZURE
    if strategy.startswith("saml:"):
        return "SAML", _SAML
    return "social", _SOCIAL


def given(options: ConnectionOptions) -> dict[str, Any]:
    """The options written in config, as plain JSON values (sets sorted)."""
    out: dict[str, Any] = {}
    for name in NAMES:
        value = getattr(options, name)
        if value is None:
            continue
        if name in SETS:
            value = sorted(set(value))
        elif isinstance(value, dict):
            value = dict(value)
        out[name] = value
    return out


def is_builtin(item: dict[str, Any]) -> bool:
    """Whether a live connection is one of Kinde's own, which kinde-iac references but never
    creates, changes or deletes: its strategy is one the API cannot create (email, phone or
    username sign-in), or it is a social connection without a client id of its own, which signs
    users in with Kinde's credentials."""
    strategy = item.get("strategy")
    if not isinstance(strategy, str) or strategy not in STRATEGIES:
        return True
    options = item.get("options") or {}
    return strategy.startswith("oauth2:") and not (isinstance(options, dict) and options.get("client_id"))
