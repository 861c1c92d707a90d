"""The native configuration format as attrs classes (structured from JSON with cattrs).

The seed guide's format is translated into these classes by ``seed_format``; nothing else in
kinde-iac reads raw config dicts.
"""
from __future__ import annotations

from typing import Literal

import attrs

FlagType = Literal["bool", "str", "int"]
FlagValue = bool | int | str


@attrs.frozen
class KindeTarget:
    """Which Kinde environment a workspace targets."""

    domain: str | None = None
    #: Expected ``environment.code`` of ``GET /api/v1/environment``; checked before any write.
    environment: str | None = None
    #: Marks a production workspace for ``lint`` (None: decided by the workspace name, issue 18).
    production: bool | None = None


@attrs.frozen
class Application:
    key: str
    name: str
    type: Literal["reg", "spa", "m2m", "device"] = "reg"
    login_uri: str | None = None
    homepage_uri: str | None = None
    redirect_urls: tuple[str, ...] = ()
    logout_urls: tuple[str, ...] = ()
    protect: bool = False


@attrs.frozen
class ApiScope:
    key: str
    description: str | None = None


@attrs.frozen
class Api:
    key: str
    name: str
    audience: str
    #: Scopes as written: a bare string is a key whose description is the key itself (as the seed
    #: script does); the loader normalises both forms to ApiScope.
    scopes: tuple[ApiScope, ...] = ()
    #: Keys of applications (in this config) authorized to call the API.
    applications: tuple[str, ...] = ()
    #: Path to an OpenAPI/Swagger document whose operations generate scopes (issue 7).
    openapi: str | None = None
    protect: bool = False


@attrs.frozen
class Permission:
    key: str
    name: str | None = None
    description: str | None = None
    protect: bool = False


@attrs.frozen
class Role:
    key: str
    name: str
    description: str | None = None
    is_default_role: bool = False
    #: Permission keys.
    permissions: tuple[str, ...] = ()
    #: API scopes as ``<api key>/<scope key>``.
    scopes: tuple[str, ...] = ()
    protect: bool = False


@attrs.frozen
class FeatureFlag:
    key: str
    name: str
    type: FlagType
    default_value: FlagValue
    description: str | None = None
    allow_override_level: Literal["env", "org", "usr"] | None = None
    #: This workspace's environment override; None means "use the business-wide default".
    value: FlagValue | None = None
    protect: bool = False


@attrs.frozen
class EnvVar:
    key: str
    value: str = attrs.field(repr=False)
    is_secret: bool = False
    protect: bool = False


@attrs.frozen
class IgnoreRule:
    """Keeps matching unmanaged objects out of drift results (issue 4)."""

    address: str
    until: str | None = None  # ISO date; after it the rule stops ignoring and says so


# --- lint settings (issue 18) ---------------------------------------------------------------


@attrs.frozen
class LintIgnore:
    """Turns one lint rule off for matching addresses, with the reason written down."""

    rule: str
    reason: str
    #: An address or ``fnmatch`` pattern (``application.*``); None means every address.
    address: str | None = None


@attrs.frozen
class LintSettings:
    ignore: tuple[LintIgnore, ...] = ()


# ---------------------------------------------------------------------------------------------


@attrs.frozen
class ApiKey:
    """An environment- or organization-level API key (issue 7)."""

    key: str
    name: str
    api: str
    scopes: tuple[str, ...] = ()
    type: Literal["environment", "organization"] = "environment"
    org_code: str | None = None
    protect: bool = False


@attrs.frozen
class Workspace:
    """One fully resolved workspace: shared parts merged, variables and env refs substituted."""

    name: str
    #: The file the workspace was loaded from (for messages).
    source: str
    kinde: KindeTarget = KindeTarget()
    applications: tuple[Application, ...] = ()
    apis: tuple[Api, ...] = ()
    permissions: tuple[Permission, ...] = ()
    roles: tuple[Role, ...] = ()
    feature_flags: tuple[FeatureFlag, ...] = ()
    env_vars: tuple[EnvVar, ...] = ()
    api_keys: tuple[ApiKey, ...] = ()
    ignore: tuple[IgnoreRule, ...] = ()
    #: Settings of ``kinde-iac lint`` (issue 18).
    lint: LintSettings = LintSettings()
    #: Share of managed objects a plan may delete before it needs --allow-mass-delete.
    max_delete_fraction: float = 0.5
    #: Where every resource entry was written, keyed by address
    #: (``role.admin`` -> ``("environments/_common.json", "$.roles[0]")``), so later stages can
    #: point errors at the config.
    paths: dict[str, tuple[str, str]] = attrs.field(factory=dict, eq=False, repr=False)
