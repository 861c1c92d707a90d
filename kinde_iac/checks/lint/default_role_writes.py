"""``default-role-writes``: a default role (given to every new user) that can change things."""
from __future__ import annotations

import re
from collections.abc import Iterator

from kinde_iac.checks.lint.base import LintContext, Rule, Violation

#: Words in a permission key that mean it creates, changes or deletes (``create:todos``,
#: ``orders.write``, ``manage-users``).
WRITE_WORDS = frozenset({
    "create", "write", "update", "edit", "modify", "change", "delete", "remove", "destroy", "manage",
    "admin", "put", "post", "patch", "grant", "revoke", "invite", "approve", "publish", "refund", "*",
})
_SEPARATORS = re.compile(r"[:./_\-\s]+")


def is_write(permission: str) -> bool:
    return any(word in WRITE_WORDS for word in _SEPARATORS.split(permission.lower()))


class DefaultRoleWrites(Rule):
    id = "default-role-writes"
    level = "error"
    doc = ("A default role, which every new user gets, grants a permission that creates, changes or "
           "deletes (create, write, update, delete, manage ... in its key).")

    def check(self, ctx: LintContext) -> Iterator[Violation]:
        for role in ctx.by_kind("role"):
            if not role.attributes.get("is_default_role"):
                continue
            writes = sorted(p for p in role.attributes.get("permissions") or () if is_write(p))
            for permission in writes:
                yield Violation(role.address, f'{role.address}: default role grants write permission "{permission}" '
                                f"to every new user", permission)


RULE = DefaultRoleWrites()
