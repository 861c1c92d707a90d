"""``moved`` entries: written as {"from", "to"}, merged across $extends, checked against the config;
and loading without secret values for ``validate``."""
from __future__ import annotations

from pathlib import Path

import pytest
from config_testlib import write

from kinde_iac.config import load_workspace
from kinde_iac.config.model import Moved
from kinde_iac.config.offline import load_offline
from kinde_iac.errors import ConfigError

APPS = [{"key": "web", "name": "Web"}, {"key": "admin", "name": "Admin"}]


def test_moved_entries_add_up_across_extends(tmp_path: Path) -> None:
    write(tmp_path, {
        "common.json": {"applications": APPS, "moved": [{"from": "application.site", "to": "application.web"}]},
        "dev.json": {"$extends": "common.json", "moved": [{"from": "application.console", "to": "application.admin"}]},
    })
    ws = load_workspace(tmp_path / "dev.json")
    assert ws.moved == (Moved(source="application.site", target="application.web"),
                        Moved(source="application.console", target="application.admin"))


@pytest.mark.parametrize(("moved", "where", "fragment"), [
    ("x", "$.moved", "expected a list"),
    (["application.site"], "$.moved[0]", 'expected an object {"from": ADDRESS, "to": ADDRESS}'),
    ([{"from": "application.site", "to": 3}], "$.moved[0].to", "expected an address"),
    ([{"form": "application.site", "to": "application.web"}], "$.moved[0].form", 'did you mean "from"'),
    ([{"from": "nope.site", "to": "application.web"}], "$.moved[0].from", "expected an address <kind>.<key>"),
    ([{"from": "application.web", "to": "application.admin"}], "$.moved[0].from", "is still in the configuration"),
    ([{"from": "application.a", "to": "application.web"}, {"from": "application.a", "to": "application.admin"}],
     "$.moved[1].from", "is moved twice"),
])
def test_bad_moved_entries_name_file_and_path(tmp_path: Path, moved: object, where: str, fragment: str) -> None:
    write(tmp_path, {"dev.json": {"applications": APPS, "moved": moved}})
    with pytest.raises(ConfigError) as err:
        load_workspace(tmp_path / "dev.json")
    assert err.value.path == where and fragment in err.value.message


def test_offline_load_leaves_only_secret_values_unset(tmp_path: Path) -> None:
    write(tmp_path, {"dev.json": {
        "variables": {"key": "${env:SECRET_FROM_VARIABLE}"},
        "env_vars": [{"key": "A", "value": "${env:SECRET_A}", "is_secret": True},
                     {"key": "B", "value": "${var.key}", "is_secret": True},
                     {"key": "C", "value": "${env:PLAIN_C}"}]}})
    with pytest.raises(ConfigError, match='"PLAIN_C" is not set'):
        load_offline(tmp_path / "dev.json", env={})
    loaded = load_offline(tmp_path / "dev.json", env={"PLAIN_C": "c"})
    assert loaded.unset_secrets == ("SECRET_A", "SECRET_FROM_VARIABLE")
    with pytest.raises(ConfigError, match='"SECRET_A" is not set'):
        load_offline(tmp_path / "dev.json", env={"PLAIN_C": "c"}, require_secrets=True)
