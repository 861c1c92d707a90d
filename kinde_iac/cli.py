"""Command-line wiring: click commands, no logic beyond wiring and exit codes.

Exit codes: 0 success (no changes), 1 error, 2 changes present (``plan --detailed-exitcode``) or
drift found (``drift``).
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from kinde_iac.cli_options import take_lock, workspace_options
from kinde_iac.errors import KindeIacError

EXIT_ERROR = 1
EXIT_CHANGES = 2


class _Group(click.Group):
    """Turns every expected failure into one readable line and exit code 1 (a traceback only with --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug")) or bool(os.environ.get("KINDE_IAC_DEBUG"))
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KindeIacError as err:
            if debug:
                raise
            click.echo(f"Error: {err}", err=True)
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("Error: interrupted", err=True)
            ctx.exit(EXIT_ERROR)
        except Exception as err:
            if debug:
                raise
            click.echo(f"Error: unexpected {type(err).__name__}: {err} (run with --debug for details)", err=True)
            ctx.exit(EXIT_ERROR)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
def main(debug: bool) -> None:
    """kinde-iac: plan/apply infrastructure-as-code for Kinde."""


def _client_options(parallelism: int, max_rps: float | None) -> dict[str, Any]:
    """--parallelism bounds every request in flight (the client's limiter), not just one pool."""
    return {"max_concurrency": parallelism, "max_rps": max_rps}


def speed_options(default_parallelism: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn = click.option("--max-rps", type=float, metavar="N",
                          help="Cap requests per second (for a rate limit shared with production).")(fn)
        return click.option("--parallelism", default=default_parallelism, show_default=True,
                            help="Requests in flight at most.")(fn)
    return wrap


def _color(no_color: bool) -> bool:
    return not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()


@main.command()
@workspace_options
@click.option("--all", "all_", is_flag=True, help="Validate every workspace in environments/ together.")
def validate(workspace: str | None, config_path: str | None, state_path: str | None, all_: bool) -> None:
    """Check configuration without touching the network."""
    from kinde_iac.config import check_flag_definitions, discover_workspaces, load_workspace
    from kinde_iac.workflow import resolve_target

    if all_:
        paths = discover_workspaces("environments")
        if not paths:
            raise KindeIacError("no workspace files found in environments/")
        loaded = [load_workspace(p) for p in paths]
        problems = check_flag_definitions(loaded)
        if problems:
            for p in problems[1:]:
                click.echo(f"Error: {p}", err=True)
            raise problems[0]
        click.echo(f"Success! {len(loaded)} workspaces are valid: {', '.join(w.name for w in loaded)}.")
        return
    target = resolve_target(workspace, config_path, state_path)
    ws = load_workspace(target.config, name=target.name)
    from kinde_iac.workflow import desired_resources

    click.echo(f"Success! {target.config} is valid ({len(desired_resources(ws))} objects).")


def _plan_one(workspace: str | None, config_path: str | None, state_path: str | None, parallelism: int,
              allow_mass_delete: bool, max_rps: float | None, quiet: bool) -> tuple[Any, Any]:
    """Plan one workspace; returns (plan, desired objects)."""
    from kinde_iac.progress import Progress
    from kinde_iac.workflow import check_safety, make_plan, open_session, resolve_target

    session = open_session(resolve_target(workspace, config_path, state_path),
                           client_options=_client_options(parallelism, max_rps))
    progress = Progress.choose(quiet=quiet, requests=lambda: session.client.stats.requests)
    try:
        plan = check_safety(make_plan(session, parallelism=parallelism, on_event=progress), session,
                            allow_mass_delete=allow_mass_delete)
        return plan, session.desired
    finally:
        progress.finish()
        session.close()


@main.command()
@click.option("--workspace", "-w", "workspaces", multiple=True, metavar="NAME",
              help="Workspace: environments/NAME.json (repeat to plan several; each uses KINDE_CLIENT_ID_<NAME> "
                   "and friends when set).")
@click.option("--config", "config_path", metavar="FILE", help="Config file; the workspace is the file's stem.")
@click.option("--state", "state_path", metavar="PATH", help="State file (default state/<workspace>.db).")
@click.option("--out", "out_path", metavar="FILE", help="Save the plan for `kinde-iac apply FILE`.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--full-plan-hint", metavar="TEXT", help="Where the full plan is, named in a shortened markdown body.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when the plan has changes.")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
@speed_options(8)
@click.option("--allow-mass-delete", is_flag=True, help="Accept a plan that destroys more than the allowed share.")
def plan(workspaces: tuple[str, ...], config_path: str | None, state_path: str | None, out_path: str | None,
         fmt: str, full_plan_hint: str | None, detailed_exitcode: bool, no_color: bool, parallelism: int,
         max_rps: float | None, allow_mass_delete: bool) -> None:
    """Show what apply would change."""
    from kinde_iac.render.markdown import WorkspaceResult, render_markdown
    from kinde_iac.render.text import render_plan
    from kinde_iac.saved_plan import saved_document, write_plan_file

    targets: list[str | None] = list(workspaces) or [None]
    if len(targets) > 1 and (config_path or state_path or out_path):
        raise KindeIacError("--config, --state and --out work on one workspace; plan several with --workspace only")
    if len(targets) > 1 and fmt == "text":
        fmt_many = True
    else:
        fmt_many = False
    results: list[Any] = []
    for name in targets:
        try:
            the_plan, desired = _plan_one(name, config_path, state_path, parallelism, allow_mass_delete, max_rps,
                                          quiet=fmt != "text")
        except KindeIacError as err:
            if len(targets) == 1:
                raise
            results.append((WorkspaceResult(workspace=name or "?", error=str(err)), None, None))
            continue
        doc = saved_document(the_plan, desired) if out_path or fmt == "json" else None
        results.append((WorkspaceResult(workspace=the_plan.workspace, plan=the_plan), the_plan, doc))
        if out_path and doc is not None:
            write_plan_file(out_path, doc)
    if fmt == "markdown":
        click.echo(render_markdown([r for r, _, _ in results], full_plan_hint=full_plan_hint), nl=False)
    elif fmt == "json":
        docs = [doc if doc is not None else {"workspace": r.workspace, "errors": [r.error]}
                for r, _, doc in results]
        click.echo(json.dumps(docs[0] if len(docs) == 1 else {"workspaces": docs}, indent=2, sort_keys=True))
    else:
        for r, p, _ in results:
            if fmt_many:
                click.echo(f"=== {r.workspace}")
            if p is None:
                click.echo(f"Error: {r.error}", err=True)
            else:
                click.echo(render_plan(p, color=_color(no_color)), nl=False)
        if out_path:
            click.echo(f"\nSaved the plan to {out_path}. Apply exactly this plan with: kinde-iac apply {out_path}")
    if any(p is None for _, p, _ in results):
        sys.exit(EXIT_ERROR)
    if detailed_exitcode and any(p.has_changes for _, p, _ in results):
        sys.exit(EXIT_CHANGES)


@main.command()
@workspace_options
@click.argument("plan_file", required=False, metavar="[PLAN_FILE]")
@click.option("--auto-approve", is_flag=True, help="Apply without asking.")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
@speed_options(4)
@click.option("--lock-timeout", default=0.0, show_default=True, help="Seconds to wait for the state lock.")
@click.option("--allow-mass-delete", is_flag=True, help="Accept a plan that destroys more than the allowed share.")
@click.option("--secrets-out", metavar="FILE",
              help="Write one-time secrets of created API keys here (JSON by address, mode 0600).")
def apply(workspace: str | None, config_path: str | None, state_path: str | None, plan_file: str | None,
          auto_approve: bool, no_color: bool, parallelism: int, max_rps: float | None, lock_timeout: float,
          allow_mass_delete: bool, secrets_out: str | None) -> None:
    """Plan, ask for "yes", and make Kinde match the configuration; or apply exactly a saved PLAN_FILE."""
    from kinde_iac.apply import SecretsFile, apply_plan
    from kinde_iac.render.text import render_plan
    from kinde_iac.workflow import check_safety, make_plan, open_session, resolve_target, who

    saved = doc = None
    if plan_file:
        from kinde_iac.render.json_plan import load_plan_file, plan_from_document

        doc = load_plan_file(plan_file)
        saved = plan_from_document(doc)
        if workspace and workspace != saved.workspace:
            raise KindeIacError(f"{plan_file} is a plan for workspace {saved.workspace!r}, not {workspace!r}; "
                                f"refusing")
        if not config_path:
            workspace = workspace or saved.workspace
    from kinde_iac.progress import Progress

    secrets_file = SecretsFile(secrets_out) if secrets_out else None
    if secrets_file is not None:
        secrets_file.check_writable()
    target = resolve_target(workspace, config_path, state_path)
    session = open_session(target, client_options=_client_options(parallelism, max_rps))
    progress = Progress.choose(quiet=False, requests=lambda: session.client.stats.requests)
    lock = None
    try:
        if saved is None and not auto_approve and not sys.stdin.isatty():
            raise KindeIacError("no terminal to ask for approval: run with --auto-approve (or apply a saved plan)")
        lock = take_lock(session.state, "apply", lock_timeout)
        fresh = check_safety(make_plan(session, parallelism=parallelism, on_event=progress), session,
                             allow_mass_delete=allow_mass_delete)
        progress.finish()
        if saved is not None and doc is not None:
            from kinde_iac.saved_plan import check_fresh

            check_fresh(saved, doc, workspace=target.name, lineage=session.state.lineage,
                        serial=session.state.serial, desired=session.desired, fresh=fresh)
            the_plan = saved
            click.echo(f"Applying the saved plan {plan_file} (checked: state, configuration and every object "
                       f"it touches are as they were when it was made).")
        else:
            the_plan = fresh
            click.echo(render_plan(the_plan, color=_color(no_color)), nl=False)
        if the_plan.blocked:
            raise KindeIacError(the_plan.blocked)
        if saved is None and not auto_approve and the_plan.has_changes:
            click.echo("\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n")
            answer = click.prompt("  Enter a value", default="", show_default=False)
            if answer != "yes":
                raise KindeIacError("apply cancelled")
        click.echo("")
        progress.expect(sum(1 for c in the_plan.changes if c.is_change))
        result = apply_plan(the_plan, desired=session.desired_by_address, state=session.state,
                            client=session.client, parallelism=parallelism, who=who(), on_event=progress,
                            secrets_out=secrets_file)
        progress.finish()
        stats = session.client.stats if session.client else None
        c = result.counts
        extra = (f" ({stats.requests} API requests, {stats.retries} retried, {c['rechecked']} creates re-checked "
                 f"by natural key)") if stats else ""
        if not result.ok:
            for address, message in result.failed:
                click.echo(f"Error: {address}: {message}", err=True)
            if result.skipped:
                click.echo(f"Not attempted: {len(result.skipped)} changes; the next apply resumes them.", err=True)
            click.echo(f"Apply failed after {c['added']} added, {c['changed']} changed, "
                       f"{c['destroyed']} destroyed, {c['imported']} imported{extra}.", err=True)
            sys.exit(EXIT_ERROR)
        click.echo(f"\nApply complete! Resources: {c['added']} added, {c['changed']} changed, "
                   f"{c['destroyed']} destroyed, {c['imported']} imported.{extra}")
    finally:
        if lock is not None:
            session.state.release_lock(lock.id)
        session.close()


@main.command()
@click.argument("plan_files", nargs=-1, required=True, metavar="PLAN_FILE...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--full-plan-hint", metavar="TEXT", help="Where the full plan is, named in a shortened markdown body.")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
def show(plan_files: tuple[str, ...], fmt: str, full_plan_hint: str | None, no_color: bool) -> None:
    """Render saved plans (several files make one markdown body with a section each)."""
    from kinde_iac.render.json_plan import load_plan_file, plan_from_document
    from kinde_iac.render.markdown import WorkspaceResult, render_markdown
    from kinde_iac.render.text import render_plan

    docs = [load_plan_file(f) for f in plan_files]
    plans = [plan_from_document(d) for d in docs]
    if fmt == "json":
        click.echo(json.dumps(docs[0] if len(docs) == 1 else {"workspaces": docs}, indent=2, sort_keys=True))
    elif fmt == "markdown":
        click.echo(render_markdown([WorkspaceResult(workspace=p.workspace, plan=p) for p in plans],
                                   full_plan_hint=full_plan_hint), nl=False)
    else:
        for p in plans:
            click.echo(render_plan(p, color=_color(no_color)), nl=False)


@main.command()
@click.option("--body-file", type=click.File("r", encoding="utf-8"), default="-", show_default=True,
              help="Markdown body (from `plan --format markdown` or `show --format markdown`).")
@click.option("--repository", envvar="GITHUB_REPOSITORY", help="owner/name (default $GITHUB_REPOSITORY).")
@click.option("--pr", "pr_number", type=int, help="Pull request number (default: from $GITHUB_EVENT_PATH).")
def comment(body_file: Any, repository: str | None, pr_number: int | None) -> None:
    """Post the plan as the pull request's kinde-iac comment, editing the earlier one in place."""
    from kinde_iac.github import post_or_update_comment, pull_request_number
    from kinde_iac.render.markdown import MARKER_PREFIX

    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        raise KindeIacError("GITHUB_TOKEN is not set")
    if not repository:
        raise KindeIacError("no repository: set GITHUB_REPOSITORY or pass --repository owner/name")
    number = pr_number or pull_request_number(os.environ.get("GITHUB_EVENT_PATH"))
    if not number:
        raise KindeIacError("no pull request number: pass --pr N or run on a pull_request event")
    outcome, comment_id = post_or_update_comment(
        body_file.read(), token=token, repository=repository, pr_number=number, marker=MARKER_PREFIX,
        api_url=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    click.echo(f"Comment {comment_id} {outcome} on {repository}#{number}.")


@main.command()
@workspace_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@speed_options(8)
def drift(workspace: str | None, config_path: str | None, state_path: str | None, fmt: str,
          parallelism: int, max_rps: float | None) -> None:
    """Report what changed outside kinde-iac since the last apply (exit 2 when drift is found)."""
    from kinde_iac.render import drift as render
    from kinde_iac.workflow import make_drift, open_session, resolve_target

    session = open_session(resolve_target(workspace, config_path, state_path),
                           client_options=_client_options(parallelism, max_rps))
    try:
        report = make_drift(session, parallelism=parallelism)
    finally:
        session.close()
    out = {"text": render.render_text, "json": render.render_json, "markdown": render.render_markdown}[fmt]
    click.echo(out(report), nl=False)
    if not report.in_sync:
        sys.exit(EXIT_CHANGES)


@main.command("import")
@workspace_options
@click.argument("addresses", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Adopt every live object that matches the config.")
@click.option("--lock-timeout", default=0.0, show_default=True, help="Seconds to wait for the state lock.")
def import_(workspace: str | None, config_path: str | None, state_path: str | None, addresses: tuple[str, ...],
            all_: bool, lock_timeout: float) -> None:
    """Adopt live objects into state by natural key (ADDRESS, or ADDRESS=ID to pick one); Kinde is not changed."""
    from kinde_iac.workflow import import_objects, open_session, resolve_target

    pins = dict(a.split("=", 1) for a in addresses if "=" in a)
    plain = [a for a in addresses if "=" not in a]
    session = open_session(resolve_target(workspace, config_path, state_path))
    lock = None
    try:
        lock = take_lock(session.state, "import", lock_timeout)
        adopted = import_objects(session, addresses=plain, everything=all_, pins=pins)
    finally:
        if lock is not None:
            session.state.release_lock(lock.id)
        session.close()
    for ch in adopted:
        click.echo(f"{ch.address}: imported [id={ch.kinde_id or ch.key}]")
    click.echo(f"Import complete! {len(adopted)} objects adopted into state; run `plan` to see what differs.")


@main.command()
@workspace_options
@click.option("--out", "out_path", metavar="FILE", help="Write the config here instead of stdout.")
@speed_options(8)
def export(workspace: str | None, config_path: str | None, state_path: str | None, out_path: str | None,
           parallelism: int, max_rps: float | None) -> None:
    """Write a complete native config of the live environment (secrets as ${env:KEY} references)."""
    from kinde_iac.workflow import make_export, open_session, resolve_target

    session = open_session(resolve_target(workspace, config_path, state_path), config_optional=True,
                           client_options=_client_options(parallelism, max_rps))
    try:
        config = make_export(session, parallelism=parallelism)
    finally:
        session.close()
    text = json.dumps(config, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if out_path:
        with open(out_path, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"Exported to {out_path}.", err=True)
    else:
        click.echo(text, nl=False)


@main.group()
def state() -> None:
    """Inspect the state file."""


@state.command("list")
@workspace_options
def state_list(workspace: str | None, config_path: str | None, state_path: str | None) -> None:
    """List the addresses kinde-iac manages."""
    store = _open_state(workspace, config_path, state_path)
    for address, row in store.resources().items():
        click.echo(f"{address}\t{row.kinde_id or '-'}")


@state.command("show")
@workspace_options
@click.argument("address")
def state_show(workspace: str | None, config_path: str | None, state_path: str | None, address: str) -> None:
    """Show one object's last-applied attributes (secrets appear only as salted hashes)."""
    store = _open_state(workspace, config_path, state_path)
    row = store.get(address)
    if row is None:
        raise KindeIacError(f"{address} is not in state {store.path}")
    click.echo(json.dumps({"address": row.address, "kinde_id": row.kinde_id, "natural": list(row.natural),
                           "depends_on": list(row.depends_on), "attributes": row.attributes,
                           "updated_at": row.updated_at}, indent=2, sort_keys=True))


@state.command("journal")
@workspace_options
def state_journal(workspace: str | None, config_path: str | None, state_path: str | None) -> None:
    """Show the journal of the last apply (each API step's intent and outcome)."""
    store = _open_state(workspace, config_path, state_path)
    for e in store.journal():
        click.echo(f"{e.started_at}\t{e.address}\t{e.action}\t{e.outcome or 'IN FLIGHT (no result)'}"
                   f"\t{e.kinde_id or ''}\t{e.detail}")


def _open_state(workspace: str | None, config_path: str | None, state_path: str | None) -> Any:
    from kinde_iac.state import StateStore
    from kinde_iac.workflow import resolve_target

    target = resolve_target(workspace, config_path, state_path)
    if not target.state.exists():
        raise KindeIacError(f"no state file at {target.state} (nothing applied yet)")
    return StateStore.open(target.state, workspace=target.name)


@main.command("force-unlock")
@workspace_options
@click.argument("lock_id")
def force_unlock(workspace: str | None, config_path: str | None, state_path: str | None, lock_id: str) -> None:
    """Release a lock left behind by a killed run."""
    store = _open_state(workspace, config_path, state_path)
    info = store.force_unlock(lock_id)
    click.echo(f"Released lock {info.id} held by {info.who} since {info.since}.")


@main.command()
def schema() -> None:
    """Print the JSON Schema of the native configuration format."""
    from kinde_iac.config import json_schema

    click.echo(json.dumps(json_schema(), indent=2, sort_keys=True))


def _register_commands() -> None:
    from kinde_iac.api_key_cli import api_key_group, scopes_command
    from kinde_iac.emulator.cli import emulator_command

    main.add_command(emulator_command, name="emulator")
    main.add_command(api_key_group, name="api-key")
    main.add_command(scopes_command, name="scopes")


_register_commands()
