"""The official Kinde Management API spec, vendored beside this module and parsed once.

Everything the emulator knows about paths, scopes and operations comes from this file, so a
route the emulator serves can be checked against the spec instead of being guessed.
"""
from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

SPEC_DIR, SPEC_FILE = "spec", "management-api.yaml"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def spec_text() -> str:
    # One joinpath() argument at a time: Python 3.10 Traversables accept only one.
    return resources.files("kinde_iac.emulator").joinpath(SPEC_DIR).joinpath(SPEC_FILE).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    """The parsed spec. Cached: the emulator must start in well under a second, and the C
    loader plus a single parse per process keeps it there (~0.1 s)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(spec_text(), Loader=loader)


def operations() -> dict[tuple[str, str], dict[str, Any]]:
    """Every operation keyed by (METHOD, path template), e.g. ("GET", "/api/v1/roles/{role_id}")."""
    return _operations()


@functools.lru_cache(maxsize=1)
def _operations() -> dict[tuple[str, str], dict[str, Any]]:
    ops: dict[tuple[str, str], dict[str, Any]] = {}
    for path, item in load_spec()["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                ops[(method.upper(), path)] = item[method]
    return ops


def component_schema(name: str) -> dict[str, Any]:
    return load_spec()["components"]["schemas"][name]


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with a local ``$ref`` (``#/components/...``) followed, as often as it chains."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        seen += 1
        if seen > 20:
            raise ValueError(f"$ref cycle at {node['$ref']}")
        target: Any = load_spec()
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node
