"""Refresh reads only the kinds a plan needs, with one paged walk per kind plus one sub-list per
managed parent: its cost follows pages and parents, never the number of live objects (DESIGN 8)."""
from __future__ import annotations

from collections import Counter

from engine_harness import Workspace, config, permissions
from inprocess_kinde import InProcessKinde

FULL = config(
    applications=[{"key": "web", "name": "Web", "type": "reg", "redirect_urls": ["https://web.example/cb"]}],
    apis=[{"key": "orders-api", "name": "Orders API", "audience": "https://orders.example",
           "scopes": ["read", "write"], "applications": ["web"]}],
    permissions=permissions("orders:read", "orders:write", "reports:read"),
    roles=[{"key": "admin", "name": "Admin", "permissions": ["orders:read", "orders:write"],
            "scopes": ["orders-api/read"]},
           {"key": "viewer", "name": "Viewer", "permissions": ["orders:read"]}],
    feature_flags=[{"key": "new_checkout", "name": "New checkout", "type": "bool", "default_value": False}],
    env_vars=[{"key": "GATEWAY", "value": "sandbox"}],
)

#: A no-op refresh of FULL: one list per kind, one sub-list per managed parent and per sub-list kind
#: (web's enabled connections are not managed, so they are not read).
FULL_COST = {
    "GET /api/v1/applications": 1,
    "GET /api/v1/applications/{application_id}": 1,  # web
    "GET /api/v1/applications/{app_id}/auth_redirect_urls": 1,
    "GET /api/v1/applications/{app_id}/auth_logout_urls": 1,
    "GET /api/v1/permissions": 1,
    "GET /api/v1/apis": 1,
    "GET /api/v1/apis/{api_id}": 1,  # its authorized applications
    "GET /api/v1/apis/{api_id}/scopes": 1,
    "GET /api/v1/roles": 1,
    "GET /api/v1/roles/{role_id}/permissions": 2,  # admin, viewer
    "GET /api/v1/roles/{role_id}/scopes": 2,
    "GET /api/v1/environment/feature_flags": 1,
    "GET /api/v1/environment_variables": 1,
}


def add_unmanaged(kinde: InProcessKinde, *, permissions: int = 30) -> None:
    """Objects no config and no state names, made behind kinde-iac's back."""
    for i in range(12):
        kinde.post("/api/v1/roles", json={"key": f"stray-{i}", "name": f"Stray {i}"})
    for i in range(permissions):
        kinde.post("/api/v1/permissions", json={"key": f"stray:{i:04d}", "name": f"Stray {i}"})
    for i in range(3):
        kinde.post("/api/v1/apis", json={"name": f"Stray API {i}", "audience": f"https://stray{i}.example"})
    for i in range(2):
        kinde.post("/api/v1/applications", json={"name": f"Stray app {i}", "type": "spa"})
    for i in range(5):
        kinde.post("/api/v1/environment_variables", json={"key": f"STRAY_{i}", "value": "x"})


def refresh_cost(ws: Workspace, doc: dict, *, everything: bool = False) -> tuple[Counter[str], object]:
    ws.kinde.reset_counts()
    live = ws.refresh(ws.desired(doc), everything=everything)
    return ws.kinde.route_counts(), live


def test_only_the_kinds_config_and_state_name_are_read(ws: Workspace) -> None:
    perms = config(permissions=permissions("orders:read"))
    cost, live = refresh_cost(ws, perms)
    assert live.kinds == ("permission",)
    assert cost == {"GET /api/v1/permissions": 1}

    # Roles are read after APIs (a role's scope links name their API by id), APIs after applications
    # (an API's authorized apps are ids): their lists only, as no API or app is managed here.
    roles = config(roles=[{"key": "viewer", "name": "Viewer"}])
    assert ws.apply(roles).ok
    cost, live = refresh_cost(ws, roles)
    assert live.kinds == ("application", "api", "role")
    assert cost == {"GET /api/v1/applications": 1, "GET /api/v1/apis": 1, "GET /api/v1/roles": 1,
                    "GET /api/v1/roles/{role_id}/permissions": 1, "GET /api/v1/roles/{role_id}/scopes": 1}

    # An object only in state is still read: the plan must see it to delete it.
    cost, live = refresh_cost(ws, config())
    assert live.kinds == ("application", "api", "role")
    assert [r.address for r in live.of("role")] == ["role.viewer"]


