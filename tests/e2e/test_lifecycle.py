"""Create, update in place, replace, delete and adopt for every resource kind, each followed by a
plan that reports "No changes." with exit 0 under --detailed-exitcode."""
from __future__ import annotations

import copy

from e2e_harness import Kinde, Workdir

KINDE = {"kinde": {"environment": "development"}}


def cfg(**sections: object) -> dict:
    return {**copy.deepcopy(KINDE), **copy.deepcopy(sections)}


APP = {"key": "web", "name": "Web", "type": "reg", "login_uri": "https://app.example/login",
       "redirect_urls": ["https://app.example/cb"], "logout_urls": ["https://app.example"]}


def test_application_lifecycle(work: Workdir, kinde: Kinde) -> None:
    out = work.apply(cfg(applications=[APP])).output
    assert "application.web will be created" in out and "1 to add" in out
    work.assert_converged(cfg(applications=[APP]))
    apps = [a for a in kinde.list("/api/v1/applications", "applications") if a["name"] == "Web"]
    assert len(apps) == 1
    app_id = apps[0]["id"]
    assert kinde.call("GET", f"/api/v1/applications/{app_id}/auth_redirect_urls")["redirect_urls"] == \
        ["https://app.example/cb"]

    changed = {**APP, "login_uri": "https://app.example/signin",
               "redirect_urls": ["https://app.example/cb", "https://app.example/cb2"]}
    plan = work.plan(cfg(applications=[changed]))
    assert plan.exit_code == 2
    assert "will be updated in-place" in plan.output
    assert '+ "https://app.example/cb2"' in plan.output
    assert '"https://app.example/login" -> "https://app.example/signin"' in plan.output
    work.apply(cfg(applications=[changed]))
    work.assert_converged(cfg(applications=[changed]))
    assert sorted(kinde.call("GET", f"/api/v1/applications/{app_id}/auth_redirect_urls")["redirect_urls"]) == \
        ["https://app.example/cb", "https://app.example/cb2"]

    replaced = {**changed, "type": "spa"}
    plan = work.plan(cfg(applications=[replaced]))
    assert "must be replaced" in plan.output and "# forces replacement" in plan.output
    work.apply(cfg(applications=[replaced]))
    work.assert_converged(cfg(applications=[replaced]))
    apps = [a for a in kinde.list("/api/v1/applications", "applications") if a["name"] == "Web"]
    assert len(apps) == 1 and apps[0]["id"] != app_id and apps[0]["type"] == "spa"

    out = work.apply(cfg(), mass_delete=True).output
    assert "application.web will be destroyed" in out
    assert not [a for a in kinde.list("/api/v1/applications", "applications") if a["name"] == "Web"]
    work.assert_converged(cfg())


def test_application_adopted_by_name(work: Workdir, kinde: Kinde) -> None:
    app_id = kinde.call("POST", "/api/v1/applications", json={"name": "Web", "type": "reg"})["application"]["id"]
    plan = work.plan(cfg(applications=[APP]))
    assert "will be imported" in plan.output and "1 to import" in plan.output
    work.apply(cfg(applications=[APP]))
    apps = [a for a in kinde.list("/api/v1/applications", "applications") if a["name"] == "Web"]
    assert [a["id"] for a in apps] == [app_id]  # adopted, not duplicated
    work.assert_converged(cfg(applications=[APP]))


def test_application_ambiguous_name_is_refused(work: Workdir, kinde: Kinde) -> None:
    for _ in range(2):
        kinde.call("POST", "/api/v1/applications", json={"name": "Web", "type": "reg"})
    result = work.plan(cfg(applications=[APP]))
    assert result.exit_code == 1
    assert "2 live applications match" in result.stderr and "import application.web=<id>" in result.stderr
    assert "Traceback" not in result.output + result.stderr


API = {"key": "orders", "name": "Orders API", "audience": "https://orders.example",
       "scopes": [{"key": "orders:read", "description": "Read"}, {"key": "orders:write", "description": "Write"}]}


