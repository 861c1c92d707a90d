"""Which state a command uses: --state, else KINDE_IAC_STATE, else the workspace file's
"kinde": {"state": ...} (with ${env:...}), else state/<name>.db; and how hints name it again."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kinde_iac.config import load_workspace
from kinde_iac.engine.session import resolve_target
from kinde_iac.errors import ConfigError, KindeIacError

URL = "postgresql://ci@db.internal/kinde?schema=team"


def write(path: Path, doc: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "environments" / "_common.json",
          {"kinde": {"state": "${env:TEAM_STATE}"}, "permissions": [{"key": "p", "name": "P"}]})
    return write(tmp_path / "environments" / "dev.json",
                 {"$extends": "_common.json", "kinde": {"environment": "development"},
                  "env_vars": [{"key": "K", "value": "${env:SECRET_NOT_SET}", "is_secret": True}]})


def test_precedence(workspace: Path) -> None:
    env = {"TEAM_STATE": URL}
    from_file = resolve_target("dev", None, None, env=env)
    assert (from_file.state.url, from_file.state.schema, from_file.state_source) == \
        ("postgresql://ci@db.internal/kinde", "team", "kinde.state")
    from_env = resolve_target("dev", None, None, env={**env, "KINDE_IAC_STATE": "elsewhere.db"})
    assert (from_env.state.path, from_env.state_source) == (Path("elsewhere.db"), "KINDE_IAC_STATE")
    given = resolve_target("dev", None, "mine.db", env={**env, "KINDE_IAC_STATE": URL})
    assert (given.state.path, given.state_source) == (Path("mine.db"), "--state")
    default = resolve_target("prod", None, None, env={})
    assert (default.state.path, default.state_source) == (Path("state/prod.db"), "default")


def test_only_the_state_value_is_read_so_unset_secrets_elsewhere_do_not_matter(workspace: Path) -> None:
    target = resolve_target("dev", None, None, env={"TEAM_STATE": "team.db"})
    assert target.state.path == Path("team.db")
    with pytest.raises(ConfigError, match=r"TEAM_STATE.*is not set"):
        resolve_target("dev", None, None, env={})


def test_the_full_load_accepts_the_state_key(workspace: Path) -> None:
    ws = load_workspace(workspace, env={"TEAM_STATE": URL, "SECRET_NOT_SET": "x"})
    assert ws.kinde.state == URL and ws.kinde.environment == "development"


def test_a_bad_state_names_where_it_came_from(workspace: Path) -> None:
    with pytest.raises(KindeIacError, match=r"^KINDE_IAC_STATE: unsupported state location mysql://u:\*\*\*@h/d"):
        resolve_target("dev", None, None, env={"KINDE_IAC_STATE": "mysql://u:pw@h/d"})
    write(workspace, {"kinde": {"state": 42}})
    with pytest.raises(ConfigError, match=r"dev.json: \$.kinde.state: expected a string"):
        resolve_target("dev", None, None, env={})


def test_the_unlock_command_names_the_target_as_the_user_did(workspace: Path) -> None:
    env = {"TEAM_STATE": URL}
    assert resolve_target("dev", None, None, env=env).unlock_command() == "kinde-iac force-unlock -w dev"
    by_config = resolve_target(None, "other dir/dev.json", "postgresql://u:pw@h/d?schema=s", env=env)
    assert by_config.unlock_command() == \
        "kinde-iac force-unlock --config 'other dir/dev.json' --state 'postgresql://u:***@h/d?schema=s'"
    assert "pw" not in by_config.unlock_command()
