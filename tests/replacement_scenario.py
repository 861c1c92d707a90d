"""One run of every action at once, shared by the plan/apply summary tests and the GitLab report test
so both count the same plan: a replacement, updates, a destroy, a create and two adoptions, one of
them replaced at once.

Apply BEFORE, create the two live objects behind kinde-iac's back (``LIVE_PERMISSION``,
``LIVE_API``: POST path and body), then plan AFTER: 3 to add, 2 to change, 3 to destroy, 2 to import.

Imported by name: pytest puts ``tests/`` on ``sys.path`` (its conftest.py has no package).
"""
from __future__ import annotations

from typing import Any

APP = {"key": "web", "name": "Web", "type": "reg"}
BEFORE: dict[str, Any] = {
    "kinde": {"environment": "development"},
    "applications": [APP],
    "permissions": [{"key": "p1", "name": "P1"}, {"key": "p2", "name": "P2"}, {"key": "p4", "name": "P4"},
                    {"key": "p5", "name": "P5"}],
    "roles": [{"key": "admin", "name": "Admin", "permissions": ["p1"]}],
}
AFTER: dict[str, Any] = {
    "kinde": {"environment": "development"},
    # type forces replacement
    "applications": [{**APP, "type": "spa"}],
    # p1 updated, p2 destroyed, p3 adopted from Kinde as it is
    "permissions": [{"key": "p1", "name": "P1 renamed"}, {"key": "p3", "name": "P3"}, {"key": "p4", "name": "P4"},
                    {"key": "p5", "name": "P5"}],
    # an API live under another name: adopted, then replaced (Kinde cannot rename an API)
    "apis": [{"key": "orders", "name": "Orders", "audience": "https://orders.example"}],
    "roles": [{"key": "admin", "name": "Administrators", "permissions": ["p1"]},
              {"key": "viewer", "name": "Viewer"}],
}
LIVE_PERMISSION = ("/api/v1/permissions", {"key": "p3", "name": "P3"})
LIVE_API = ("/api/v1/apis", {"name": "Orders (legacy)", "audience": "https://orders.example"})
