"""``secret-literal``: a secret written into the config instead of read from the environment."""
from __future__ import annotations

from collections.abc import Iterator

from kinde_iac.checks.lint.base import LintContext, Rule, Violation
from kinde_iac.resources import BY_NAME


class SecretLiteral(Rule):
    id = "secret-literal"
    level = "error"
    doc = ("A secret value (a secret env var, or any field its kind marks sensitive) is written in the "
           "config instead of as ${env:NAME}: it ends up in version control.")

    def check(self, ctx: LintContext) -> Iterator[Violation]:
        for resource in ctx.resources:
            kind = BY_NAME.get(resource.kind)
            if kind is None:
                continue
            for field in sorted(kind.sensitive_fields(resource.attributes)):
                value = resource.attributes.get(field)
                if isinstance(value, str) and value and not ctx.from_env(value):
                    # Never the value itself: lint output may end up in CI logs.
                    yield Violation(resource.address, f'{resource.address}: secret "{field}" is written in the '
                                    f'config; use "${{env:NAME}}"')


RULE = SecretLiteral()
