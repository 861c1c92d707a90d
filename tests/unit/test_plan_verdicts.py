"""The three-way plan on hand-made desired/state/live objects: actions and per-field verdicts."""
from __future__ import annotations

from typing import Any

import pytest

from kinde_iac.engine import plan_model as pm
from kinde_iac.engine.plan import PlanError, build_plan
from kinde_iac.engine.refresh import LiveState
from kinde_iac.render.text import render_plan
from kinde_iac.resources import Resource
from kinde_iac.state import StateResource, hash_secret


def role(key: str = "admin", rid: str | None = None, **attrs: Any) -> Resource:
    base = {"name": "Admin", "description": None, "is_default_role": False, "permissions": [], "scopes": []}
    return Resource(kind="role", key=key, natural=(key,), attributes={**base, **attrs}, kinde_id=rid)


def row(r: Resource, rid: str | None, **attrs: Any) -> StateResource:
    return StateResource(address=r.address, kind=r.kind, key=r.key, kinde_id=rid, natural=r.natural,
                         attributes={**r.attributes, **attrs}, depends_on=r.depends_on)


def plan_of(desired: list[Resource], state: list[StateResource], live: list[Resource],
            kinds: tuple[str, ...] = ("role", "permission", "api", "api_scope", "application",
                                      "feature_flag", "env_var"), **kw: Any) -> pm.Plan:
    by_kind: dict[str, list[Resource]] = {}
    for r in live:
        by_kind.setdefault(r.kind, []).append(r)
    return build_plan(workspace="dev", domain="http://kinde", environment="development", desired=desired,
                      state={s.address: s for s in state}, lineage="L", serial=3,
                      live=LiveState(by_kind=by_kind, kinds=kinds), **kw)


def only(plan: pm.Plan, address: str) -> pm.ResourceChange:
    return next(c for c in plan.changes if c.address == address)


def test_pending_change_when_config_moved() -> None:
    d = role(name="Administrators")
    p = plan_of([d], [row(role(), "r1")], [role(rid="r1")])
    ch = only(p, "role.admin")
    assert ch.action == pm.Action.UPDATE
    assert [(c.name, c.verdict, c.before, c.after) for c in ch.changes] == \
        [("name", pm.Verdict.PENDING, "Admin", "Administrators")]
    assert p.counts.as_dict() == {"add": 0, "change": 1, "destroy": 0, "import": 0}


def test_drift_when_kinde_moved() -> None:
    p = plan_of([role()], [row(role(), "r1")], [role(rid="r1", name="Super Admin")])
    ch = only(p, "role.admin")
    assert [(c.name, c.verdict) for c in ch.changes] == [("name", pm.Verdict.DRIFT)]
    assert p.drifted == (ch,)
    assert "Objects changed outside kinde-iac" in render_plan(p)


def test_conflict_when_both_moved() -> None:
    p = plan_of([role(name="Administrators")], [row(role(), "r1")], [role(rid="r1", name="Super Admin")])
    assert only(p, "role.admin").changes[0].verdict == pm.Verdict.CONFLICT


def test_set_elements_are_diffed() -> None:
    d = role(permissions=["a", "c"])
    p = plan_of([d], [row(role(permissions=["a", "b"]), "r1")], [role(rid="r1", permissions=["b", "a"])])
    c = only(p, "role.admin").changes[0]
    assert (c.added, c.removed) == (("c",), ("b",))
    text = render_plan(p)
    assert '+ "c"' in text and '- "b"' in text


def test_converged_plan_says_no_changes() -> None:
    p = plan_of([role(permissions=["a"])], [row(role(permissions=["a"]), "r1")], [role(rid="r1", permissions=["a"])])
    assert not p.has_changes
    assert "No changes." in render_plan(p)


def test_create_import_delete_forget_and_unmanaged() -> None:
    desired = [role("new"), role("adopt")]
    state = [row(role("old"), "r-old"), row(role("gone"), "r-gone")]
    live = [role("adopt", rid="r-adopt"), role("old", rid="r-old"), role("stranger", rid="r-x")]
    p = plan_of(desired, state, live)
    assert only(p, "role.new").action == pm.Action.CREATE
    adopt = only(p, "role.adopt")
    assert adopt.imported and adopt.action == pm.Action.NOOP and adopt.kinde_id == "r-adopt"
    assert only(p, "role.old").action == pm.Action.DELETE
    assert only(p, "role.gone").action == pm.Action.FORGET
    assert [u.address for u in p.unmanaged] == ["role.stranger"]
    assert p.counts.as_dict() == {"add": 1, "change": 0, "destroy": 1, "import": 1}
    assert "Plan: 1 to add, 0 to change, 1 to destroy, 1 to import." in render_plan(p)