def test_cost_follows_pages_and_managed_parents_not_live_objects(ws: Workspace, kinde: InProcessKinde) -> None:
    assert ws.apply(FULL).ok
    cost, _ = refresh_cost(ws, FULL)
    assert cost == FULL_COST

    add_unmanaged(kinde, permissions=520)
    cost, live = refresh_cost(ws, FULL)
    # 523 permissions take a second page; 12 more roles, 3 APIs and 2 apps cost nothing more.
    assert cost == {**FULL_COST, "GET /api/v1/permissions": 2}
    assert len(live.of("permission")) == 523 and len(live.of("role")) == 14
    assert len(live.of("application")) == 3  # kinde-iac's own M2M application is never read back
    # Unmanaged objects are listed, but their sub-lists were not worth reading.
    stray = next(r for r in live.of("role") if r.natural == ("stray-0",))
    assert stray.attributes["permissions"] is None


def test_objects_the_plan_may_touch_get_their_sub_lists(ws: Workspace, kinde: InProcessKinde) -> None:
    assert ws.apply(FULL).ok
    # role.support exists live with config's natural key (to adopt); role.viewer is only in state now.
    kinde.post("/api/v1/roles", json={"key": "support", "name": "Support"})
    doc = {**FULL, "roles": [FULL["roles"][0], {"key": "support", "name": "Support"}]}
    cost, live = refresh_cost(ws, doc)
    assert cost["GET /api/v1/roles/{role_id}/permissions"] == 3
    assert cost["GET /api/v1/roles/{role_id}/scopes"] == 3
    support = next(r for r in live.of("role") if r.natural == ("support",))
    assert support.attributes["permissions"] == [] and support.address == "role.support"


def test_everything_reads_every_kind_and_every_parent(ws: Workspace, kinde: InProcessKinde) -> None:
    assert ws.apply(FULL).ok
    add_unmanaged(kinde)
    cost, live = refresh_cost(ws, FULL, everything=True)
    assert set(live.kinds) == {"application", "permission", "api", "api_scope", "role", "feature_flag", "env_var",
                               "api_key", "webhook", "connection"}
    assert cost["GET /api/v1/roles"] == 1 and cost["GET /api/v1/api_keys"] == 1
    assert cost["GET /api/v1/roles/{role_id}/permissions"] == 14
    assert cost["GET /api/v1/apis/{api_id}/scopes"] == 4
    assert cost["GET /api/v1/applications/{application_id}"] == 3
    assert cost["GET /api/v1/applications/{application_id}/connections"] == 3  # drift and export compare them


def test_an_applications_connections_are_read_only_where_something_manages_them(ws: Workspace) -> None:
    with_connections = {**FULL, "applications": [{**FULL["applications"][0], "connections": ["email_password"]},
                                                 {"key": "spa", "name": "SPA", "type": "spa"}]}
    assert ws.apply(with_connections).ok
    cost, live = refresh_cost(ws, with_connections)
    # Both apps: the read is per kind, and it costs what a plan that manages them would expect.
    assert cost["GET /api/v1/applications/{application_id}/connections"] == 2
    assert next(r for r in live.of("application") if r.key == "web").attributes["connections"] == \
        ["email_password"]

    # The config stops managing them, but the state still holds the last applied set: still read.
    cost, _ = refresh_cost(ws, FULL)
    assert cost["GET /api/v1/applications/{application_id}/connections"] == 2

    # Applied without them, neither config nor state carries them: the sub-list is left unread.
    assert ws.apply(FULL).ok
    cost, live = refresh_cost(ws, FULL)
    assert "GET /api/v1/applications/{application_id}/connections" not in cost
    assert "connections" not in next(r for r in live.of("application") if r.key == "web").attributes
