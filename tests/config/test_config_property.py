"""Property: whatever is done to a valid config, loading either succeeds or raises ConfigError."""

from __future__ import annotations

import copy
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import attrs
import pytest
from config_testlib import NATIVE_ENV, NATIVE_EXAMPLE, SEED_EXAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinde_iac.config import load_workspace, model
from kinde_iac.config.seed_format import TOP_LEVEL_KEYS
from kinde_iac.errors import ConfigError
from kinde_iac.resources import KINDS

# The workspace model and every kind's entry models (which live beside their kinds).
MODEL_MODULES = [model, *(sys.modules[type(kind).__module__] for kind in KINDS)]
FIELD_NAMES = sorted(
    {
        f.name
        for module in MODEL_MODULES
        for cl in vars(module).values()
        if isinstance(cl, type) and attrs.has(cl)
        for f in attrs.fields(cl)
    }
)
KEYS = st.sampled_from([*FIELD_NAMES, *TOP_LEVEL_KEYS, "redirectUrls", "logoutUrls", "sensitive"]) | st.text(
    max_size=8
)
TRICKY_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "x" * 70,
        "${var.x}",
        "${env:PAYMENTS_SECRET}",
        "${env:NOPE}",
        "$${",
        "${",
        "${}",
        "${var.}",
        "https://ok.example/cb",
        "not a url",
        "orders-api/orders:read",
        "orders:read",
        "true",
        "42",
        "2030-02-30",
        "_common.json",
        "ws.json",
        "../",
        "/",
        "a\x00b",
        "bool",
        "int",
        "str",
        "reg",
        "organization",
        "env",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
    | TRICKY_STRINGS
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=6,
)

SHARED = {
    "variables": {"x": "from-shared", "fraction": 0.3},
    "apis": [{"key": "orders-api", "name": "Orders API", "audience": "orders", "scopes": ["orders:read"]}],
    "permissions": [{"key": "orders:read", "name": "Read"}],
    "roles": [
        {
            "key": "admin",
            "name": "Admin",
            "permissions": ["orders:read"],
            "scopes": ["orders-api/orders:read"],
        }
    ],
    "feature_flags": [{"key": "f", "name": "F", "type": "int", "default_value": 1}],
}
EXTENDING = {
    "$extends": "_common.json",
    "roles": [{"key": "admin", "name": "${var.x}"}],
    "feature_flags": [{"key": "f", "value": "2"}],
    "max_delete_fraction": "${var.fraction}",
}
BASES = [
    {"ws.json": json.loads(SEED_EXAMPLE.read_text())},
    {"ws.json": json.loads(NATIVE_EXAMPLE.read_text())},
    {"ws.json": EXTENDING, "_common.json": SHARED},
]


def _containers(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if isinstance(doc, (dict, list)) else []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for k, v in items:
        out.extend(_containers(v, path + (k,)))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


@st.composite
def mutated_files(draw: st.DrawFn) -> dict[str, Any]:
    files = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        name = draw(st.sampled_from(sorted(files)))
        doc = files[name]
        target = _get(doc, draw(st.sampled_from(_containers(doc))))
        op = draw(st.sampled_from(["drop", "rename", "retype", "insert"]))
        if isinstance(target, dict):
            keys = list(target)
            if op == "insert" or not keys:
                target[draw(KEYS)] = draw(JUNK)
                continue
            key = draw(st.sampled_from(keys))
            if op == "drop":
                del target[key]
            elif op == "rename":
                target[draw(KEYS)] = target.pop(key)
            else:
                target[key] = draw(JUNK)
        else:
            if op == "insert" or not target:
                target.insert(draw(st.integers(0, len(target))), draw(JUNK))
                continue
            i = draw(st.integers(0, len(target) - 1))
            if op == "drop":
                del target[i]
            else:
                target[i] = draw(JUNK)
    return files


def _write(directory: Path, files: dict[str, Any], raw_cut: tuple[int, int] | None = None) -> Path:
    for name, doc in files.items():
        text = json.dumps(doc)
        if raw_cut and name == "ws.json":
            start = raw_cut[0] % (len(text) + 1)
            text = text[:start] + text[start + raw_cut[1] :]
        (directory / name).write_text(text)
    return directory / "ws.json"


def _load(files: dict[str, Any], raw_cut: tuple[int, int] | None = None) -> None:
    """Loading succeeds or raises a one-line ConfigError; anything else fails the property."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            load_workspace(_write(Path(tmp), files, raw_cut), env=NATIVE_ENV)
        except ConfigError as exc:
            assert len(str(exc).splitlines()) == 1


@pytest.mark.parametrize(("files", "admin_name"), list(zip(BASES, ["Admin", "Admin", "from-shared"])),
                         ids=["seed", "native", "extends"])
def test_bases_load(files: dict[str, Any], admin_name: str, tmp_path: Path) -> None:
    # The unmutated bases must load: here a ConfigError is a failure, not an accepted outcome.
    ws = load_workspace(_write(tmp_path, files), env=NATIVE_ENV)
    assert {r.key: r.name for r in ws.section("roles")}["admin"] == admin_name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_files())
def test_mutated_configs_raise_only_config_error(files: dict[str, Any]) -> None:
    _load(files)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(BASES), st.integers(min_value=0), st.integers(min_value=1, max_value=20))
def test_truncated_json_raises_only_config_error(files: dict[str, Any], start: int, length: int) -> None:
    _load(files, (start, length))
