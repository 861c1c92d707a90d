"""`kinde-iac diff --live` and `A:live`: environments read as refresh reads them, each with its own
workspace's credentials, over real HTTP against the emulator."""
from __future__ import annotations

import json

from emulator_client import Control
from envs_harness import PROD_SECRET, STAGING_SECRET, Project


def _apply_both(project: Project) -> None:
    for workspace in ("staging", "prod"):
        result = project.run("apply", "-w", workspace, "--auto-approve")
        assert result.exit_code == 0, result.output + result.stderr


def _role_id(project: Project, code: str, key: str) -> str:
    roles = project.api(code).call("GET", "/api/v1/roles", params={"page_size": 500})["roles"]
    return next(r["id"] for r in roles if r["key"] == key)


def test_live_diff_finds_a_dashboard_edit_in_one_environment(project: Project) -> None:
    _apply_both(project)
    before = project.run("diff", "staging", "prod", "--live", "--ignore-variables")
    assert before.exit_code == 2, before.output + before.stderr
    assert before.output.startswith("Comparing staging (live: environment staging at http://127.0.0.1:")
    assert "with prod (live: environment production at" in before.output
    assert "role.viewer" not in before.output and "~ role.admin" in before.output
    # a secret both environments hold is not readable: each state has only its own salted hash
    assert "env_var.STRIPE_KEY: value" in before.output.split("Not compared")[1]

    api = project.api("production")
    api.call("PATCH", f"/api/v1/roles/{_role_id(project, 'production', 'viewer')}",
             json={"name": "Viewer (dashboard)", "key": "viewer"})
    api.call("POST", "/api/v1/roles", json={"key": "temp-access", "name": "Temporary access"})
    after = project.run("diff", "staging", "prod", "--live", "--ignore-variables", "role.*")
    assert after.exit_code == 2, after.output + after.stderr
    assert '~ name = "Viewer" -> "Viewer (dashboard)"' in after.output
    assert "+ role.temp-access  (only in prod)" in after.output
    for result in (before, after):
        assert STAGING_SECRET not in result.output and PROD_SECRET not in result.output
    # prod's ignore rules leave its unmanaged objects out, as they do for drift
    prod = project.read("prod")
    prod["ignore"] = ["role.temp-*"]
    project.write("prod", prod)
    ignored = project.run("diff", "staging", "prod", "--live", "--ignore-variables", "role.*")
    assert "temp-access" not in ignored.output and "role.viewer" in ignored.output


def test_one_live_side_compares_a_config_with_its_environment(project: Project) -> None:
    _apply_both(project)
    same = project.run("diff", "prod", "prod:live")
    assert same.exit_code == 0, same.output + same.stderr
    assert "No differences" in same.output and "Not compared" not in same.output
    project.api("production").call("PATCH", f"/api/v1/roles/{_role_id(project, 'production', 'admin')}",
                                   json={"name": "Admin (dashboard)", "key": "admin"})
    edited = project.run("diff", "prod", "prod:live", "--format", "json")
    assert edited.exit_code == 2
    doc = json.loads(edited.output)
    assert doc["b"] == {"workspace": "prod", "live": True, "environment": "production", "domain": project.emulator.url}
    assert [(o["address"], [(a["name"], a["a"], a["b"]) for a in o["attributes"]]) for o in doc["objects"]] == [
        ("role.admin", [("name", "Admin", "Admin (dashboard)")])]
    # the staging config against the production environment: staging's changes, not its variables
    ahead = project.run("diff", "staging", "prod:live", "--ignore-variables", "role.support", "env_var.*")
    assert ahead.exit_code == 2 and "- role.support  (only in staging)" in ahead.output
    assert "(sensitive value differs)" in ahead.output and PROD_SECRET not in ahead.output


def test_live_diff_needs_each_workspace_s_credentials(project: Project) -> None:
    result = project.run("diff", "staging", "prod", "--live",
                         env={"KINDE_CLIENT_ID_PROD": "", "KINDE_CLIENT_ID": "", "KINDE_CLIENT_SECRET": ""})
    assert result.exit_code == 1
    assert "KINDE_CLIENT_ID" in result.stderr and "Traceback" not in result.stderr


def test_live_diff_reads_each_environment_once_as_refresh_does(project: Project) -> None:
    _apply_both(project)
    control = Control(project.emulator.url)
    control.reset_stats()
    assert project.run("diff", "staging", "prod", "--live").exit_code == 2
    routes = control.stats()["by_route"]
    # one token, one environment guard and one walk per list for each side
    for route in ("POST /oauth2/token", "GET /api/v1/environment", "GET /api/v1/roles", "GET /api/v1/permissions",
                  "GET /api/v1/applications", "GET /api/v1/apis", "GET /api/v1/environment_variables",
                  "GET /api/v1/environment/feature_flags"):
        assert routes[route] == 2, (route, routes)
    # sub-lists once per parent: staging has three roles, production two
    assert routes["GET /api/v1/roles/{role_id}/permissions"] == 5
