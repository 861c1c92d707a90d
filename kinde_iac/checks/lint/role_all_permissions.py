"""``role-grants-all-permissions``: one role holding every permission there is."""
from __future__ import annotations

from collections.abc import Iterator

from kinde_iac.checks.lint.base import LintContext, Rule, Violation

#: With fewer permissions defined, holding all of them says nothing.
MIN_PERMISSIONS = 2


class RoleGrantsAllPermissions(Rule):
    id = "role-grants-all-permissions"
    level = "warning"
    doc = ("A role grants every permission the workspace defines (when there are at least two): one "
           "assignment hands out everything, and every new permission silently widens it.")

    def check(self, ctx: LintContext) -> Iterator[Violation]:
        every = {p.key for p in ctx.by_kind("permission")}
        if len(every) < MIN_PERMISSIONS:
            return
        for role in ctx.by_kind("role"):
            if every <= set(role.attributes.get("permissions") or ()):
                yield Violation(role.address, f"{role.address}: grants every permission of the workspace "
                                f"({len(every)})")


RULE = RoleGrantsAllPermissions()
