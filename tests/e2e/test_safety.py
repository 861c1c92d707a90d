"""Safety rails: the environment guard, protect, the mass-delete share, and what is never touched."""
from __future__ import annotations

from e2e_harness import Kinde, Workdir

PERMS = [{"key": f"p{i}", "name": f"P{i}"} for i in range(4)]


def cfg(environment: str = "development", **sections: object) -> dict:
    return {"kinde": {"environment": environment}, **sections}


def test_environment_guard_refuses_the_wrong_environment(work: Workdir, kinde: Kinde) -> None:
    # a prod config with dev credentials: nothing is read into a plan, nothing written
    result = work.run("apply", *work.ws_args(cfg("production", permissions=PERMS)), "--auto-approve")
    assert result.exit_code == 1
    assert "expects Kinde environment 'production'" in result.stderr and "'development'" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert kinde.list("/api/v1/permissions", "permissions") == []


def test_protect_makes_a_destroying_plan_fail_even_after_removal_from_config(work: Workdir, kinde: Kinde) -> None:
    protected = [{**PERMS[0], "protect": True}, *PERMS[1:]]
    work.apply(cfg(permissions=protected))
    result = work.run("plan", *work.ws_args(cfg(permissions=PERMS[1:])))
    assert result.exit_code == 1
    assert "permission.p0: protected" in result.stderr
    result = work.run("apply", *work.ws_args(cfg(permissions=PERMS[1:])), "--auto-approve", "--allow-mass-delete")
    assert result.exit_code == 1
    assert len(kinde.list("/api/v1/permissions", "permissions")) == 4
    # unprotecting first is the way: apply with protect removed, then the delete goes through
    work.apply(cfg(permissions=PERMS))
    work.apply(cfg(permissions=PERMS[1:]))
    assert len(kinde.list("/api/v1/permissions", "permissions")) == 3


def test_mass_delete_needs_the_flag(work: Workdir, kinde: Kinde) -> None:
    work.apply(cfg(permissions=PERMS))
    result = work.run("apply", *work.ws_args(cfg(permissions=PERMS[:1])), "--auto-approve")
    assert result.exit_code == 1
    assert "destroys 3 of 4 managed objects (more than 50%)" in result.stderr
    assert len(kinde.list("/api/v1/permissions", "permissions")) == 4
    plan = work.plan(cfg(permissions=PERMS[:1]))
    assert plan.exit_code == 2 and "--allow-mass-delete" in plan.output
    work.apply(cfg(permissions=PERMS[:1]), mass_delete=True)
    assert len(kinde.list("/api/v1/permissions", "permissions")) == 1
    # at or under the share needs no flag
    work.apply(cfg(permissions=PERMS[:2]))
    work.apply(cfg(permissions=PERMS[:1]))


def test_management_api_and_own_m2m_app_are_never_planned(work: Workdir, kinde: Kinde) -> None:
    work.apply(cfg(permissions=PERMS[:1]))
    result = work.run("drift", *work.ws_args(cfg(permissions=PERMS[:1])))
    assert result.exit_code == 0
    assert "e2e-m2m" not in result.output  # kinde-iac's own M2M application
    assert "/api" not in result.output.split("Coverage")[0].replace(kinde.url, "")  # the Management API entry
    apps = kinde.list("/api/v1/applications", "applications")
    apis = kinde.call("GET", "/api/v1/apis")["apis"]
    assert any(a["id"] == "e2e-m2m" for a in apps) and any(a.get("is_management_api") for a in apis)
