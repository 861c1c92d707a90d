"""Drift detection, import and export against the emulator (issue 4), plus the seed guide's config."""
from __future__ import annotations

import json
from pathlib import Path

from e2e_harness import Kinde, Workdir

DATA = Path(__file__).parent / "data"

WS = {
    "kinde": {"environment": "development"},
    "applications": [{"key": "web", "name": "Web", "type": "reg",
                      "redirect_urls": ["https://app.example/cb"], "logout_urls": ["https://app.example"]}],
    "apis": [{"key": "orders", "name": "Orders API", "audience": "https://orders.example",
              "scopes": [{"key": "orders:read", "description": "Read"}], "applications": ["web"]}],
    "permissions": [{"key": "orders:read", "name": "Read"}, {"key": "orders:write", "name": "Write"},
                    {"key": "orders:refund", "name": "Refund"}],
    "roles": [{"key": "admin", "name": "Admin", "permissions": ["orders:read", "orders:write"]},
              {"key": "support", "name": "Support", "permissions": ["orders:read"]}],
    "feature_flags": [{"key": "new_checkout", "name": "New checkout", "type": "bool", "default_value": False,
                       "value": True}],
    "env_vars": [{"key": "GATEWAY", "value": "sandbox"}, {"key": "API_KEY", "value": "${env:API_KEY}",
                                                          "is_secret": True}],
}
SECRET = {"API_KEY": "drift-test-secret-value"}


def by_key(items: list[dict], key: str, field: str = "key") -> dict:
    return next(i for i in items if i[field] == key)


def drift(work: Workdir, config: dict, *extra: str) -> tuple[int, str]:
    result = work.run("drift", *work.ws_args(config), *extra, env=SECRET)
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.output


