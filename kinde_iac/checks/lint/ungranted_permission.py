"""``permission-not-granted``: a permission no role grants."""
from __future__ import annotations

from collections.abc import Iterator

from kinde_iac.checks.lint.base import LintContext, Rule, Violation


class PermissionNotGranted(Rule):
    id = "permission-not-granted"
    level = "warning"
    doc = "A permission that no role grants: no user can hold it (a missing grant, or dead config)."

    def check(self, ctx: LintContext) -> Iterator[Violation]:
        granted = {p for role in ctx.by_kind("role") for p in role.attributes.get("permissions") or ()}
        for permission in ctx.by_kind("permission"):
            if permission.key not in granted:
                yield Violation(permission.address, f'{permission.address}: no role grants "{permission.key}"')


RULE = PermissionNotGranted()
