"""workspace_file, discover_workspaces and the business-wide flag definition check."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_testlib import write

from kinde_iac.config import check_workspaces, discover_workspaces, load_workspace, workspace_file
from kinde_iac.errors import ConfigError

FLAG = {
    "key": "new_checkout",
    "name": "New Checkout",
    "type": "bool",
    "default_value": False,
    "allow_override_level": "env",
}


def test_workspace_file() -> None:
    assert workspace_file("staging") == Path("environments/staging.json")
    assert workspace_file("prod", "conf/envs") == Path("conf/envs/prod.json")
    for bad in ("", "..", "a/b"):
        with pytest.raises(ConfigError):
            workspace_file(bad)


def test_discover_workspaces_skips_shared_parts(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "_common.json": {},
            "base.json": {"$extends": "_common.json"},  # extended by others: a shared part
            "dev.json": {"$extends": ["base.json"]},
            "prod.json": {"$extends": "base.json"},
            "loop.json": {"$extends": "loop.json"},  # only extends itself: still a workspace
            "broken.json": "{not json",  # unreadable: still listed, loading reports it
            "notes.txt": "x",
            "sub/nested.json": {},  # not scanned: one directory only
        },
    )
    found = discover_workspaces(tmp_path)
    assert [p.name for p in found] == ["broken.json", "dev.json", "loop.json", "prod.json"]
    assert all(p.parent == tmp_path for p in found)


def test_discover_workspaces_missing_dir(tmp_path: Path) -> None:
    assert discover_workspaces(tmp_path / "nope") == []


def test_discover_default_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"environments/dev.json": {}})
    monkeypatch.chdir(tmp_path)
    assert discover_workspaces() == [Path("environments/dev.json")]


def _workspaces(tmp_path: Path, dev_flag: dict, prod_flag: dict) -> list:
    write(
        tmp_path,
        {
            "_flags.json": {"feature_flags": [FLAG]},
            "dev.json": {"$extends": "_flags.json", "feature_flags": [dev_flag]},
            "prod.json": {"$extends": "_flags.json", "feature_flags": [prod_flag]},
        },
    )
    return [load_workspace(p, env={}) for p in discover_workspaces(tmp_path)]


def test_flag_values_may_differ_per_workspace(tmp_path: Path) -> None:
    wss = _workspaces(
        tmp_path, {"key": "new_checkout", "value": True}, {"key": "new_checkout", "value": False}
    )
    assert [w.section("feature_flags")[0].value for w in wss] == [True, False]
    assert check_workspaces(wss) == []


def test_equivalent_defaults_agree(tmp_path: Path) -> None:
    # Kinde stores defaults as strings: false and "false" are the same definition.
    wss = _workspaces(tmp_path, {"key": "new_checkout"}, {"key": "new_checkout", "default_value": "false"})
    assert check_workspaces(wss) == []


def test_flag_definition_disagreement_is_reported(tmp_path: Path) -> None:
    wss = _workspaces(
        tmp_path,
        {"key": "new_checkout", "value": True},
        {"key": "new_checkout", "default_value": True, "name": "Checkout v2"},
    )
    errors = check_workspaces(wss)
    assert [e.path.rsplit(".", 1)[1] for e in errors] == ["name", "default_value"]
    msg = errors[1].message
    dev, prod = str(tmp_path / "dev.json"), str(tmp_path / "prod.json")
    assert dev in msg and prod in msg
    assert "default_value = false" in msg and "default_value = true" in msg
    assert "business-wide" in msg
    # Each error points at the value that disagrees, in the file that wrote it.
    assert (errors[0].file, errors[0].path) == (prod, "$.feature_flags[0].name")
    assert f"{tmp_path / '_flags.json'}: $.feature_flags[0].name" in errors[0].message


def test_flag_only_in_one_workspace_is_not_a_disagreement(tmp_path: Path) -> None:
    write(tmp_path, {"a.json": {"feature_flags": [FLAG]}, "b.json": {}})
    wss = [load_workspace(p, env={}) for p in discover_workspaces(tmp_path)]
    assert check_workspaces(wss) == []
