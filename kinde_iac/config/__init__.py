"""Configuration: load workspace files into the attrs model (see docs/configuration.md)."""

from kinde_iac.config.loader import (
    check_flag_definitions,
    discover_workspaces,
    load_workspace,
    workspace_file,
)
from kinde_iac.config.model import (
    Api,
    ApiKey,
    ApiScope,
    Application,
    EnvVar,
    FeatureFlag,
    IgnoreRule,
    KindeTarget,
    Permission,
    Role,
    Workspace,
)
from kinde_iac.config.schema import json_schema
from kinde_iac.config.seed_format import slugify
from kinde_iac.config.validate import validate_workspace

__all__ = [
    "Api",
    "ApiKey",
    "ApiScope",
    "Application",
    "EnvVar",
    "FeatureFlag",
    "IgnoreRule",
    "KindeTarget",
    "Permission",
    "Role",
    "Workspace",
    "check_flag_definitions",
    "discover_workspaces",
    "json_schema",
    "load_workspace",
    "slugify",
    "validate_workspace",
    "workspace_file",
]