def test_every_kind_of_drift_is_reported_and_reverted(work: Workdir, kinde: Kinde) -> None:
    work.apply(WS, **SECRET)
    code, out = drift(work, WS)
    assert code == 0 and "No drift" in out

    roles = kinde.list("/api/v1/roles", "roles")
    admin, support = by_key(roles, "admin"), by_key(roles, "support")
    perms = kinde.list("/api/v1/permissions", "permissions")
    app = by_key(kinde.list("/api/v1/applications", "applications"), "Web", "name")
    api = by_key(kinde.call("GET", "/api/v1/apis")["apis"], "https://orders.example", "audience")
    env_vars = kinde.call("GET", "/api/v1/environment_variables")["environment_variables"]

    # a role renamed
    kinde.call("PATCH", f"/api/v1/roles/{admin['id']}", json={"key": "admin", "name": "Super Admin"})
    # a permission deleted
    kinde.call("DELETE", f"/api/v1/permissions/{by_key(perms, 'orders:refund')['id']}")
    # a redirect URL removed and another added
    kinde.call("DELETE", f"/api/v1/applications/{app['id']}/auth_redirect_urls",
               params={"urls": "https://app.example/cb"})
    kinde.call("POST", f"/api/v1/applications/{app['id']}/auth_redirect_urls", json={"urls": ["https://evil.example/cb"]})
    # an API's application authorization revoked
    kinde.call("PATCH", f"/api/v1/apis/{api['id']}/applications",
               json={"applications": [{"id": app["id"], "operation": "delete"}]})
    # a role's permission removed
    kinde.call("DELETE", f"/api/v1/roles/{support['id']}/permissions/{by_key(perms, 'orders:read')['id']}")
    # a non-secret env var value changed
    kinde.call("PATCH", f"/api/v1/environment_variables/{by_key(env_vars, 'GATEWAY')['id']}", json={"value": "live"})
    # a flag's environment value changed
    kinde.call("PATCH", "/api/v1/environment/feature_flags/new_checkout", json={"value": "false"})
    # unmanaged objects
    kinde.call("POST", "/api/v1/roles", json={"key": "legacy-ops", "name": "Legacy ops"})
    kinde.call("POST", "/api/v1/feature_flags", json={"key": "tmp_banner", "name": "Banner", "type": "bool",
                                                      "default_value": "false"})
    kinde.call("POST", "/api/v1/environment_variables", json={"key": "STRAY", "value": "x"})

    code, out = drift(work, WS)
    assert code == 2, out
    assert '~ name: last applied "Admin", now "Super Admin"' in out
    assert "- permission.orders:refund" in out  # deleted outside
    assert '- redirect_urls: "https://app.example/cb" removed outside kinde-iac' in out
    assert '+ redirect_urls: "https://evil.example/cb" added outside kinde-iac' in out
    assert '- applications: "web" removed outside kinde-iac' in out
    assert '- permissions: "orders:read" removed outside kinde-iac' in out
    assert '~ value: last applied "sandbox", now "live"' in out
    assert '~ value: last applied "true", now "false"' in out
    for unmanaged in ("? role.legacy-ops", "? feature_flag.tmp_banner", "? env_var.STRAY"):
        assert unmanaged in out
    assert "Coverage:" in out

    as_json = json.loads(drift(work, WS, "--format", "json")[1])
    assert not as_json["in_sync"]
    assert {c["address"] for c in as_json["changed"]} == {
        "role.admin", "role.support", "application.web", "api.orders", "env_var.GATEWAY", "feature_flag.new_checkout"}
    assert [d["address"] for d in as_json["deleted"]] == ["permission.orders:refund"]
    assert "drift-test-secret-value" not in json.dumps(as_json)
    assert "## ⚠️ Drift found" in drift(work, WS, "--format", "markdown")[1]

    # the plan shows the same moves as drift, and a field changed on both sides as a conflict
    conflicting = json.loads(json.dumps(WS))
    conflicting["roles"][0]["name"] = "Administrators"
    plan = work.plan(conflicting, **SECRET)
    assert plan.exit_code == 2
    assert "Objects changed outside kinde-iac:" in plan.output
    assert 'name: last applied "Admin", now "Super Admin"  (CONFLICT' in plan.output
    assert "permission.orders:refund was deleted outside kinde-iac" in plan.output
    assert 'value: last applied "sandbox", now "live"  (drift)' in plan.output

    # apply restores every managed object; unmanaged ones stay, listed or ignored by a rule
    work.apply(WS, **SECRET)
    with_rules = {**WS, "ignore": ["role.legacy-*", {"address": "feature_flag.tmp_*", "until": "2999-01-31"},
                                   {"address": "env_var.STRAY", "until": "2020-01-01"}]}
    code, out = drift(work, with_rules)
    assert code == 0, out
    assert "No drift" in out
    assert "? env_var.STRAY" in out and "legacy-ops" not in out.split("Ignored")[0]
    assert "Ignored by rules: 2 unmanaged objects" in out
    assert "ignore rule 'env_var.STRAY' expired on 2020-01-01" in out
    work.assert_converged(WS, **SECRET)
    assert by_key(kinde.list("/api/v1/roles", "roles"), "admin")["name"] == "Admin"
    assert sorted(kinde.call("GET", f"/api/v1/applications/{app['id']}/auth_redirect_urls")["redirect_urls"]) == \
        ["https://app.example/cb"]


def seed_with_raw_api(kinde: Kinde) -> None:
    """What Kinde's seed script does with the guide's example config."""
    app = kinde.call("POST", "/api/v1/applications", json={"name": "My Kinde App, Created with Script",
                                                           "type": "reg"})["application"]
    kinde.call("POST", f"/api/v1/applications/{app['id']}/auth_redirect_urls",
               json={"urls": ["http://localhost:3000/callback"]})
    kinde.call("POST", f"/api/v1/applications/{app['id']}/auth_logout_urls", json={"urls": ["http://localhost:3000/"]})
    kinde.call("POST", "/api/v1/environment_variables", json={"key": "PAYMENTS_GATEWAY", "value": "sandbox",
                                                              "is_secret": False})
    kinde.call("POST", "/api/v1/environment_variables", json={"key": "SECRET_PAYMENTS_GATEWAY", "value": "sandbox",
                                                              "is_secret": True})
    kinde.call("POST", "/api/v1/feature_flags", json={"name": "New Checkout", "key": "new_checkout", "type": "bool",
                                                      "allow_override_level": "env", "default_value": "true"})
    api = kinde.call("POST", "/api/v1/apis", json={"name": "Orders API", "audience": "orders"})["api"]
    for s in ("orders:read", "orders:write"):
        kinde.call("POST", f"/api/v1/apis/{api['id']}/scopes", json={"key": s, "description": s})
    role = kinde.call("POST", "/api/v1/roles", json={"key": "admin", "name": "Admin"})["role"]
    for key, name in (("orders:read", "Read Orders"), ("orders:write", "Write Orders")):
        kinde.call("POST", "/api/v1/permissions", json={"key": key, "name": name})
    perms = kinde.list("/api/v1/permissions", "permissions")
    kinde.call("PATCH", f"/api/v1/roles/{role['id']}/permissions",
               json={"permissions": [{"id": p["id"]} for p in perms]})


