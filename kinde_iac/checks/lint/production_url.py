"""``insecure-production-url``: plain http or localhost URLs in a production workspace."""
from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from kinde_iac.checks.lint.base import URL_FIELDS, LintContext, Rule, Violation, application_urls

LOOPBACK_HOSTS = frozenset({"localhost", "0.0.0.0", "::1"})


def is_local(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.endswith(".localhost") or host.startswith("127.")


class InsecureProductionUrl(Rule):
    id = "insecure-production-url"
    level = "error"
    doc = ("In a production workspace (kinde.production, or a workspace named prod/production), an "
           "application URL uses plain http:// or points at localhost.")

    def check(self, ctx: LintContext) -> Iterator[Violation]:
        if not ctx.production:
            return
        for app in ctx.by_kind("application"):
            for field, url in application_urls(app):
                try:
                    parts = urlsplit(url)
                    host = (parts.hostname or "").lower()
                except ValueError:
                    continue
                problems = []
                if parts.scheme.lower() == "http":
                    problems.append("plain http://")
                if is_local(host):
                    problems.append(f"the local host {host}")
                if problems:
                    yield Violation(app.address, f'{app.address}: {URL_FIELDS[field]} "{url}" uses '
                                    f"{' and '.join(problems)} in production workspace \"{ctx.workspace}\"", url)


RULE = InsecureProductionUrl()
