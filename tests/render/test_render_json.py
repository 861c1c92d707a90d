"""The saved plan document: Terraform-shaped, valid against docs/plan.schema.json, an exact inverse
of the Plan, and free of secrets."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from jsonschema import Draft202012Validator
from render_helpers import SENTINEL, big_plan, clean_plan, full_plan, only

from kinde_iac.engine import plan_document as document_module
from kinde_iac.engine import plan_model as pm
from kinde_iac.engine.plan_document import FORMAT_VERSION, plan_document
from kinde_iac.engine.planfile import fingerprint, load_plan_file, plan_from_document
from kinde_iac.errors import KindeIacError

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "plan.schema.json"


def document(plan: pm.Plan, **kw: Any) -> dict[str, Any]:
    prints = {ch.address: fingerprint(ch.before) for ch in plan.changes}
    return plan_document(plan, config_digest="sha256:abc", fingerprints=prints, **kw)


def change(doc: dict[str, Any], address: str) -> dict[str, Any]:
    return next(rc for rc in doc["resource_changes"] if rc["address"] == address)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_the_schema_the_code_reads_is_the_published_one() -> None:
    # docs/plan.schema.json links to the copy shipped in the package
    assert document_module.SCHEMA_PATH.resolve() == SCHEMA_FILE.resolve()


def test_document_validates_against_the_schema(validator: Draft202012Validator) -> None:
    for plan in (full_plan(), clean_plan(), big_plan(5)):
        doc = json.loads(json.dumps(document(plan, errors=["one error"])))
        assert sorted(validator.iter_errors(doc), key=str) == []


def test_top_level_fields() -> None:
    plan = full_plan()
    doc = document(plan)
    assert doc["format_version"] == FORMAT_VERSION == "1"
    assert (doc["workspace"], doc["domain"], doc["environment"], doc["lineage"], doc["serial"]) == \
        ("dev", "https://acme-dev.kinde.com", "development", "lineage-1", 7)
    assert doc["summary"] == plan.counts.as_dict() == {"add": 4, "change": 4, "destroy": 4, "import": 2}
    assert doc["has_changes"] is True and doc["config_digest"] == "sha256:abc"
    assert doc["unmanaged"] == [{"address": "role.stranger", "type": "role", "natural": ["stranger"],
                                 "kinde_id": "r-stranger"}]
    assert doc["coverage"]["role"] == {"managed": 7, "live": 8}
    assert doc["errors"] == [] and isinstance(doc["kinde_iac_version"], str)
    assert doc["warnings"] == [] and doc["blocked"] is None
    assert not document(clean_plan())["has_changes"]


def test_terraform_style_actions_and_import() -> None:
    doc = document(full_plan())
    actions = {rc["address"]: rc["change"]["actions"] for rc in doc["resource_changes"]}
    assert actions["role.created"] == ["create"]
    assert actions["role.renamed"] == ["update"]
    assert actions["role.obsolete"] == ["delete"]
    assert actions["env_var.API_KEY"] == ["delete", "create"]
    assert actions["role.same"] == ["no-op"]
    assert actions["role.vanished"] == ["forget"]
    adopted = change(doc, "role.adopted")
    assert adopted["change"]["actions"] == ["no-op"] and adopted["change"]["importing"] == {"id": "r-adopted"}
    both = change(doc, "role.adopted-changed")
    assert both["change"]["actions"] == ["update"] and both["change"]["importing"] == {"id": "r-adopted-changed"}
    assert "importing" not in change(doc, "role.renamed")["change"]
    created = change(doc, "role.created")
    assert (created["type"], created["name"], created["change"]["before"]) == ("role", "created", None)
    assert change(doc, "role.obsolete")["change"]["after"] is None


def test_sensitive_maps_and_replace_paths() -> None:
    doc = document(full_plan())
    key = change(doc, "env_var.API_KEY")["change"]
    assert key["after"]["value"] == pm.SENSITIVE
    assert key["after_sensitive"] == key["before_sensitive"] == {"value": True}
    assert key["replace_paths"] == [["value"]]
    plain = change(doc, "env_var.PLAIN")["change"]
    assert plain["replace_paths"] == [["is_secret"]] and plain["after_sensitive"] == {"value": True}
    assert change(doc, "role.renamed")["change"]["after_sensitive"] == {}


def test_drift_section() -> None:
    drift = {d["address"]: d for d in document(full_plan())["resource_drift"]}
    assert set(drift) == {"role.drifted", "role.conflicted", "role.recreated", "role.vanished"}
    assert drift["role.drifted"]["fields"] == [
        {"name": "name", "verdict": "drift", "last_applied": "Drifted", "live": "Changed In Dashboard"}]
    assert drift["role.conflicted"]["fields"][0]["verdict"] == "conflict"
    assert drift["role.recreated"] == {"address": "role.recreated", "type": "role", "name": "recreated",
                                       "deleted_outside": True, "fields": []}


def test_round_trip_is_exact_for_every_action() -> None:
    plan = full_plan()
    assert {ch.action for ch in plan.changes} >= {pm.Action.CREATE, pm.Action.UPDATE, pm.Action.REPLACE, pm.Action.DELETE, pm.Action.NOOP, pm.Action.FORGET}
    assert any(ch.imported for ch in plan.changes) and plan.drifted and plan.unmanaged
    back = plan_from_document(json.loads(json.dumps(document(plan))))
    assert back == plan
    renamed = only(back, "role.renamed")
    assert isinstance(renamed.changes, tuple) and isinstance(renamed.natural, tuple)
    assert renamed.changes[1].added == ("orders:write",) and renamed.changes[1].removed == ("legacy",)
    assert isinstance(back.coverage["role"], tuple)


def test_round_trip_keeps_warnings_and_direct_plans() -> None:
    plan = pm.Plan(workspace="w", domain="d", environment=None, lineage="", serial=0,
                   changes=big_plan(2).changes, warnings=("careful",), coverage={"role": (1, 2)},
                   blocked="this plan destroys 2 of 2 managed objects",
                   unmanaged=(pm.Unmanaged(address="role.x", kind="role", natural=("x",)),))
    assert plan_from_document(json.loads(json.dumps(document(plan)))) == plan


def test_blocked_plan_validates(validator: Draft202012Validator) -> None:
    plan = attrs.evolve(clean_plan(), blocked="needs --allow-mass-delete")
    doc = json.loads(json.dumps(document(plan)))
    assert doc["blocked"] == "needs --allow-mass-delete" and list(validator.iter_errors(doc)) == []
    assert plan_from_document(doc) == plan


def test_no_secret_anywhere_in_the_document() -> None:
    plan = full_plan()
    text = json.dumps(document(plan))
    assert SENTINEL not in text
    assert pm.SENSITIVE in text


def test_fingerprint_is_canonical() -> None:
    a = fingerprint({"b": 1, "a": ["x", "y"]})
    assert a == fingerprint({"a": ["x", "y"], "b": 1}) and len(a) == 64
    assert a != fingerprint({"a": ["y", "x"], "b": 1})
    assert fingerprint(None) == "absent"
    assert fingerprint({}) != "absent"


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "plan-dev.json"
    path.write_text(content)
    return path


def test_load_plan_file_reads_a_saved_plan(tmp_path: Path) -> None:
    plan = full_plan()
    path = write(tmp_path, json.dumps(document(plan), indent=2))
    doc = load_plan_file(str(path))
    assert plan_from_document(doc) == plan


def test_load_plan_file_rejects_malformed_json(tmp_path: Path) -> None:
    path = write(tmp_path, '{"format_version": "1",')
    with pytest.raises(KindeIacError, match=r"plan-dev\.json: not valid JSON: .* line 1 column"):
        load_plan_file(path)


def test_load_plan_file_rejects_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KindeIacError, match="nope.json: cannot read"):
        load_plan_file(tmp_path / "nope.json")


def test_load_plan_file_rejects_another_format_version(tmp_path: Path) -> None:
    doc = document(clean_plan())
    doc["format_version"] = "2"
    path = write(tmp_path, json.dumps(doc))
    with pytest.raises(KindeIacError) as err:
        load_plan_file(path)
    assert str(err.value).startswith(f"{path}: $.format_version: plan format '2' is not supported")


def test_load_plan_file_names_a_missing_field(tmp_path: Path) -> None:
    doc = document(full_plan())
    del doc["resource_changes"][2]["kinde_iac"]["action"]
    path = write(tmp_path, json.dumps(doc))
    with pytest.raises(KindeIacError) as err:
        load_plan_file(path)
    assert str(err.value) == (f"{path}: $.resource_changes[2].kinde_iac.action: not a valid kinde-iac plan: "
                              f"required field is missing")


def test_load_plan_file_names_a_wrong_type(tmp_path: Path) -> None:
    doc = document(full_plan())
    doc["serial"] = "seven"
    path = write(tmp_path, json.dumps(doc))
    with pytest.raises(KindeIacError, match=r"plan-dev\.json: \$\.serial: not a valid kinde-iac plan: 'seven'"):
        load_plan_file(path)


def test_load_plan_file_rejects_a_non_object(tmp_path: Path) -> None:
    with pytest.raises(KindeIacError, match=r"plan-dev\.json: \$: not a valid kinde-iac plan"):
        load_plan_file(write(tmp_path, "[1, 2]"))
