"""`kinde-iac check` over the React + Next.js fixture app, through the real CLI."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from checks_helpers import DECOYS, Cli, lines_with

from kinde_iac.cli.status import ExitCode


def _check(cli: Cli, *extra: str) -> tuple[int, dict[str, Any]]:
    return cli.json("check", "--config", "workspace.json", "app", "--format", "json", *extra)


def _errors(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in doc["findings"] if f["level"] == "error"]


def test_undefined_manage_users_is_reported_at_its_exact_lines(cli: Cli, app: Path) -> None:
    code, doc = _check(cli)
    assert code == ExitCode.CHANGES
    found = {(f["file"], f["line"]) for f in doc["findings"] if f["key"] == "manage:users"}
    # The multi-line has() call puts the key three lines below the call; the multi-line
    # ProtectedRoute puts it inside a nested object literal.
    header, routes = app / "src/components/TodoHeader.tsx", app / "src/routes/AppRoutes.tsx"
    expected = {("app/src/components/TodoHeader.tsx", n) for n in lines_with(header, '"manage:users"')}
    expected |= {("app/src/routes/AppRoutes.tsx", n) for n in lines_with(routes, '"manage:users"')}
    assert len(expected) == 2
    assert found == expected
    for f in doc["findings"]:
        if f["key"] == "manage:users":
            assert f["rule"] == "undefined-permission" and f["key_kind"] == "permission"
    patterns = {f["pattern"] for f in doc["findings"] if f["key"] == "manage:users"}
    assert patterns == {"has({ permissions })", "<ProtectedRoute has={{ permissions }}>"}


def test_every_error_and_nothing_else(cli: Cli, app: Path) -> None:
    _, doc = _check(cli)
    got = sorted((f["rule"], f["key"], f["file"]) for f in _errors(doc))
    assert got == [
        ("undefined-flag", "max_todos", "app/app/dashboard/page.tsx"),
        ("undefined-permission", "manage:users", "app/src/components/TodoHeader.tsx"),
        ("undefined-permission", "manage:users", "app/src/routes/AppRoutes.tsx"),
        ("undefined-role", "support", "app/src/components/TodoHeader.tsx"),
        ("ungranted-permission", "export:reports", "app/app/dashboard/page.tsx"),
    ]


def test_defined_keys_are_never_reported(cli: Cli, app: Path) -> None:
    _, doc = _check(cli)
    reported = {f["key"] for f in doc["findings"]}
    for key in ("create:todos", "read:todos", "admin", "dark_mode", "new_checkout", "theme"):
        assert key not in reported
    assert doc["summary"]["uses_found"] >= 14


def test_flag_getters_are_recognised(cli: Cli, app: Path, tmp_path: Path) -> None:
    # With the flags removed from the workspace, each getter's key becomes an error at its line.
    ws = (tmp_path / "workspace.json").read_text()
    for key in ("dark_mode", "new_checkout", "theme"):
        ws = ws.replace(f'"key": "{key}"', f'"key": "{key}_gone"')
    (tmp_path / "workspace.json").write_text(ws)
    _, doc = _check(cli)
    flags = {(f["key"], f["pattern"], f["line"]) for f in _errors(doc) if f["key_kind"] == "flag"}
    panel = app / "src/components/PermissionsPanel.tsx"
    page = app / "app/dashboard/page.tsx"
    assert ("dark_mode", "getFlag()", lines_with(panel, '"dark_mode"')[0]) in flags
    assert ("new_checkout", "getBooleanFlag()", lines_with(panel, '"new_checkout"')[0]) in flags
    assert ("theme", "getStringFlag()", lines_with(page, '"theme"')[0]) in flags
    assert ("dark_mode", "has({ featureFlags })", lines_with(app / "src/components/TodoHeader.tsx",
                                                            '"dark_mode"')[0]) in flags


def test_dependencies_build_output_ignored_files_comments_and_strings_are_not_read(cli: Cli, app: Path) -> None:
    _, doc = _check(cli)
    keys = {f["key"] for f in doc["findings"]}
    assert not {k for k in keys if k.startswith("ghost")}, keys
    # The decoys are there and would be found if read.
    for name in DECOYS:
        assert (app / name).is_file()
    direct = cli("check", "--config", "workspace.json", "app/generated/keys.ts", "--format", "json")
    assert '"ghost_generated"' in direct.stdout


def test_text_output_names_file_line_key_and_pattern(cli: Cli, app: Path) -> None:
    result = cli("check", "--config", "workspace.json", "app")
    assert result.exit_code == ExitCode.CHANGES
    line = lines_with(app / "src/routes/AppRoutes.tsx", '"manage:users"')[0]
    assert (f'app/src/routes/AppRoutes.tsx:{line}:29: error: permission "manage:users" is used in code '
            f'(<ProtectedRoute has={{{{ permissions }}}}>) but not defined in workspace "workspace" '
            f"[undefined-permission]") in result.stdout
    assert result.stdout.rstrip().endswith('checked against workspace "workspace".')
    assert "5 errors" in result.stdout


def test_unused_notes_point_at_the_config(cli: Cli, app: Path) -> None:
    _, plain = _check(cli)
    assert not [f for f in plain["findings"] if f["level"] == "note"]
    _, doc = _check(cli, "--unused")
    notes = {(f["rule"], f["key"], f["line"]) for f in doc["findings"] if f["level"] == "note"}
    ws = cli.root / "workspace.json"
    assert notes == {
        ("unused-permission", "update:todos", lines_with(ws, '"update:todos", "name"')[0]),
        ("unused-permission", "delete:todos", lines_with(ws, '"delete:todos", "name"')[0]),
        ("unused-role", "member", lines_with(ws, '"key": "member"')[0]),
        ("unused-flag", "beta_banner", lines_with(ws, '"key": "beta_banner"')[0]),
    }


def test_clean_code_exits_zero_even_with_notes(cli: Cli, app: Path) -> None:
    result = cli("check", "--config", "workspace.json", "app/src/components/PermissionsPanel.tsx",
                 "app/middleware.ts", "--unused")
    assert result.exit_code == ExitCode.SUCCESS, result.output
    assert "0 errors, " in result.stdout and "note" in result.stdout


def test_needs_no_secrets_and_no_network(cli: Cli, app: Path, no_network: list[Any]) -> None:
    # workspace.json reads STRIPE_SECRET_KEY with ${env:...}; it is not set here.
    result = cli("check", "--config", "workspace.json", "app", env={"STRIPE_SECRET_KEY": None})  # type: ignore[dict-item]
    assert result.exit_code == ExitCode.CHANGES, result.output
    assert no_network == []


def test_bad_input_is_one_line_and_exit_1(cli: Cli, app: Path) -> None:
    missing = cli("check", "--config", "workspace.json", "nowhere")
    assert missing.exit_code == ExitCode.ERROR
    assert missing.stderr.strip() == "Error: nowhere: no such file or directory"
    no_paths = cli("check", "--config", "workspace.json")
    assert no_paths.exit_code == ExitCode.ERROR and "Missing argument" in no_paths.stderr
    bad_format = cli("check", "--config", "workspace.json", "app", "--format", "xml")
    assert bad_format.exit_code == ExitCode.ERROR
    not_source = cli("check", "--config", "workspace.json", "app/package.json")
    assert not_source.exit_code == ExitCode.ERROR and "not a source file" in not_source.stderr
    (cli.root / "broken.json").write_text('{"roles": [{"key": "a", "name": 3}]}')
    broken = cli("check", "--config", "broken.json", "app")
    assert broken.exit_code == ExitCode.ERROR
    assert broken.stderr.strip() == "Error: broken.json: $.roles[0].name: expected a string, got a number"
    assert "Traceback" not in broken.output


def test_out_writes_the_format_and_prints_text(cli: Cli, app: Path) -> None:
    result = cli("check", "--config", "workspace.json", "app", "--format", "sarif", "--out", "check.sarif")
    assert result.exit_code == ExitCode.CHANGES
    assert "[undefined-permission]" in result.stdout
    assert '"version": "2.1.0"' in (cli.root / "check.sarif").read_text()
