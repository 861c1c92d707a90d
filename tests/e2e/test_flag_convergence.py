"""Feature flags converge in one apply whatever the business-wide definition holds, checked over raw
HTTP against the emulator; fields Kinde cannot return are never assumed (issue 12)."""
from __future__ import annotations

import copy
import json

from e2e_harness import Kinde, Workdir

FLAG = {"key": "new_checkout", "name": "New checkout", "type": "bool", "allow_override_level": "env",
        "default_value": False}


def cfg(*flags: dict, **extra: object) -> dict:
    return {"kinde": {"environment": "development"}, "feature_flags": [copy.deepcopy(f) for f in flags], **extra}


def live_value(kinde: Kinde, key: str = "new_checkout") -> str:
    return kinde.call("GET", "/api/v1/environment/feature_flags")["feature_flags"][key]["value"]


def business_default(kinde: Kinde, value: str) -> None:
    """Someone (the dashboard, another environment's apply) changes the business-wide definition."""
    kinde.call("PUT", "/api/v1/feature_flags/new_checkout",
               params={"name": "New checkout", "description": "", "type": "bool", "allow_override_level": "env",
                       "default_value": value})


def assert_in_sync(work: Workdir, config: dict) -> None:
    work.assert_converged(config)
    drift = work.run("drift", *work.ws_args(config))
    assert drift.exit_code == 0, drift.output + drift.stderr
    assert "No drift" in drift.output


def test_live_default_true_config_default_false_converges_in_one_apply(work: Workdir, kinde: Kinde) -> None:
    # The case: the flag exists with default true (made elsewhere), the config says false.
    kinde.call("POST", "/api/v1/feature_flags", json={"key": "new_checkout", "name": "Old name", "type": "bool",
                                                      "default_value": "true", "allow_override_level": "env"})
    assert live_value(kinde) == "true"
    config = cfg(FLAG)
    plan = work.plan(config)
    assert plan.exit_code == 2, plan.output
    assert "No changes." not in plan.output
    assert 'default_value        = (unknown: cannot be read back) -> "false"' in plan.output
    assert 'name                 = (unknown: cannot be read back) -> "New checkout"' in plan.output
    work.apply(config)
    assert live_value(kinde) == "false"
    assert_in_sync(work, config)


def test_explicit_value_equal_to_the_default_converges_when_the_live_default_differs(work: Workdir,
                                                                                    kinde: Kinde) -> None:
    config = cfg({**FLAG, "value": False})
    work.apply(config)
    assert live_value(kinde) == "false"
    business_default(kinde, "true")  # another environment's apply, or the dashboard
    assert live_value(kinde) == "false"  # kept by the explicit override kinde-iac wrote
    kinde.call("DELETE", "/api/v1/environment/feature_flags/new_checkout")  # "reset to default" in the dashboard
    assert live_value(kinde) == "true"
    plan = work.plan(config)
    assert plan.exit_code == 2 and '~ value                = "true" -> "false"' in plan.output, plan.output
    work.apply(config)
    assert live_value(kinde) == "false"  # an explicit override again: the unknown default does not matter
    assert_in_sync(work, config)


def test_a_workspace_without_value_converges_when_the_default_changed_outside(work: Workdir, kinde: Kinde) -> None:
    config = cfg(FLAG)
    work.apply(config)
    business_default(kinde, "true")
    work.apply(config)  # one apply
    assert live_value(kinde) == "false"
    assert_in_sync(work, config)


def test_a_new_default_in_config_is_followed_by_workspaces_that_set_no_value(work: Workdir, kinde: Kinde) -> None:
    # Three workspaces of one project share the flag's definition; staging sets its own value.
    work.write("staging.json", cfg({**FLAG, "value": True}, kinde={"environment": "staging"}))
    work.write("prod.json", cfg(FLAG, kinde={"environment": "production"}))
    work.apply(cfg(FLAG))
    changed = cfg({**FLAG, "default_value": True})
    plan = work.plan(changed)
    assert plan.exit_code == 2
    assert ('~ default_value        = "false" -> "true"  (business-wide; Kinde cannot return it: compared with '
            'the last apply)') in plan.output
    assert "the new default is the effective value in every environment without an override of its own: " \
           "the environment of workspace prod, which set no value; staging sets its own" in " ".join(plan.output.split())
    work.apply(changed)
    assert live_value(kinde) == "true"
    assert kinde.call("GET", "/api/v1/environment/feature_flags", code="production")["feature_flags"][
        "new_checkout"]["value"] == "true"  # prod follows the default it never overrode
    assert_in_sync(work, changed)


def test_adopted_secret_env_var_is_written_not_assumed(work: Workdir, kinde: Kinde) -> None:
    # Staging still holds an old secret; the config has a new one. Nobody can read either.
    kinde.call("POST", "/api/v1/environment_variables", json={"key": "API_SECRET", "value": "old-value",
                                                              "is_secret": True})
    config = {"kinde": {"environment": "development"},
              "env_vars": [{"key": "API_SECRET", "value": "${env:API_SECRET}", "is_secret": True}]}
    plan = work.plan(config, API_SECRET="new-value")
    assert plan.exit_code == 2, plan.output
    assert "value     = (unknown: cannot be read back) -> (sensitive value)" in plan.output
    assert "No changes." not in plan.output and "new-value" not in plan.output
    work.apply(config, API_SECRET="new-value")
    stored = json.loads(work.run("state", "show", "env_var.API_SECRET", *work.ws_args(config)).output)
    assert stored["attributes"]["value"].startswith("sha256$")  # a salted hash of the value written
    work.assert_converged(config, API_SECRET="new-value")
    listed = kinde.call("GET", "/api/v1/environment_variables")["environment_variables"]
    assert [v["key"] for v in listed] == ["API_SECRET"]
