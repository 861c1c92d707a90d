"""Resource kinds own their configuration: config/ only iterates the registry.

The layering is checked on the source (resources/ never imports config/, config/ never names a
kind), and the extension point end to end: a kind registered in resources/ alone is loaded,
merged, validated, located and described by the JSON Schema.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from config_testlib import write

import kinde_iac
from kinde_iac.config import load_workspace
from kinde_iac.resources import BY_NAME, KINDS

PACKAGE = Path(kinde_iac.__file__).parent
HERE = Path(__file__).parent


def _imports(path: Path) -> set[str]:
    """Every module a file imports, lazily inside functions too."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_resources_never_import_config() -> None:
    offenders = {
        f"{path.name}: {module}"
        for path in (PACKAGE / "resources").glob("*.py")
        for module in _imports(path)
        if module == "kinde_iac.config" or module.startswith("kinde_iac.config.")
    }
    assert offenders == set()


def test_config_names_no_kind() -> None:
    names = set()
    for kind in KINDS:
        names |= {kind.name, f"{kind.name}."}
        names |= {kind.config_section, kind.nested_field} - {None}  # type: ignore[arg-type]
        names |= {s.name for s in kind.seed_keys} | set(kind.seed_field_aliases)
    found = {
        f"{path.name}: {node.value!r}"
        for path in (PACKAGE / "config").glob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and node.value in names
    }
    assert found == set()


_SCRIPT = """
import json, sys
import kinde_iac.resources as registry
from example_kind import WebhookKind

registry.KINDS = (*registry.KINDS, WebhookKind())  # the one registry line
registry.BY_NAME["webhook"] = registry.KINDS[-1]

from kinde_iac.config import json_schema, load_workspace
from kinde_iac.errors import ConfigError

ws = load_workspace(sys.argv[1], env={})
hooks = ws.section("webhooks")
out = {
    "hooks": [[h.key, h.name, list(h.event_types)] for h in hooks],
    "desired": [r.address for r in registry.BY_NAME["webhook"].desired(ws)],
    "paths": {a: p for a, p in ws.paths.items() if a.startswith("webhook.")},
    "schema_top": "webhooks" in json_schema()["$defs"]["WorkspaceFile"]["properties"],
    "schema_entry": sorted(json_schema()["$defs"]["Webhook"]["properties"]),
}
for bad in sys.argv[2:]:
    try:
        load_workspace(bad, env={})
        out.setdefault("errors", []).append(None)
    except ConfigError as err:
        out.setdefault("errors", []).append(str(err))
print(json.dumps(out))
"""


def test_a_kind_registered_in_resources_alone_is_configurable(tmp_path: Path) -> None:
    hook = {"key": "orders", "name": "Orders", "endpoint": "https://hooks.example/orders",
            "event_types": ["user.created"]}
    write(tmp_path, {
        "_common.json": {"webhooks": [hook]},
        "dev.json": {"$extends": "_common.json", "webhooks": [{"key": "orders", "name": "Orders (dev)"}]},
        "bad_url.json": {"webhooks": [hook, {**hook, "key": "audit", "endpoint": "not a url"}]},
        "dup.json": {"webhooks": [hook, hook]},
        "typo.json": {"webhooks": [{**hook, "event_type": []}]},
        "unknown.json": {"webhook": []},
    })
    files = [tmp_path / n for n in ("dev.json", "bad_url.json", "dup.json", "typo.json", "unknown.json")]
    env = {"PYTHONPATH": str(HERE), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", _SCRIPT, *map(str, files)], capture_output=True, text=True,
                            env=env, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["hooks"] == [["orders", "Orders (dev)", ["user.created"]]]  # merged by key across files
    assert out["desired"] == ["webhook.orders"]
    assert out["paths"] == {"webhook.orders": [str(tmp_path / "_common.json"), "$.webhooks[0]"]}
    assert out["schema_top"] is True
    assert out["schema_entry"] == ["description", "endpoint", "event_types", "key", "name", "protect"]
    bad, dup, typo, unknown = (str(f) for f in files[1:])
    assert out["errors"] == [
        f'{bad}: $.webhooks[1].endpoint: expected an absolute http(s) URL, got "not a url"',
        f'{dup}: $.webhooks[1]: duplicate webhook key "orders" (first defined at {dup}: $.webhooks[0])',
        f'{typo}: $.webhooks[0].event_type: unknown key "event_type" (did you mean "event_types"?)',
        f'{unknown}: $.webhook: unknown key "webhook" (did you mean "webhooks"?)',
    ]


def test_one_slug_rule_for_loading_and_for_live_objects(tmp_path: Path) -> None:
    """A keyless entry gets the address that drift and export give the same live object, and that
    address is a valid config key (64 characters at most, no dots or colons)."""
    name = "Orders: v2.1 " + "x" * 70
    write(tmp_path, {"ws.json": {
        "application": {"name": name},
        "apis": [{"name": "Orders", "audience": "https://orders.example/api"}],
    }})
    ws = load_workspace(tmp_path / "ws.json", env={})
    [app], [api] = ws.section("applications"), ws.section("apis")
    assert app.key == BY_NAME["application"].default_key((name,)) == ("orders-v2-1-" + "x" * 70)[:64]
    assert api.key == BY_NAME["api"].default_key(("https://orders.example/api",)) == "https-orders-example-api"
    assert BY_NAME["api_key"].default_key(("https://orders.example", "CI: deploy")) == "ci-deploy"
    assert BY_NAME["application"].default_key(("!!!",)) == "unnamed"
