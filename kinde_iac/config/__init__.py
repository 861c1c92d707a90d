"""Configuration: load workspace files into the workspace model (see docs/configuration.md).

Resource kinds own their part of the format (``resources/``); this package iterates the registry.
"""

from kinde_iac.config.loader import discover_workspaces, load_workspace, state_setting, workspace_file
from kinde_iac.config.model import IgnoreRule, KindeTarget, Workspace
from kinde_iac.config.schema import json_schema
from kinde_iac.config.validate import check_workspaces, validate_workspace

__all__ = [
    "IgnoreRule",
    "KindeTarget",
    "Workspace",
    "check_workspaces",
    "discover_workspaces",
    "json_schema",
    "load_workspace",
    "state_setting",
    "validate_workspace",
    "workspace_file",
]
