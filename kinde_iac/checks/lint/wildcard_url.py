"""``wildcard-url``: a wildcard in an application URL lets any matching host take part in sign-in."""
from __future__ import annotations

from collections.abc import Iterator

from kinde_iac.checks.lint.base import URL_FIELDS, LintContext, Rule, Violation, application_urls


class WildcardUrl(Rule):
    id = "wildcard-url"
    level = "error"
    doc = ("A redirect, logout, login or homepage URL contains a wildcard (*): any host or path it "
           "matches, such as any preview deployment, can receive users and their codes.")

    def check(self, ctx: LintContext) -> Iterator[Violation]:
        for app in ctx.by_kind("application"):
            for field, url in application_urls(app):
                if "*" in url:
                    yield Violation(app.address, f'{app.address}: {URL_FIELDS[field]} "{url}" contains a wildcard',
                                    url)


RULE = WildcardUrl()