def _api(kinde: Kinde, audience: str = "https://orders.example") -> dict | None:
    found = [a for a in kinde.call("GET", "/api/v1/apis")["apis"] if a["audience"] == audience]
    return found[0] if found else None


def test_api_and_scope_lifecycle(work: Workdir, kinde: Kinde) -> None:
    base = cfg(applications=[APP], apis=[API])
    work.apply(base)
    work.assert_converged(base)
    api = _api(kinde)
    assert api is not None
    scopes = kinde.call("GET", f"/api/v1/apis/{api['id']}/scopes")["scopes"]
    assert sorted(s["key"] for s in scopes) == ["orders:read", "orders:write"]

    # update in place: authorize the app, change a scope description, add and remove a scope
    updated = cfg(applications=[APP], apis=[{**API, "applications": ["web"], "scopes": [
        {"key": "orders:read", "description": "Read all orders"}, {"key": "orders:cancel"}]}])
    plan = work.plan(updated)
    assert plan.exit_code == 2
    assert "api.orders will be updated in-place" in plan.output
    assert "api_scope.orders/orders:read will be updated in-place" in plan.output
    assert "api_scope.orders/orders:cancel will be created" in plan.output
    assert "api_scope.orders/orders:write will be destroyed" in plan.output
    work.apply(updated)
    work.assert_converged(updated)
    detail = kinde.call("GET", f"/api/v1/apis/{api['id']}")["api"]
    assert [a for a in detail["applications"] if a.get("is_active") is not False]

    # replace: Kinde cannot rename an API, so its scopes are replaced with it
    renamed = cfg(applications=[APP], apis=[{**API, "name": "Orders", "applications": ["web"], "scopes": [
        {"key": "orders:read", "description": "Read all orders"}, {"key": "orders:cancel"}]}])
    plan = work.plan(renamed)
    assert "api.orders must be replaced" in plan.output and "# forces replacement" in plan.output
    assert "api_scope.orders/orders:read must be replaced" in plan.output
    work.apply(renamed)
    work.assert_converged(renamed)
    new = _api(kinde)
    assert new is not None and new["id"] != api["id"] and new["name"] == "Orders"

    work.apply(cfg(applications=[APP]), mass_delete=True)
    assert _api(kinde) is None
    work.assert_converged(cfg(applications=[APP]))


def test_api_adopted_by_audience(work: Workdir, kinde: Kinde) -> None:
    api_id = kinde.call("POST", "/api/v1/apis", json={"name": "Orders API", "audience": "https://orders.example"})[
        "api"]["id"]
    kinde.call("POST", f"/api/v1/apis/{api_id}/scopes", json={"key": "orders:read", "description": "Read"})
    plan = work.plan(cfg(apis=[API]))
    assert "api.orders will be imported" in plan.output
    assert "api_scope.orders/orders:read will be imported" in plan.output
    assert "api_scope.orders/orders:write will be created" in plan.output
    work.apply(cfg(apis=[API]))
    assert [a["id"] for a in kinde.call("GET", "/api/v1/apis")["apis"] if a["audience"] == API["audience"]] == [api_id]
    work.assert_converged(cfg(apis=[API]))


PERMS = [{"key": "orders:read", "name": "Read orders"}, {"key": "orders:write", "name": "Write orders"}]
ROLE = {"key": "admin", "name": "Admin", "description": "All", "permissions": ["orders:read", "orders:write"]}


