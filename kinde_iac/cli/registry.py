"""Every command of the CLI: its name, where it lives and its one-line summary.

Modules are imported only when their command runs, so ``--help`` and ``validate`` do not pay for the
emulator, the HTTP client or the diff library (as pip's ``commands/__init__.py`` does).
"""
from __future__ import annotations

import importlib
from typing import NamedTuple

import click


class CommandInfo(NamedTuple):
    module: str
    attribute: str
    summary: str


COMMANDS: dict[str, CommandInfo] = {
    "validate": CommandInfo("kinde_iac.cli.validate", "validate", "Check configuration without touching the network."),
    "schema": CommandInfo("kinde_iac.cli.validate", "schema",
                          "Print the JSON Schema of the native configuration format."),
    "plan": CommandInfo("kinde_iac.cli.plan", "plan", "Show what apply would change."),
    "show": CommandInfo("kinde_iac.cli.plan", "show", "Render saved plans."),
    "apply": CommandInfo("kinde_iac.cli.apply", "apply", "Make Kinde match the configuration (or a saved plan)."),
    "drift": CommandInfo("kinde_iac.cli.inventory", "drift",
                         "Report what changed outside kinde-iac since the last apply."),
    "import": CommandInfo("kinde_iac.cli.inventory", "import_", "Adopt live objects into state by natural key."),
    "export": CommandInfo("kinde_iac.cli.inventory", "export",
                          "Write a complete native config of the live environment."),
    "state": CommandInfo("kinde_iac.cli.state", "state", "Inspect the state, or migrate it to another backend."),
    "force-unlock": CommandInfo("kinde_iac.cli.state", "force_unlock", "Release a lock left behind by a killed run."),
    "comment": CommandInfo("kinde_iac.cli.ci", "comment", "Post the plan as the pull request's kinde-iac comment."),
    "api-key": CommandInfo("kinde_iac.cli.api_keys", "api_key_group", "Rotate and verify Kinde API keys."),
    "scopes": CommandInfo("kinde_iac.cli.scopes", "scopes_command",
                          "Print the scopes an OpenAPI document generates."),
    "check": CommandInfo("kinde_iac.cli.checks", "check", "Find keys the code uses that the workspace does not define."),
    "lint": CommandInfo("kinde_iac.cli.checks", "lint", "Check identity policy rules over the configuration."),
    "diff": CommandInfo("kinde_iac.cli.envs", "diff", "Show how two workspaces or environments differ."),
    "promote": CommandInfo("kinde_iac.cli.envs", "promote",
                           "Copy definitions from one workspace's config into another's file."),
    "emulator": CommandInfo("kinde_iac.emulator.cli", "emulator_command",
                            "Run a local Kinde Management API emulator."),
}


def load_command(name: str) -> click.Command | None:
    info = COMMANDS.get(name)
    if info is None:
        return None
    command = getattr(importlib.import_module(info.module), info.attribute)
    assert isinstance(command, click.Command)
    return command