def test_deleted_outside_is_recreated_and_reported() -> None:
    p = plan_of([role()], [row(role(), "r1")], [])
    ch = only(p, "role.admin")
    assert ch.action == pm.Action.CREATE and ch.deleted_outside
    assert "was deleted outside kinde-iac" in render_plan(p)


def test_recreated_outside_with_new_id_is_adopted_not_duplicated() -> None:
    p = plan_of([role()], [row(role(), "r1")], [role(rid="r2")])
    ch = only(p, "role.admin")
    assert ch.imported and ch.kinde_id == "r2" and ch.action == pm.Action.NOOP


def app(name: str, aid: str | None = None) -> Resource:
    return Resource(kind="application", key="web", natural=(name,), kinde_id=aid,
                    attributes={"name": name, "type": "reg", "login_uri": None, "homepage_uri": None,
                                "redirect_urls": [], "logout_urls": []})


def test_ambiguous_application_name_needs_explicit_id() -> None:
    with pytest.raises(PlanError, match="2 live applications match 'Web'"):
        plan_of([app("Web")], [], [app("Web", "a1"), app("Web", "a2")])
    p = plan_of([app("Web")], [], [app("Web", "a1"), app("Web", "a2")], adopt_ids={"application.web": "a2"})
    assert only(p, "application.web").kinde_id == "a2"


def env_var(value: str | None, secret: bool = True, vid: str | None = None) -> Resource:
    return Resource(kind="env_var", key="API_KEY", natural=("API_KEY",), kinde_id=vid,
                    attributes={"value": value, "is_secret": secret})


def test_secret_compared_with_salted_hash_and_never_shown() -> None:
    state = [row(env_var("first"), "v1", value=hash_secret("first"))]
    same = plan_of([env_var("first")], state, [env_var(None, vid="v1")])
    assert not same.has_changes
    changed = plan_of([env_var("second-SENTINEL")], state, [env_var(None, vid="v1")])
    ch = only(changed, "env_var.API_KEY")
    assert ch.action == pm.Action.REPLACE
    text = render_plan(changed)
    assert "SENTINEL" not in text and "first" not in text and pm.SENSITIVE in text
    assert "SENTINEL" not in repr(changed)


def test_unreadable_flag_definition_compared_with_last_apply() -> None:
    def flag(**a: Any) -> Resource:
        base = {"name": "N", "description": None, "type": "bool", "allow_override_level": "env",
                "default_value": "false", "value": "false"}
        return Resource(kind="feature_flag", key="f", natural=("f",), attributes={**base, **a})
    live = Resource(kind="feature_flag", key="f", natural=("f",), attributes={
        "name": None, "description": None, "allow_override_level": None, "default_value": None,
        "type": "bool", "value": "false"})
    state = [row(flag(), None)]
    assert not plan_of([flag()], state, [live]).has_changes
    p = plan_of([flag(name="Renamed")], state, [live])
    c = only(p, "feature_flag.f").changes[0]
    assert (c.name, c.unreadable, c.business_wide) == ("name", True, True)
    assert "business-wide" in render_plan(p)


def test_replacing_an_api_replaces_its_scopes_and_relinks_roles() -> None:
    def api(name: str, aid: str | None = None) -> Resource:
        return Resource(kind="api", key="orders", natural=("aud",), kinde_id=aid,
                        attributes={"name": name, "audience": "aud", "applications": []})
    scope = Resource(kind="api_scope", key="orders/read", natural=("aud", "read"), depends_on=("api.orders",),
                     attributes={"description": "r"})
    live_scope = Resource(kind="api_scope", key="orders/read", natural=("aud", "read"), kinde_id="s1",
                          depends_on=("api.orders",), attributes={"description": "r"})
    r = role(scopes=["orders/read"])
    r = Resource(kind="role", key="admin", natural=("admin",), attributes=r.attributes,
                 depends_on=("api_scope.orders/read",))
    state = [row(api("Orders"), "a1"), row(scope, "s1"), row(r, "r1")]
    live = [api("Orders", "a1"), live_scope, role(rid="r1", scopes=["orders/read"])]
    p = plan_of([api("Orders v2"), scope, r], state, live)
    assert only(p, "api.orders").action == pm.Action.REPLACE
    assert only(p, "api_scope.orders/read").action == pm.Action.REPLACE
    relink = only(p, "role.admin")
    assert relink.action == pm.Action.UPDATE and relink.changes[0].added == ("orders/read",)