def test_permission_and_role_lifecycle(work: Workdir, kinde: Kinde) -> None:
    base = cfg(permissions=PERMS, roles=[ROLE])
    work.apply(base)
    work.assert_converged(base)
    role = next(r for r in kinde.list("/api/v1/roles", "roles") if r["key"] == "admin")
    perms = kinde.list(f"/api/v1/roles/{role['id']}/permissions", "permissions")
    assert sorted(p["key"] for p in perms) == ["orders:read", "orders:write"]

    updated = cfg(permissions=[{**PERMS[0], "name": "View orders"}, PERMS[1],
                               {"key": "orders:refund", "name": "Refund"}],
                  roles=[{**ROLE, "name": "Administrator", "permissions": ["orders:read", "orders:refund"]}])
    plan = work.plan(updated)
    assert plan.exit_code == 2
    assert '~ name        = "Admin" -> "Administrator"' in plan.output or '"Admin" -> "Administrator"' in plan.output
    assert '+ "orders:refund"' in plan.output and '- "orders:write"' in plan.output
    assert "permission.orders:read will be updated in-place" in plan.output
    work.apply(updated)
    work.assert_converged(updated)
    perms = kinde.list(f"/api/v1/roles/{role['id']}/permissions", "permissions")
    assert sorted(p["key"] for p in perms) == ["orders:read", "orders:refund"]

    # delete: the role goes before the permissions it uses
    out = work.apply(cfg(permissions=[PERMS[0]]), mass_delete=True).output
    assert "role.admin will be destroyed" in out and "3 to destroy" in out
    assert not [r for r in kinde.list("/api/v1/roles", "roles") if r["key"] == "admin"]
    assert [p["key"] for p in kinde.list("/api/v1/permissions", "permissions")] == ["orders:read"]
    work.assert_converged(cfg(permissions=[PERMS[0]]))


def test_role_and_permission_adopted(work: Workdir, kinde: Kinde) -> None:
    kinde.call("POST", "/api/v1/permissions", json={"key": "orders:read", "name": "Read orders"})
    kinde.call("POST", "/api/v1/roles", json={"key": "admin", "name": "Admin", "description": "All"})
    plan = work.plan(cfg(permissions=PERMS, roles=[ROLE]))
    assert "permission.orders:read will be imported" in plan.output
    assert "role.admin will be imported" in plan.output
    assert "2 to import" in plan.output
    work.apply(cfg(permissions=PERMS, roles=[ROLE]))
    assert len([r for r in kinde.list("/api/v1/roles", "roles") if r["key"] == "admin"]) == 1
    assert len(kinde.list("/api/v1/permissions", "permissions")) == 2
    work.assert_converged(cfg(permissions=PERMS, roles=[ROLE]))


FLAG = {"key": "new_checkout", "name": "New checkout", "type": "bool", "default_value": False,
        "allow_override_level": "env"}


def _flags(kinde: Kinde, code: str = "development") -> dict:
    return kinde.call("GET", "/api/v1/environment/feature_flags", code)["feature_flags"]


def test_feature_flag_lifecycle(work: Workdir, kinde: Kinde) -> None:
    work.apply(cfg(feature_flags=[FLAG]))
    work.assert_converged(cfg(feature_flags=[FLAG]))
    assert _flags(kinde)["new_checkout"]["value"] in ("false", False)

    updated = cfg(feature_flags=[{**FLAG, "description": "Redesigned", "value": True}])
    plan = work.plan(updated)
    assert "feature_flag.new_checkout will be updated in-place" in plan.output
    assert "business-wide" in plan.output
    work.apply(updated)
    work.assert_converged(updated)
    assert _flags(kinde)["new_checkout"]["value"] in ("true", True)
    # the override is per environment: staging still sees the business-wide default
    assert _flags(kinde, "staging")["new_checkout"]["value"] in ("false", False)

    replaced = cfg(feature_flags=[{**FLAG, "type": "str", "default_value": "off"}])
    plan = work.plan(replaced)
    assert "must be replaced" in plan.output and "# forces replacement" in plan.output
    work.apply(replaced)
    work.assert_converged(replaced)
    assert _flags(kinde)["new_checkout"]["type"] == "str"

    work.apply(cfg(), mass_delete=True)
    assert "new_checkout" not in _flags(kinde)
    work.assert_converged(cfg())


