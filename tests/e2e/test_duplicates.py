"""Kinde holding a managed natural key twice (application names are not unique) is reported by
plan, drift (a "duplicate" verdict, counted in coverage) and export (distinct keys), issue 12."""
from __future__ import annotations

import json

from e2e_harness import Kinde, Workdir

CONFIG = {"kinde": {"environment": "development"}, "applications": [{"key": "web", "name": "Web", "type": "reg"}]}


def test_a_second_application_with_a_managed_name(work: Workdir, kinde: Kinde) -> None:
    work.apply(CONFIG)
    managed = next(a["id"] for a in kinde.list("/api/v1/applications", "applications") if a["name"] == "Web")
    twin = kinde.call("POST", "/api/v1/applications", json={"name": "Web", "type": "spa"})["application"]["id"]
    args = work.ws_args(CONFIG)

    plan = work.run("plan", *args, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output + plan.stderr  # nothing to change; the twin is not ours
    text = " ".join(plan.output.split())
    assert f"application.web: Kinde holds another application with the same natural key 'Web' (id {twin}), " \
           f"reported as application.web-2; kinde-iac manages id {managed}" in text
    doc = json.loads(work.run("plan", *args, "--format", "json").stdout)
    assert {"address": "application.web-2", "type": "application", "natural": ["Web"], "kinde_id": twin,
            "duplicate_of": "application.web"} in doc["unmanaged"]

    drift = work.run("drift", *args)
    assert drift.exit_code == 2, drift.output
    assert f"! application.web-2 (id {twin}): same natural key \"Web\" as application.web" in drift.output
    assert "application 1/2" in drift.output and "(not managed: 1 duplicate)" in drift.output
    report = json.loads(work.run("drift", *args, "--format", "json").stdout)
    assert report["duplicates"] == [{"address": "application.web-2", "kind": "application", "kinde_id": twin,
                                     "verdict": "duplicate", "natural": ["Web"], "duplicate_of": "application.web"}]
    assert report["coverage"]["application"] == {"managed": 1, "live": 2}
    ignored = work.run("drift", *work.ws_args({**CONFIG, "ignore": ["application.web-2"]}))
    assert ignored.exit_code == 0 and "Ignored by rules: 1" in ignored.output

    exported = work.run("export", *args)
    assert exported.exit_code == 0
    keys = sorted(a["key"] for a in json.loads(exported.stdout)["applications"])
    assert keys == ["web", "web-2"]
    assert "Warning: duplicate: Kinde holds more than one application with the natural key 'Web'" in exported.stderr