def seed_config() -> dict:
    return json.loads((DATA / "seed_config.json").read_text())


def test_seed_guide_config_applies_unchanged_and_converges(work: Workdir, kinde: Kinde) -> None:
    config = seed_config()
    out = work.apply(config).output
    assert "Plan: 10 to add, 0 to change, 0 to destroy, 0 to import." in out
    work.assert_converged(config)
    assert by_key(kinde.list("/api/v1/roles", "roles"), "admin")
    assert len(kinde.list("/api/v1/permissions", "permissions")) == 2


def test_seeded_environment_is_imported_then_converged_and_exported(work: Workdir, kinde: Kinde) -> None:
    seed_with_raw_api(kinde)
    config = seed_config()
    args = work.ws_args(config)
    result = work.run("import", *args, "--all")
    assert result.exit_code == 0, result.output + result.stderr
    assert "10 objects adopted" in result.output
    work.assert_converged(config)
    assert len(kinde.list("/api/v1/applications", "applications")) == 2  # the app and the M2M app, no duplicate

    # export round trip: the exported config plans "No changes." against the same state
    # named after the workspace, so it plans against the same state file
    (work.root / "export").mkdir()
    exported = work.root / "export" / "dev.json"
    result = work.run("export", *args, "--out", str(exported))
    assert result.exit_code == 0, result.stderr
    doc = json.loads(exported.read_text())
    assert "e2e-m2m" not in exported.read_text()  # kinde-iac's own M2M app is left out
    assert all(a.get("audience") != f"{kinde.url}/api" for a in doc.get("apis", []))  # so is the Management API
    assert by_key(doc["env_vars"], "SECRET_PAYMENTS_GATEWAY")["value"] == "${env:SECRET_PAYMENTS_GATEWAY}"
    plan = work.run("plan", "--config", str(exported), "--state", str(work.root / "dev.db"), "--detailed-exitcode",
                    env={"SECRET_PAYMENTS_GATEWAY": "sandbox"})
    assert plan.exit_code == 0, plan.output + plan.stderr
    assert "No changes." in plan.output


def test_import_of_ambiguous_application_lists_candidates(work: Workdir, kinde: Kinde) -> None:
    ids = [kinde.call("POST", "/api/v1/applications", json={"name": "Web", "type": "reg"})["application"]["id"]
           for _ in range(2)]
    config = {"kinde": {"environment": "development"},
              "applications": [{"key": "web", "name": "Web", "type": "reg"}]}
    args = work.ws_args(config)
    result = work.run("import", *args, "application.web")
    assert result.exit_code == 1
    assert all(i in result.stderr for i in ids) and "application.web=<id>" in result.stderr
    result = work.run("import", *args, f"application.web={ids[1]}")
    assert result.exit_code == 0, result.stderr
    work.assert_converged(config)
    listed = work.run("state", "list", *args)
    assert ids[1] in listed.output and ids[0] not in listed.output


def test_export_round_trip_of_the_demo_environment(work: Workdir, kinde: Kinde) -> None:
    demo = Path(__file__).resolve().parents[2] / "environments" / "dev.json"
    env = {"PAYMENTS_API_KEY": "demo-secret-value"}
    result = work.run("apply", "--config", str(demo), "--state", str(work.root / "dev.db"), "--auto-approve", env=env)
    assert result.exit_code == 0, result.output + result.stderr
    (work.root / "export").mkdir()
    exported = work.root / "export" / "dev.json"
    result = work.run("export", "--config", str(demo), "--state", str(work.root / "dev.db"), "--out", str(exported),
                      env=env)
    assert result.exit_code == 0, result.stderr
    assert "demo-secret-value" not in exported.read_text()
    plan = work.run("plan", "--config", str(exported), "--state", str(work.root / "dev.db"), "--detailed-exitcode",
                    env=env)
    assert plan.exit_code == 0, plan.output + plan.stderr
    assert "No changes." in plan.output
