"""The plan's handling of moved entries, --replace, --target, unknown fields and duplicates, on
hand-made desired/state/live objects."""
from __future__ import annotations

from typing import Any

import pytest
from test_plan_verdicts import app, only, plan_of, role, row

from kinde_iac.config.model import Moved
from kinde_iac.engine import plan_model as pm
from kinde_iac.engine.moves import apply_moves
from kinde_iac.engine.targeting import restrict
from kinde_iac.errors import KindeIacError
from kinde_iac.render.text import render_plan
from kinde_iac.resources import Resource


def keyed(key: str, rid: str | None = None, **attrs: Any) -> Resource:
    r = role(key, rid, **attrs)
    r.attributes["key"] = key
    return r


def test_moved_entry_renames_state_and_plans_no_destroy() -> None:
    state = {"role.admin": row(keyed("admin"), "r1"), "role.viewer": row(keyed("viewer"), "r2")}
    rows, origin = apply_moves(state, [Moved(source="role.admin", target="role.administrator")])
    assert set(rows) == {"role.administrator", "role.viewer"} and origin == {"role.administrator": "role.admin"}
    assert rows["role.administrator"].key == "administrator" and rows["role.administrator"].kinde_id == "r1"
    p = plan_of([keyed("administrator"), keyed("viewer")], list(rows.values()),
                [keyed("admin", "r1"), keyed("viewer", "r2")], moved=origin)
    ch = only(p, "role.administrator")
    assert ch.moved_from == "role.admin" and ch.action == pm.Action.UPDATE and ch.kinde_id == "r1"
    assert [(c.name, c.before, c.after) for c in ch.changes] == [("key", "admin", "administrator")]
    assert ch.steps == (pm.Action.MOVE, pm.Action.UPDATE)
    assert not [c for c in p.changes if c.action in (pm.Action.DELETE, pm.Action.CREATE)]
    assert "(moved from role.admin)" in render_plan(p)


def test_a_move_already_applied_does_nothing_and_a_clash_is_refused() -> None:
    state = {"role.administrator": row(keyed("administrator"), "r1")}
    assert apply_moves(state, [Moved(source="role.admin", target="role.administrator")]) == (state, {})
    both = {**state, "role.admin": row(keyed("admin"), "r2")}
    with pytest.raises(KindeIacError, match="holds both role.admin and role.administrator"):
        apply_moves(both, [Moved(source="role.admin", target="role.administrator")])


def test_moved_without_a_field_for_the_natural_key_replaces() -> None:
    def var(key: str, vid: str | None = None) -> Resource:
        return Resource(kind="env_var", key=key, natural=(key,), kinde_id=vid,
                        attributes={"value": "v", "is_secret": False})
    rows, origin = apply_moves({"env_var.A": row(var("A"), "v1")}, [Moved(source="env_var.A", target="env_var.B")])
    p = plan_of([var("B")], list(rows.values()), [var("A", "v1")], moved=origin)
    ch = only(p, "env_var.B")
    assert ch.action == pm.Action.REPLACE and ch.moved_from == "env_var.A"
    assert any("cannot change in place" in n for n in ch.notes)


def test_replace_forces_replacement_of_an_unchanged_object() -> None:
    p = plan_of([keyed("admin")], [row(keyed("admin"), "r1")], [keyed("admin", "r1")], replace=["role.admin"])
    ch = only(p, "role.admin")
    assert ch.action == pm.Action.REPLACE and "replacement requested with --replace" in ch.notes


def test_target_keeps_dependencies_and_says_the_plan_is_partial() -> None:
    perm = Resource(kind="permission", key="p", natural=("p",), attributes={"key": "p", "name": "P",
                                                                           "description": None})
    admin = keyed("admin", permissions=["p"])
    admin.depends_on = ("permission.p",)
    other = keyed("other", name="Changed")
    p = plan_of([perm, admin, other], [row(keyed("other"), "r2")], [keyed("other", "r2")])
    part = restrict(p, ["role.admin"], {r.address: r for r in (perm, admin, other)}, {})
    assert [c.address for c in part.changes] == ["permission.p", "role.admin"]
    assert part.targets == ("role.admin",) and "partial" in part.warnings[0]


def test_adopted_unreadable_fields_are_unknown_and_written() -> None:
    def flag(**a: Any) -> Resource:
        base = {"name": "N", "description": None, "type": "bool", "allow_override_level": "env",
                "default_value": "false", "value": "false", "env_override": False}
        return Resource(kind="feature_flag", key="f", natural=("f",), attributes={**base, **a})
    live = Resource(kind="feature_flag", key="f", natural=("f",), attributes={
        "name": None, "description": None, "allow_override_level": None, "default_value": None,
        "type": "bool", "value": "false"})
    p = plan_of([flag()], [], [live])
    ch = only(p, "feature_flag.f")
    assert ch.imported and ch.action == pm.Action.UPDATE, "an adopted flag is never 'No changes'"
    unknown = {c.name for c in ch.changes if c.before == pm.UNKNOWN}
    assert unknown == {"name", "description", "allow_override_level", "default_value"}
    assert not any(c.forces_replacement for c in ch.changes)  # the override level is asserted in place
    assert "(unknown: cannot be read back)" in render_plan(p)


def test_a_duplicate_of_a_managed_name_gets_its_own_address() -> None:
    p = plan_of([app("Web")], [row(app("Web"), "a1")], [app("Web", "a1"), app("Web", "a2")])
    assert not p.has_changes
    [dup] = p.unmanaged
    assert (dup.address, dup.kinde_id, dup.duplicate_of) == ("application.web-2", "a2", "application.web")
    assert p.coverage["application"] == (1, 2)
    assert any("reported as application.web-2" in w for w in p.warnings)
