"""`kinde-iac api-key rotate|verify` (docs/api-keys.md). Exit codes: 0 success (a valid key), 1 error,
2 a key that is not valid. The Kinde side of both is the api_key kind's (resources/api_key.py)."""
from __future__ import annotations

import json
import sys

import click

from kinde_iac.cli.groups import SuggestingGroup
from kinde_iac.cli.options import workspace_option, workspace_options
from kinde_iac.cli.status import ExitCode
from kinde_iac.errors import KindeIacError
from kinde_iac.resources.api_key import ApiKeyKind

KIND = ApiKeyKind()


@click.group(cls=SuggestingGroup)
def api_key_group() -> None:
    """Rotate and verify Kinde API keys."""


@api_key_group.command("rotate")
@click.argument("address")
@workspace_options
@click.option("--secrets-out", metavar="FILE", help="Write the new secret here (JSON by address, mode 0600).")
@click.option("--discard-secret", is_flag=True,
              help="Rotate without keeping the new secret (the key then works for nobody).")
@click.option("--lock-timeout", default=0.0, show_default=True, help="Seconds to wait for the state lock.")
def rotate(address: str, workspace: str | None, config_path: str | None, state_path: str | None,
           secrets_out: str | None, discard_secret: bool, lock_timeout: float) -> None:
    """Give the managed key ADDRESS (api_key.<key>) a new secret; the old secret stops working at once."""
    from kinde_iac.engine.rotation import rotate_secret
    from kinde_iac.engine.secrets_file import SecretsFile
    from kinde_iac.engine.session import open_session, resolve_target

    if bool(secrets_out) == discard_secret:
        raise KindeIacError("give --secrets-out FILE to keep the new secret, or --discard-secret to throw it away")
    if not address.startswith(f"{KIND.name}."):
        raise KindeIacError(f"{address} is not an API key address ({KIND.name}.<key>)")
    secrets = SecretsFile(secrets_out) if secrets_out else None
    if secrets is not None:
        secrets.check_writable()
    target = resolve_target(workspace, config_path, state_path)
    if not target.state.exists():
        raise KindeIacError(f"no state file at {target.state} (nothing applied yet)")
    session = open_session(target)
    try:
        key_id, secret = rotate_secret(session, address, lock_timeout=lock_timeout,
                                       on_wait=lambda line: click.echo(line, err=True))
    finally:
        session.close()
    if secrets is None:
        click.echo(f"{address}: rotated [id={key_id}]; the new secret was discarded. The old secret no longer works.")
        return
    try:
        secrets.write(address, secret)
    except OSError as err:
        raise KindeIacError(f"{address}: rotated, but the new secret could not be written to {secrets.path} "
                            f"({err.strerror or err}); rotate again once the file is writable") from None
    click.echo(f"{address}: rotated [id={key_id}]; the new secret is in {secrets.path}. "
               f"The old secret no longer works.")


@api_key_group.command("verify")
@workspace_option()
@click.option("--config", "config_path", metavar="FILE", help="Config file; the workspace is the file's stem.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify(workspace: str | None, config_path: str | None, fmt: str) -> None:
    """Read an API key from stdin and ask Kinde whether it is valid (exit 0 valid, 2 not valid)."""
    from kinde_iac.engine.session import open_session, resolve_target

    secret = _read_secret()
    session = open_session(resolve_target(workspace, config_path, None))
    try:
        assert session.client is not None
        shown = KIND.verify(session.client, secret)
    finally:
        session.close()
    valid = shown.get("is_valid") is True
    if fmt == "json":
        click.echo(json.dumps(shown, indent=2, sort_keys=True))
    else:
        click.echo(f"valid: {'yes' if valid else 'no'}")
        for name in ("key_id", "status", "org_code", "user_id"):
            if shown.get(name):
                click.echo(f"{name}: {shown[name]}")
        click.echo(f"scopes: {' '.join(shown.get('scopes') or []) or '(none)'}")
    if not valid:
        sys.exit(ExitCode.CHANGES)


def _read_secret() -> str:
    # Never an argument: command lines end up in shell history and process listings.
    if sys.stdin.isatty():
        secret = click.prompt("API key", hide_input=True, err=True)
    else:
        secret = sys.stdin.read()
    secret = secret.strip()
    if not secret:
        raise KindeIacError("no API key on stdin")
    return secret
