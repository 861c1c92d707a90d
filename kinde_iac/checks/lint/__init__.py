"""The lint rules: one module each, registered in ``RULES`` (as cfn-lint and checkov do).

Adding a rule is adding a module with a ``Rule`` subclass and a ``RULE`` instance, and listing it
here; ``docs/lint.md`` documents every rule.
"""
from __future__ import annotations

from kinde_iac.checks.lint import (
    default_role_writes,
    logout_origin,
    production_url,
    role_all_permissions,
    secret_literal,
    token_lifetime,
    ungranted_permission,
    unused_scope,
    wildcard_url,
)
from kinde_iac.checks.lint.base import LintContext, Rule, Violation

RULES: tuple[Rule, ...] = (
    wildcard_url.RULE,
    production_url.RULE,
    logout_origin.RULE,
    role_all_permissions.RULE,
    default_role_writes.RULE,
    ungranted_permission.RULE,
    unused_scope.RULE,
    secret_literal.RULE,
    token_lifetime.RULE,
)
BY_ID: dict[str, Rule] = {r.id: r for r in RULES}

__all__ = ["BY_ID", "RULES", "LintContext", "Rule", "Violation"]
