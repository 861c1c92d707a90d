"""Plans for the renderer tests: one made by the real three-way diff with every kind of change in
it, and large ones built directly from plan_model classes (build_plan would be slow and beside the
point for size limits)."""
from __future__ import annotations

from typing import Any

from kinde_iac.engine import plan_model as pm
from kinde_iac.engine.plan import build_plan
from kinde_iac.engine.refresh import LiveState
from kinde_iac.resources import Resource
from kinde_iac.state import StateResource, hash_secret

#: Placed in desired secret values; must never appear in any rendered output.
SENTINEL = "SENTINEL-s3cr3t-7f1c"
KINDS = ("role", "permission", "api", "api_scope", "application", "feature_flag", "env_var")


def role(key: str, rid: str | None = None, **attrs: Any) -> Resource:
    base = {"name": key.title(), "description": None, "is_default_role": False, "permissions": [], "scopes": []}
    return Resource(kind="role", key=key, natural=(key,), attributes={**base, **attrs}, kinde_id=rid)


def env_var(key: str, value: str | None, secret: bool = True, vid: str | None = None) -> Resource:
    return Resource(kind="env_var", key=key, natural=(key,), kinde_id=vid,
                    attributes={"value": value, "is_secret": secret})


def flag(key: str, **attrs: Any) -> Resource:
    base = {"name": "Beta", "description": None, "type": "bool", "allow_override_level": "env",
            "default_value": "false", "value": "false"}
    return Resource(kind="feature_flag", key=key, natural=(key,), attributes={**base, **attrs})


def live_flag(key: str, value: str = "false") -> Resource:
    return Resource(kind="feature_flag", key=key, natural=(key,), attributes={
        "name": None, "description": None, "allow_override_level": None, "default_value": None,
        "type": "bool", "value": value})


def row(r: Resource, rid: str | None, **attrs: Any) -> StateResource:
    return StateResource(address=r.address, kind=r.kind, key=r.key, kinde_id=rid, natural=r.natural,
                         attributes={**r.attributes, **attrs}, depends_on=r.depends_on)


def plan_of(desired: list[Resource], state: list[StateResource], live: list[Resource],
            workspace: str = "dev") -> pm.Plan:
    by_kind: dict[str, list[Resource]] = {}
    for r in live:
        by_kind.setdefault(r.kind, []).append(r)
    return build_plan(workspace=workspace, domain="https://acme-dev.kinde.com", environment="development",
                      desired=desired, state={s.address: s for s in state}, lineage="lineage-1", serial=7,
                      live=LiveState(by_kind=by_kind, kinds=KINDS))


def full_plan(workspace: str = "dev") -> pm.Plan:
    """Every action, an import, drift and a conflict, set changes, a secret replaced, a business-wide
    flag destroyed, an object deleted outside kinde-iac, one forgotten, and an unmanaged one."""
    desired = [
        role("created"),
        role("renamed", name="Administrators", permissions=["orders:read", "orders:write"]),
        role("drifted"),
        role("conflicted", name="Config Name"),
        role("adopted"),
        role("adopted-changed", name="New Name"),
        role("recreated"),
        role("same"),
        env_var("API_KEY", f"{SENTINEL}-new"),
        env_var("PLAIN", "visible"),
    ]
    state = [
        row(role("renamed", permissions=["orders:read", "legacy"]), "r-renamed"),
        row(role("drifted"), "r-drifted"),
        row(role("conflicted"), "r-conflicted"),
        row(role("recreated"), "r-recreated"),
        row(role("same"), "r-same"),
        row(role("obsolete"), "r-obsolete"),
        row(role("vanished"), "r-vanished"),
        row(flag("old_flag"), None),
        row(env_var("API_KEY", None), "v-key", value=hash_secret(f"{SENTINEL}-old")),
        row(env_var("PLAIN", "visible", secret=False), "v-plain"),
    ]
    live = [
        role("renamed", "r-renamed", permissions=["legacy", "orders:read"]),
        role("drifted", "r-drifted", name="Changed In Dashboard"),
        role("conflicted", "r-conflicted", name="Dashboard Name"),
        role("adopted", "r-adopted"),
        role("adopted-changed", "r-adopted-changed"),
        role("same", "r-same"),
        role("obsolete", "r-obsolete"),
        role("stranger", "r-stranger"),
        live_flag("old_flag"),
        env_var("API_KEY", None, vid="v-key"),
        env_var("PLAIN", "visible", secret=False, vid="v-plain"),
    ]
    return plan_of(desired, state, live, workspace)


def clean_plan(workspace: str = "prod") -> pm.Plan:
    r = role("same")
    return plan_of([r], [row(r, "r1")], [role("same", "r1")], workspace)


def updates_only_plan(workspace: str = "staging") -> pm.Plan:
    return plan_of([role("a", name="Renamed"), role("b")], [row(role("a"), "r1")], [role("a", "r1")], workspace)


def big_plan(n: int = 1_000, workspace: str = "dev") -> pm.Plan:
    """``n`` creates, ``n`` updates and ``n`` destroys, with long-ish names so the text diff is big."""
    changes: list[pm.ResourceChange] = []
    for i in range(n):
        attrs = {"name": f"Role number {i} with a reasonably long display name", "description": "x" * 40,
                 "permissions": [f"perm:{j}" for j in range(3)]}
        changes.append(pm.ResourceChange(address=f"role.new-{i:04d}", kind="role", key=f"new-{i:04d}",
                                         action=pm.Action.CREATE, natural=(f"new-{i:04d}",), after=attrs))
        changes.append(pm.ResourceChange(
            address=f"permission.upd-{i:04d}", kind="permission", key=f"upd-{i:04d}", action=pm.Action.UPDATE,
            kinde_id=f"p{i}", natural=(f"upd-{i:04d}",), before={"name": "Old", "description": None},
            after={"name": "New", "description": None},
            changes=(pm.AttributeChange(name="name", before="Old", after="New", last_applied="Old"),)))
        changes.append(pm.ResourceChange(address=f"role.gone-{i:04d}", kind="role", key=f"gone-{i:04d}",
                                         action=pm.Action.DELETE, kinde_id=f"r{i}", natural=(f"gone-{i:04d}",),
                                         before=attrs))
    return pm.Plan(workspace=workspace, domain="https://acme-dev.kinde.com", environment="development",
                   lineage="L", serial=1, changes=tuple(changes))


def only(plan: pm.Plan, address: str) -> pm.ResourceChange:
    return next(c for c in plan.changes if c.address == address)
