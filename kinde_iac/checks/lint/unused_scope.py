"""``scope-unused``: an API scope nothing uses."""
from __future__ import annotations

from collections.abc import Iterator

from kinde_iac.checks.lint.base import LintContext, Rule, Violation


def used_scopes(ctx: LintContext) -> set[str]:
    """``<api key>/<scope key>`` of every scope some object grants: a ``scopes`` attribute lists
    either such full keys (roles) or scope keys of the object's ``api`` (API keys)."""
    used: set[str] = set()
    for resource in ctx.resources:
        scopes = resource.attributes.get("scopes")
        if not isinstance(scopes, (list, tuple)):
            continue
        api = resource.attributes.get("api")
        for scope in scopes:
            if isinstance(scope, str):
                used.add(f"{api}/{scope}" if isinstance(api, str) and "/" not in scope else scope)
    return used


class ScopeUnused(Rule):
    id = "scope-unused"
    level = "warning"
    doc = "An API scope that no role, API key or application uses: nothing can ever be granted it."

    def check(self, ctx: LintContext) -> Iterator[Violation]:
        used = used_scopes(ctx)
        for scope in ctx.by_kind("api_scope"):
            if scope.key not in used:
                yield Violation(scope.address, f"{scope.address}: no role, API key or application uses this scope")


RULE = ScopeUnused()