def test_feature_flag_shared_across_environments_is_adopted(work: Workdir, kinde: Kinde) -> None:
    work.apply(cfg(feature_flags=[FLAG]))
    staging = {"kinde": {"environment": "staging"}, "feature_flags": [{**FLAG, "value": True}]}
    plan = work.plan(staging, name="staging", code="staging")
    assert "feature_flag.new_checkout will be imported" in plan.output
    work.apply(staging, name="staging", code="staging")
    work.assert_converged(staging, name="staging", code="staging")
    assert _flags(kinde, "staging")["new_checkout"]["value"] in ("true", True)
    assert _flags(kinde)["new_checkout"]["value"] in ("false", False)


def test_env_var_lifecycle(work: Workdir, kinde: Kinde) -> None:
    env_vars = [{"key": "GATEWAY", "value": "sandbox"}, {"key": "API_KEY", "value": "${env:API_KEY}", "is_secret": True}]
    secret = {"API_KEY": "s3cr3t-first-value"}
    work.apply(cfg(env_vars=env_vars), **secret)
    work.assert_converged(cfg(env_vars=env_vars), **secret)

    updated = [{**env_vars[0], "value": "live"}, env_vars[1]]
    plan = work.plan(cfg(env_vars=updated), **secret)
    assert '"sandbox" -> "live"' in plan.output and "env_var.GATEWAY will be updated in-place" in plan.output
    work.apply(cfg(env_vars=updated), **secret)

    rotated = {"API_KEY": "s3cr3t-second-value"}
    plan = work.plan(cfg(env_vars=updated), **rotated)
    assert "env_var.API_KEY must be replaced" in plan.output
    assert "(sensitive value)" in plan.output
    assert "s3cr3t" not in plan.output + plan.stderr
    work.apply(cfg(env_vars=updated), **rotated)
    work.assert_converged(cfg(env_vars=updated), **rotated)
    live = {v["key"]: v for v in kinde.call("GET", "/api/v1/environment_variables")["environment_variables"]}
    assert live["GATEWAY"]["value"] == "live" and live["API_KEY"]["value"] is None

    work.apply(cfg(env_vars=[updated[0]]), **rotated)
    keys = [v["key"] for v in kinde.call("GET", "/api/v1/environment_variables")["environment_variables"]]
    assert keys == ["GATEWAY"]
    work.assert_converged(cfg(env_vars=[updated[0]]))


def test_env_var_adopted(work: Workdir, kinde: Kinde) -> None:
    kinde.call("POST", "/api/v1/environment_variables", json={"key": "GATEWAY", "value": "old"})
    plan = work.plan(cfg(env_vars=[{"key": "GATEWAY", "value": "sandbox"}]))
    assert "env_var.GATEWAY will be imported" in plan.output and '"old" -> "sandbox"' in plan.output
    work.apply(cfg(env_vars=[{"key": "GATEWAY", "value": "sandbox"}]))
    live = kinde.call("GET", "/api/v1/environment_variables")["environment_variables"]
    assert [(v["key"], v["value"]) for v in live] == [("GATEWAY", "sandbox")]
    work.assert_converged(cfg(env_vars=[{"key": "GATEWAY", "value": "sandbox"}]))


def test_role_scopes_relinked_when_api_replaced(work: Workdir, kinde: Kinde) -> None:
    base = cfg(apis=[API], roles=[{"key": "admin", "name": "Admin", "scopes": ["orders/orders:read"]}])
    work.apply(base)
    renamed = cfg(apis=[{**API, "name": "Orders v2"}],
                  roles=[{"key": "admin", "name": "Admin", "scopes": ["orders/orders:read"]}])
    plan = work.plan(renamed)
    assert "role.admin will be updated in-place" in plan.output
    work.apply(renamed)
    work.assert_converged(renamed)
    role = next(r for r in kinde.list("/api/v1/roles", "roles") if r["key"] == "admin")
    scopes = kinde.call("GET", f"/api/v1/roles/{role['id']}/scopes")["scopes"]
    assert [s["key"] for s in scopes] == ["orders:read"]
