"""Workspace configs the benchmark plans and applies: a small one (S), the seed guide's example, and
three generated sizes.

M, L and XL are a scale factor on the M shape (1,000 permissions in 100 roles, 20 APIs x 10 scopes,
100 flags, 100 env vars, 10 apps), so L (x4) and XL (x13, ~20,000 objects) are the same workspace,
only bigger: per-object costs then show up as a ratio between sizes rather than as a change of
shape. S is the smallest workspace that has every kind and every sub-list: 15 objects.
"""
from __future__ import annotations

import copy
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import attrs

from kinde_iac.config import load_workspace
from kinde_iac.engine.session import desired_resources

REPO = Path(__file__).resolve().parent.parent
SEED_CONFIG = REPO / "tests" / "e2e" / "data" / "seed_config.json"
#: The Kinde environment every generated workspace expects (the emulator is started with it).
ENVIRONMENT = "development"
SCALES = {"M": 1, "L": 4, "XL": 13}
SIZES = ("S", "seed", *SCALES)


def seed_config() -> dict[str, Any]:
    return json.loads(SEED_CONFIG.read_text())


def generated_config(scale: int) -> dict[str, Any]:
    """The M workspace times ``scale``: every count multiplied, the per-role shape kept."""
    n_perms, n_roles, n_apis, n_flags, n_vars, n_apps = (1000 * scale, 100 * scale, 20 * scale, 100 * scale,
                                                         100 * scale, 10 * scale)
    permissions = [{"key": f"perm:{i:05d}", "name": f"Permission {i}", "description": f"Allows thing {i}"}
                   for i in range(n_perms)]
    apis = [{"key": f"api{a}", "name": f"API {a}", "audience": f"https://api{a}.example",
             "scopes": [{"key": f"s{s}", "description": f"scope {s} of API {a}"} for s in range(10)]}
            for a in range(n_apis)]
    per_role = n_perms // n_roles
    roles = [{"key": f"role{r}", "name": f"Role {r}", "description": f"Role number {r}",
              "permissions": [f"perm:{(r * per_role + j):05d}" for j in range(per_role)],
              "scopes": [f"api{r % n_apis}/s{r % 10}"]} for r in range(n_roles)]
    apps = [{"key": f"app{i}", "name": f"App {i}", "type": "reg",
             "redirect_urls": [f"https://app{i}.example/cb"], "logout_urls": [f"https://app{i}.example"]}
            for i in range(n_apps)]
    flags = [{"key": f"flag_{i}", "name": f"Flag {i}", "type": "bool", "default_value": i % 2 == 0}
             for i in range(n_flags)]
    env_vars = [{"key": f"VAR_{i}", "value": f"value-{i}"} for i in range(n_vars)]
    return {"kinde": {"environment": ENVIRONMENT}, "permissions": permissions, "apis": apis, "roles": roles,
            "applications": apps, "feature_flags": flags, "env_vars": env_vars}


def small_config() -> dict[str, Any]:
    """S: one application, one API with two scopes, five permissions in two roles (one with a scope),
    two flags, two env vars: every list and sub-list a plan reads, 15 objects."""
    return {
        "kinde": {"environment": ENVIRONMENT},
        "applications": [{"key": "web", "name": "Web", "type": "reg", "redirect_urls": ["https://web.example/cb"],
                          "logout_urls": ["https://web.example"]}],
        "apis": [{"key": "orders", "name": "Orders", "audience": "https://orders.example",
                  "scopes": [{"key": "read", "description": "Read orders"},
                             {"key": "write", "description": "Write orders"}],
                  "applications": ["web"]}],
        "permissions": [{"key": f"perm:{i}", "name": f"Permission {i}"} for i in range(5)],
        "roles": [{"key": "admin", "name": "Admin", "permissions": [f"perm:{i}" for i in range(5)],
                   "scopes": ["orders/write"]},
                  {"key": "viewer", "name": "Viewer", "permissions": ["perm:0"]}],
        "feature_flags": [{"key": f"flag_{i}", "name": f"Flag {i}", "type": "bool", "default_value": i == 0}
                          for i in range(2)],
        "env_vars": [{"key": f"VAR_{i}", "value": f"value-{i}"} for i in range(2)],
    }


def config_for(size: str) -> dict[str, Any]:
    if size == "seed":
        return seed_config()
    if size == "S":
        return small_config()
    if size not in SCALES:
        raise ValueError(f"unknown size {size!r}; choose from {', '.join(SIZES)}")
    return generated_config(SCALES[size])


def _renamable(node: Any) -> list[tuple[dict[str, Any], str]]:
    """(entry, field) pairs whose change is an in-place update: names of keyed entries and scope
    descriptions. API names and audiences are left alone because changing them replaces the API."""
    out: list[tuple[dict[str, Any], str]] = []
    if isinstance(node, dict):
        if "key" in node and "audience" not in node:
            if isinstance(node.get("name"), str):
                out.append((node, "name"))
            elif isinstance(node.get("description"), str):
                out.append((node, "description"))
        for value in node.values():
            out.extend(_renamable(value))
    elif isinstance(node, list):
        for item in node:
            out.extend(_renamable(item))
    return out


def changed_config(config: dict[str, Any], objects: int, share: float = 0.01) -> tuple[dict[str, Any], int]:
    """A copy of ``config`` with ``share`` of its objects renamed (at least one), spread evenly
    over every kind that has names; returns it and how many entries changed."""
    out = copy.deepcopy(config)
    slots = _renamable(out)
    wanted = min(len(slots), max(1, math.ceil(objects * share)))
    step = len(slots) / wanted
    for i in range(wanted):
        entry, field = slots[int(i * step)]
        entry[field] = f"{entry[field]} (renamed)"
    return out, wanted


@attrs.frozen
class Shape:
    """How many objects of each kind a workspace manages, from kinde-iac's own config loader."""

    by_kind: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def count(self, kind: str) -> int:
        return self.by_kind.get(kind, 0)

    def noop_plan_bound(self) -> tuple[int, str]:
        """Requests a no-op plan may make (DESIGN section 8), computed like tests/e2e/test_request_counts.py:
        list pages at page_size 500 + one sub-list per parent + token and environment guard."""
        perms, roles, apis, apps = (self.count(k) for k in ("permission", "role", "api", "application"))
        live_apps = apps + 1  # the M2M app kinde-iac itself uses is listed too
        pages = math.ceil(perms / 500) + math.ceil(roles / 500) + math.ceil(live_apps / 500) + 3
        # An app: its details and two URL lists (its enabled connections too where the config manages
        # them, which these workspaces never do).
        parents = roles * 2 + apis * 2 + apps * 3
        overhead = 2
        bound = pages + parents + overhead
        return bound, f"{pages} pages + {parents} parent sub-lists + {overhead} token/environment"


def shape_of(config_path: Path) -> Shape:
    ws = load_workspace(config_path, env={})
    return Shape(by_kind=dict(Counter(r.kind for r in desired_resources(ws))))
