"""Bad input through the real CLI: one readable line naming file and JSON path (or the credential,
state file or endpoint at fault), exit code 1, no traceback, and nothing written."""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from e2e_harness import Kinde, Workdir

OK = {"kinde": {"environment": "development"}, "permissions": [{"key": "p1", "name": "P1"}],
      "roles": [{"key": "r", "name": "R", "permissions": ["p1"]}]}


def with_(path: list, value: object) -> dict:
    doc = json.loads(json.dumps(OK))
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return doc


# (id, config or raw text, expected fragments of the single error line)
CONFIG_CASES: list[tuple[str, object, list[str]]] = [
    ("broken-json", '{"permissions": [', ["dev.json", "line 1"]),
    ("top-level-list", "[]", ["dev.json", "$"]),
    ("unknown-key", with_(["roles", 0, "nmae"], "x"), ["$.roles[0]", "nmae"]),
    ("wrong-type", with_(["roles", 0, "is_default_role"], "yes"), ["$.roles[0].is_default_role", "boolean"]),
    ("dangling-permission", with_(["roles", 0, "permissions"], ["nope"]), ["$.roles[0].permissions[0]", "nope"]),
    ("duplicate-key", with_(["permissions"], [{"key": "p1"}, {"key": "p1"}]), ["$.permissions[1]", "p1"]),
    ("scope-key-with-space", {"apis": [{"key": "a", "name": "A", "audience": "x", "scopes": ["read all"]}]},
     ["$.apis[0].scopes[0]"]),
    ("65-char-key", with_(["permissions", 0, "key"], "k" * 65), ["$.permissions[0].key", "64"]),
    ("invalid-url", {"applications": [{"key": "w", "name": "W", "redirect_urls": ["not a url"]}]},
     ["$.applications[0].redirect_urls[0]"]),
    ("flag-default-wrong-type", {"feature_flags": [{"key": "f", "name": "F", "type": "int", "default_value": "x"}]},
     ["$.feature_flags[0].default_value"]),
    ("missing-env-ref", {"env_vars": [{"key": "K", "value": "${env:KINDE_IAC_SURELY_UNSET}"}]},
     ["$.env_vars[0].value", "KINDE_IAC_SURELY_UNSET"]),
    ("dangling-role-scope", with_(["roles", 0, "scopes"], ["api/none"]), ["$.roles[0].scopes[0]"]),
]


@pytest.mark.parametrize(("case", "config", "expected"), CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES])
@pytest.mark.parametrize("command", ["validate", "plan"])
def test_config_errors(work: Workdir, kinde: Kinde, case: str, config: object, expected: list[str],
                       command: str, figures: dict) -> None:
    figures["bad inputs tried through the CLI"] = figures.get("bad inputs tried through the CLI", 0) + 1
    path = work.root / "dev.json"
    path.write_text(config if isinstance(config, str) else json.dumps(config))
    result = work.run(command, "--config", str(path), "--state", str(work.root / "dev.db"))
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    for fragment in expected:
        assert fragment in lines[0]
    assert "Traceback" not in result.output + result.stderr
    assert not (work.root / "dev.db").exists()


def _corrupt_state(root: Path) -> None:
    (root / "dev.db").write_bytes(b"this is not sqlite at all" * 100)


def _future_state(root: Path) -> None:
    from kinde_iac.state import StateStore

    StateStore.open(root / "dev.db", workspace="dev", create=True).close()
    db = sqlite3.connect(root / "dev.db")
    with db:
        db.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # so the bytes compared below are the whole database
    db.close()


def _other_workspace_state(root: Path) -> None:
    from kinde_iac.state import StateStore

    StateStore.open(root / "dev.db", workspace="prod", create=True).close()


ENV_CASES: list[tuple[str, dict[str, str], Callable[[Path], None] | None, list[str]]] = [
    ("missing-client-id", {"KINDE_CLIENT_ID": ""}, None, ["KINDE_CLIENT_ID"]),
    ("missing-client-secret", {"KINDE_CLIENT_SECRET": ""}, None, ["KINDE_CLIENT_SECRET"]),
    ("wrong-secret", {"KINDE_CLIENT_SECRET": "wrong-secret-value"}, None, ["invalid_client"]),
    ("unreachable-domain", {"KINDE_DOMAIN": "http://127.0.0.1:9", "KINDE_IAC_MAX_RETRIES": "1"}, None,
     ["127.0.0.1", "port=9", "Connection refused"]),
    ("missing-scope", {"KINDE_SCOPES": "read:environments"}, None, ["SCOPE_MISSING", "read:"]),
    ("corrupt-state", {}, _corrupt_state, ["dev.db", "not a kinde-iac state database"]),
    ("future-state", {}, _future_state, ["dev.db", "newer"]),
    ("other-workspace-state", {}, _other_workspace_state, ["dev.db", "prod"]),
    ("bad-retry-setting", {"KINDE_IAC_MAX_RETRIES": "many"}, None, ["KINDE_IAC_MAX_RETRIES"]),
]


@pytest.mark.parametrize(("case", "env", "prepare", "expected"), ENV_CASES, ids=[c[0] for c in ENV_CASES])
def test_environment_and_state_errors(work: Workdir, kinde: Kinde, case: str, env: dict[str, str],
                                      prepare: Callable[[Path], None] | None, expected: list[str],
                                      figures: dict) -> None:
    figures["bad inputs tried through the CLI"] = figures.get("bad inputs tried through the CLI", 0) + 1
    if prepare:
        prepare(work.root)
    before = (work.root / "dev.db").read_bytes() if (work.root / "dev.db").exists() else None
    result = work.run("apply", *work.ws_args(OK), "--auto-approve", env=env)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    for fragment in expected:
        assert fragment in errors[0], errors[0]
    assert "Traceback" not in result.output + result.stderr
    assert kinde.env()["KINDE_CLIENT_SECRET"] not in result.output + result.stderr
    assert kinde.list("/api/v1/permissions", "permissions") == []
    if before is not None:
        assert (work.root / "dev.db").read_bytes() == before


def test_server_errors_exhaust_the_retry_budget_with_a_clear_message(work: Workdir, kinde: Kinde) -> None:
    requests.post(f"{kinde.url}/_emulator/faults", json={"fail_rate": 1.0}, timeout=10).raise_for_status()
    try:
        result = work.run("plan", *work.ws_args(OK), env={"KINDE_IAC_MAX_RETRIES": "2"})
    finally:
        requests.post(f"{kinde.url}/_emulator/faults", json={"fail_rate": 0.0}, timeout=10).raise_for_status()
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "500" in errors[0] and "attempt" in errors[0]
    assert "Traceback" not in result.output + result.stderr


def test_debug_shows_the_traceback(work: Workdir, kinde: Kinde) -> None:
    path = work.root / "dev.json"
    path.write_text("{")
    result = work.runner.invoke(__import__("kinde_iac.cli").cli.main, ["--debug", "validate", "--config", str(path)])
    assert result.exit_code == 1
    assert result.exception is not None  # re-raised for the traceback


def test_both_workspace_and_config_is_an_error(work: Workdir, kinde: Kinde) -> None:
    result = work.run("plan", "--workspace", "dev", "--config", "x.json")
    assert result.exit_code == 1 and "either --workspace or --config" in result.stderr
