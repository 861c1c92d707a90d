"""`kinde-iac api-key ...` and `kinde-iac scopes --openapi FILE` (issue 7)."""
from __future__ import annotations

import click


@click.group()
def api_key_group() -> None:
    """Rotate and verify Kinde API keys."""


@click.command()
def scopes_command() -> None:
    """Print the scopes an OpenAPI document generates."""
    raise click.UsageError("not implemented yet")
