"""Scopes generated from an OpenAPI document, and API keys whose one-time secrets reach only the
--secrets-out file, end to end: the real CLI against the emulator."""
from __future__ import annotations

import copy
import json
import re
import sqlite3
import stat
from typing import Any

import yaml
from e2e_harness import Kinde, Workdir

KINDE = {"kinde": {"environment": "development"}}
AUDIENCE = "https://orders.example"

SPEC_V1 = {
    "openapi": "3.0.3",
    "info": {"title": "Orders", "version": "1"},
    "paths": {
        "/orders": {"get": {"summary": "List orders"}, "post": {"operationId": "createOrder"}},
        "/orders/{orderId}": {"get": {"summary": "Get an order"}},
    },
}
#: v1 with POST /orders gone, DELETE /orders/{orderId} new and GET /orders described differently.
SPEC_V2 = {
    **SPEC_V1,
    "paths": {
        "/orders": {"get": {"summary": "List all orders"}},
        "/orders/{orderId}": {"get": {"summary": "Get an order"}, "delete": {}},
    },
}


def cfg(**sections: Any) -> dict:
    return {**copy.deepcopy(KINDE), **copy.deepcopy(sections)}


def spec_config(work: Workdir, spec: dict, scopes: list | None = None) -> dict:
    (work.root / "specs").mkdir(exist_ok=True)
    (work.root / "specs" / "orders.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    api = {"key": "orders", "name": "Orders API", "audience": AUDIENCE, "openapi": "specs/orders.yaml"}
    if scopes is not None:
        api["scopes"] = scopes
    return cfg(apis=[api])


def planned(output: str) -> dict[str, set[str]]:
    """Addresses by headline (``will be created`` -> {addresses}) in a text plan."""
    out: dict[str, set[str]] = {}
    pattern = r"^  # (\S+) (will be \S+(?: in-place)?|must be replaced)"
    for address, headline in re.findall(pattern, output, re.MULTILINE):
        out.setdefault(headline, set()).add(address)
    return out


def live_scopes(kinde: Kinde) -> dict[str, str | None]:
    api = next(a for a in kinde.call("GET", "/api/v1/apis")["apis"] if a["audience"] == AUDIENCE)
    return {s["key"]: s.get("description") for s in kinde.call("GET", f"/api/v1/apis/{api['id']}/scopes")["scopes"]}


# --------------------------------------------------------------------------- OpenAPI scopes


def test_spec_change_plans_exactly_the_added_changed_and_removed_scopes(work: Workdir, kinde: Kinde) -> None:
    v1 = spec_config(work, SPEC_V1, scopes=[{"key": "orders:admin", "description": "Admin"}])
    result = work.plan(v1)
    assert result.exit_code == 2, result.output + result.stderr
    assert planned(result.output) == {"will be created": {
        "api.orders", "api_scope.orders/orders:admin", "api_scope.orders/get:orders",
        "api_scope.orders/post:orders", "api_scope.orders/get:orders_orderid"}}
    work.apply(v1)
    assert live_scopes(kinde) == {"orders:admin": "Admin", "get:orders": "List orders",
                                  "post:orders": "createOrder", "get:orders_orderid": "Get an order"}
    work.assert_converged(v1)

    v2 = spec_config(work, SPEC_V2, scopes=[{"key": "orders:admin", "description": "Admin"}])
    result = work.plan(v2)
    assert result.exit_code == 2, result.output + result.stderr
    assert planned(result.output) == {
        "will be created": {"api_scope.orders/delete:orders_orderid"},
        "will be updated in-place": {"api_scope.orders/get:orders"},
        "will be destroyed": {"api_scope.orders/post:orders"},
    }
    assert '"List orders" -> "List all orders"' in result.output
    assert "Plan: 1 to add, 1 to change, 1 to destroy" in result.output
    work.apply(v2)
    assert live_scopes(kinde) == {"orders:admin": "Admin", "get:orders": "List all orders",
                                  "get:orders_orderid": "Get an order",
                                  "delete:orders_orderid": "DELETE /orders/{orderId}"}
    work.assert_converged(v2)


def test_generated_scopes_can_be_used_by_roles_and_validate_counts_them(work: Workdir) -> None:
    config = spec_config(work, SPEC_V1)
    config["roles"] = [{"key": "reader", "name": "Reader", "scopes": ["orders/get:orders"]}]
    result = work.run("validate", *work.ws_args(config))
    assert result.exit_code == 0, result.output + result.stderr
    assert "(5 objects)" in result.output  # api, three generated scopes, role
    work.apply(config)
    work.assert_converged(config)


def test_a_hand_written_scope_that_clashes_with_a_generated_one_is_a_config_error(work: Workdir) -> None:
    config = spec_config(work, SPEC_V1, scopes=["orders:admin", {"key": "get:orders", "description": "Mine"}])
    result = work.run("validate", *work.ws_args(config))
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert "dev.json: $.apis[0].scopes[1]" in line
    assert '"get:orders"' in line and "specs/orders.yaml" in line and "GET /orders" in line
    assert "Traceback" not in result.output + result.stderr


def test_a_malformed_spec_is_one_clear_line_naming_the_file(work: Workdir) -> None:
    config = spec_config(work, SPEC_V1)
    (work.root / "specs" / "orders.yaml").write_text("openapi: 3.0.0\npaths:\n  /x: [unclosed\n")
    for args in (["validate", *work.ws_args(config)], ["plan", *work.ws_args(config)],
                 ["scopes", "--openapi", str(work.root / "specs" / "orders.yaml")]):
        result = work.run(*args)
        assert result.exit_code == 1, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ")
        assert "specs/orders.yaml" in lines[0] and "invalid YAML at line" in lines[0]


def test_scopes_command_prints_name_and_description(work: Workdir) -> None:
    path = work.root / "orders.json"
    path.write_text(json.dumps(SPEC_V1))
    result = work.run("scopes", "--openapi", str(path))
    assert result.exit_code == 0, result.output + result.stderr
    assert [line.split(None, 1) for line in result.stdout.splitlines()] == [
        ["get:orders", "List orders"], ["post:orders", "createOrder"], ["get:orders_orderid", "Get an order"]]
    result = work.run("scopes", "--openapi", str(path), "--format", "json")
    assert json.loads(result.stdout)["scopes"][0] == {"key": "get:orders", "description": "List orders"}


# --------------------------------------------------------------------------- API keys

API = {"key": "orders", "name": "Orders API", "audience": AUDIENCE,
       "scopes": [{"key": "orders:read", "description": "Read"}, {"key": "orders:write", "description": "Write"}]}
KEY = {"key": "ci", "name": "CI integration", "api": "orders", "scopes": ["orders:read"]}


def key_config(key: dict | None = None, api: dict | None = None) -> dict:
    return cfg(apis=[api or API], api_keys=[key or KEY])


class Secrets:
    """The --secrets-out file of one test, and every place a secret must never appear."""

    def __init__(self, work: Workdir) -> None:
        self.work = work
        self.path = work.root / "secrets.json"
        self.outputs: list[str] = []

    def run(self, *args: str, input: str | None = None) -> Any:
        result = self.work.run(*args, input=input)
        self.outputs.append(result.output + result.stderr)
        return result

    def apply(self, config: dict) -> Any:
        result = self.run("apply", *self.work.ws_args(config), "--auto-approve", "--secrets-out", str(self.path))
        assert result.exit_code == 0, result.output + result.stderr
        return result

    def plan(self, config: dict, out: str) -> Any:
        return self.run("plan", *self.work.ws_args(config), "--out", str(self.work.root / out))

    def secret(self) -> str:
        assert stat.S_IMODE(self.path.stat().st_mode) == 0o600
        data = json.loads(self.path.read_text())
        assert set(data) == {"api_key.ci"}
        return data["api_key.ci"]

    def verify(self, secret: str) -> Any:
        return self.run("api-key", "verify", "--config", str(self.work.root / "dev.json"), input=secret + "\n")

    def assert_nowhere(self, secret: str) -> None:
        for text in self.outputs:
            assert secret not in text
        leaked = [p.name for p in self.work.root.iterdir()
                  if p != self.path and p.is_file() and secret.encode() in p.read_bytes()]
        assert leaked == []  # dev.db (and -wal, -shm while they exist), plan files, config


def test_api_key_secret_goes_only_to_the_secrets_file(work: Workdir, kinde: Kinde) -> None:
    s = Secrets(work)
    s.apply(cfg(apis=[API]))
    # An open reader keeps SQLite from folding the WAL back into the database when apply closes it,
    # so the -wal file the create was written through can be inspected too.
    holder = sqlite3.connect(work.root / "dev.db")
    holder.execute("SELECT count(*) FROM resources").fetchone()
    result = s.plan(key_config(), "create.json")
    assert "api_key.ci will be created" in result.output
    s.apply(key_config())
    secret = s.secret()
    wal = work.root / "dev.db-wal"
    assert wal.stat().st_size > 0 and secret.encode() not in wal.read_bytes()
    holder.close()
    assert len(secret) > 8
    key_ids = [k["id"] for k in kinde.call("GET", "/api/v1/api_keys")["api_keys"]]
    assert len(key_ids) == 1
    verified = s.verify(secret)
    assert verified.exit_code == 0, verified.output + verified.stderr
    assert "valid: yes" in verified.output and "scopes: orders:read" in verified.output
    work.assert_converged(key_config())
    # Each run must succeed, or its output holds nothing the secret could leak into.
    assert s.plan(key_config(), "noop.json").exit_code == 0
    assert s.run("state", "show", "api_key.ci", *work.ws_args(key_config())).exit_code == 0
    assert s.run("export", *work.ws_args(key_config())).exit_code == 0
    assert (work.root / "dev.db").exists()
    s.assert_nowhere(secret)


def test_changing_scopes_replaces_the_key_and_warns_that_the_old_secret_stops_working(
        work: Workdir, kinde: Kinde) -> None:
    s = Secrets(work)
    s.apply(key_config())
    old = s.secret()
    changed = key_config({**KEY, "scopes": ["orders:read", "orders:write"]})
    result = s.plan(changed, "replace.json")
    assert planned(result.output) == {"must be replaced": {"api_key.ci"}}
    assert "# forces replacement" in result.output
    assert "the current secret stops working" in result.output
    assert '+ "orders:write"' in result.output
    s.apply(changed)
    new = s.secret()
    assert new != old
    assert s.verify(old).exit_code == 2
    result = s.verify(new)
    assert result.exit_code == 0 and "scopes: orders:read orders:write" in result.output
    work.assert_converged(changed)
    # The replaced key stays listed, revoked, as Kinde documents: one live key, no duplicate.
    assert [k["status"] for k in kinde.call("GET", "/api/v1/api_keys")["api_keys"]
            if k["status"] != "revoked"] == ["active"]
    s.assert_nowhere(old)
    s.assert_nowhere(new)


def test_replacing_the_api_replaces_its_keys_with_the_warning(work: Workdir) -> None:
    s = Secrets(work)
    s.apply(key_config())
    renamed = key_config(api={**API, "name": "Orders API v2"})
    result = s.plan(renamed, "replace.json")
    assert planned(result.output)["must be replaced"] >= {"api.orders", "api_key.ci"}
    block = result.output.split("# api_key.ci must be replaced", 1)[1].split("resource", 1)[0]
    assert "replaced with its parent" in block and "the current secret stops working" in block
    old = s.secret()
    s.apply(renamed)
    assert s.secret() != old
    work.assert_converged(renamed)


def test_rotate_changes_the_secret_and_the_old_one_stops_verifying(work: Workdir, kinde: Kinde) -> None:
    s = Secrets(work)
    s.apply(key_config())
    old = s.secret()
    args = ["--config", str(work.root / "dev.json"), "--state", str(work.root / "dev.db")]
    refused = s.run("api-key", "rotate", "api_key.ci", *args)
    assert refused.exit_code == 1 and "--secrets-out" in refused.stderr
    assert s.verify(old).exit_code == 0

    result = s.run("api-key", "rotate", "api_key.ci", *args, "--secrets-out", str(s.path))
    assert result.exit_code == 0, result.output + result.stderr
    assert "The old secret no longer works" in result.output
    new = s.secret()
    assert new != old
    invalid = s.verify(old)
    assert invalid.exit_code == 2 and "valid: no" in invalid.output
    valid = s.verify(new)
    assert valid.exit_code == 0 and "valid: yes" in valid.output
    work.assert_converged(key_config())  # same key id: rotation is no change to the configuration
    assert len(kinde.call("GET", "/api/v1/api_keys")["api_keys"]) == 1
    journal = s.run("state", "journal", *args)
    assert "api_key.ci\trotate\tok" in journal.output
    s.assert_nowhere(old)
    s.assert_nowhere(new)

    unknown = s.run("api-key", "rotate", "api_key.nope", *args, "--secrets-out", str(s.path))
    assert unknown.exit_code == 1 and "not in state" in unknown.stderr


def test_rotate_refuses_an_unwritable_secrets_file_before_killing_the_old_secret(work: Workdir) -> None:
    s = Secrets(work)
    s.apply(key_config())
    old = s.secret()
    args = ["--config", str(work.root / "dev.json"), "--state", str(work.root / "dev.db")]
    result = s.run("api-key", "rotate", "api_key.ci", *args, "--secrets-out", str(work.root / "no" / "such.json"))
    assert result.exit_code == 1 and "not a writable directory" in result.stderr
    assert s.verify(old).exit_code == 0

    result = s.run("api-key", "rotate", "api_key.ci", *args, "--discard-secret")
    assert result.exit_code == 0 and "the new secret was discarded" in result.output
    assert s.verify(old).exit_code == 2
    assert s.secret() == old  # the file is left alone
    s.assert_nowhere(old)


def test_a_key_made_outside_is_adopted_and_two_are_ambiguous(work: Workdir, kinde: Kinde) -> None:
    work.apply(cfg(apis=[API]))
    api_id = next(a["id"] for a in kinde.call("GET", "/api/v1/apis")["apis"] if a["audience"] == AUDIENCE)
    scope_id = next(x["id"] for x in kinde.call("GET", f"/api/v1/apis/{api_id}/scopes")["scopes"]
                    if x["key"] == "orders:read")
    body = {"name": "CI integration", "type": "environment", "api_id": api_id, "scope_ids": [scope_id]}
    made = kinde.call("POST", "/api/v1/api_keys", json=body)["api_key"]["id"]
    result = work.plan(key_config())
    assert "api_key.ci will be imported" in result.output and "1 to import" in result.output
    work.apply(key_config())
    assert [k["id"] for k in kinde.call("GET", "/api/v1/api_keys")["api_keys"]] == [made]
    work.assert_converged(key_config())

    kinde.call("POST", "/api/v1/api_keys", json=body)
    fresh = cfg(apis=[API], api_keys=[{**KEY, "key": "ci2"}])
    result = work.run("plan", *work.ws_args(fresh, "other"))
    assert result.exit_code == 1
    assert "2 live api_keys match" in result.stderr and "import api_key.ci2=<id>" in result.stderr


def test_organization_keys_read_their_org_code(work: Workdir, kinde: Kinde) -> None:
    key = {**KEY, "type": "organization", "org_code": "org_acme"}
    s = Secrets(work)
    s.apply(key_config(key))
    work.assert_converged(key_config(key))
    moved = key_config({**key, "org_code": "org_other"})
    result = s.plan(moved, "moved.json")
    assert planned(result.output) == {"must be replaced": {"api_key.ci"}}
    assert '"org_acme" -> "org_other"' in result.output
    exported = json.loads(s.run("export", *work.ws_args(key_config(key))).stdout)
    assert exported["api_keys"] == [{"key": "ci", "name": "CI integration", "api": "orders",
                                     "scopes": ["orders:read"], "type": "organization", "org_code": "org_acme"}]
