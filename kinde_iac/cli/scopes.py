"""`kinde-iac scopes --openapi FILE`: the scopes an OpenAPI document generates (docs/openapi-scopes.md)."""
from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
@click.option("--openapi", "openapi_path", required=True, metavar="FILE",
              help="OpenAPI 3.x or Swagger 2 document (JSON or YAML, at most 20 MB).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def scopes_command(openapi_path: str, fmt: str) -> None:
    """Print the scopes an OpenAPI document generates (one per operation), as `apis[].openapi` would."""
    from kinde_iac.resources.openapi_scopes import generate_from_file

    generation = generate_from_file(Path(openapi_path))
    if fmt == "json":
        click.echo(json.dumps({
            "source": generation.source,
            "scopes": [{"key": s.key, "description": s.description} for s in generation.scopes],
            "skipped": [{"key": s.key, "method": s.method, "path": s.path, "reason": s.reason}
                        for s in generation.skipped],
        }, indent=2, ensure_ascii=False))
        return
    width = max((len(s.key) for s in generation.scopes), default=0)
    for s in generation.scopes:
        click.echo(f"{s.key.ljust(width)}  {s.description}")
    for skipped in generation.skipped:
        click.echo(f"skipped {skipped.method} {skipped.path} ({skipped.key}): {skipped.reason}", err=True)
    click.echo(f"{len(generation.scopes)} scopes from {generation.source}"
               + (f", {len(generation.skipped)} operations skipped" if generation.skipped else ""), err=True)
