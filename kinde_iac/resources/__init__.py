"""The registry of resource kinds: the one list the engine and the config loader iterate.

Adding a kind is adding its module and one line here (docs/architecture.md, "Adding a resource kind").
"""
from __future__ import annotations

from kinde_iac.resources.api import ApiKind
from kinde_iac.resources.api_key import ApiKeyKind
from kinde_iac.resources.api_scope import ApiScopeKind
from kinde_iac.resources.application import ApplicationKind
from kinde_iac.resources.base import Field, Kind, Resource
from kinde_iac.resources.connection import ConnectionKind
from kinde_iac.resources.env_var import EnvVarKind
from kinde_iac.resources.feature_flag import FeatureFlagKind
from kinde_iac.resources.permission import PermissionKind
from kinde_iac.resources.role import RoleKind
from kinde_iac.resources.webhook import WebhookKind

#: In an order where every kind comes after the kinds it reads after. The config format lists
#: sections in this order too (JSON Schema, validation of a workspace built in code).
KINDS: tuple[Kind, ...] = (
    ApplicationKind(),
    PermissionKind(),
    ApiKind(),
    ApiScopeKind(),
    RoleKind(),
    FeatureFlagKind(),
    EnvVarKind(),
    ApiKeyKind(),
    WebhookKind(),
    ConnectionKind(),
)
BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}


def kind(name: str) -> Kind:
    return BY_NAME[name]


__all__ = ["BY_NAME", "KINDS", "Field", "Kind", "Resource", "kind"]
