"""`kinde-iac api-key rotate|verify` (docs/api-keys.md). Exit codes: 0 success (a valid key), 1 error,
2 a key that is not valid. The Kinde side of both is the api_key kind's (resources/api_key.py)."""
from __future__ import annotations

import json
import sys
from typing import Any

import click

from kinde_iac.cli.options import take_lock, workspace_options
from kinde_iac.cli.status import ExitCode
from kinde_iac.errors import KindeIacError
from kinde_iac.resources.api_key import ApiKeyKind, rotate_request

KIND = ApiKeyKind()


@click.group()
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
    from kinde_iac.engine.apply import SecretsFile
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
        key_id, secret = _rotate(session, address, lock_timeout)
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


def _rotate(session: Any, address: str, lock_timeout: float) -> tuple[str, str]:
    """(key id, new secret), under the state lock, journaled like an apply."""
    from kinde_iac.engine.session import check_environment, who
    from kinde_iac.kinde import is_not_found

    state = session.state
    lock = take_lock(state, "api-key rotate", lock_timeout)
    try:
        row = state.get(address)
        if row is None or not row.kinde_id:
            raise KindeIacError(f"{address} is not in state {session.target.state}; only keys kinde-iac manages "
                                f"can be rotated")
        check_environment(session)
        apply_id = state.begin_apply(who=who(), summary={"rotated": address})
        entry = state.journal_intent(apply_id, address, "rotate", *rotate_request(row.kinde_id))
        try:
            secret = KIND.rotate(session.client, row.kinde_id)
        except KindeIacError as err:
            state.journal_result(entry, outcome="failed", detail=str(err)[:500])
            state.end_apply(apply_id, status="failed", summary={"rotated": 0})
            if is_not_found(err):
                raise KindeIacError(f"{address}: Kinde has no API key {row.kinde_id} (deleted outside "
                                    f"kinde-iac?); run `kinde-iac plan`") from None
            raise
        state.journal_result(entry, outcome="ok", kinde_id=row.kinde_id)
        state.end_apply(apply_id, status="ok", summary={"rotated": 1})
    finally:
        state.release_lock(lock.id)
    if not secret:
        raise KindeIacError(f"{address}: rotated [id={row.kinde_id}], but Kinde returned no secret; rotate again")
    return row.kinde_id, secret


@api_key_group.command("verify")
@click.option("--workspace", "-w", metavar="NAME", help="Workspace: environments/NAME.json.")
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
