"""``logout-url-origin``: a logout URL that is not on any redirect URL's origin."""
from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from kinde_iac.checks.lint.base import LintContext, Rule, Violation, application_urls, origin


class LogoutUrlOrigin(Rule):
    id = "logout-url-origin"
    level = "warning"
    doc = ("A logout URL is not on the origin (scheme, host, port) of any of the application's "
           "redirect URLs: users are sent somewhere the app does not sign them in.")

    def check(self, ctx: LintContext) -> Iterator[Violation]:
        for app in ctx.by_kind("application"):
            urls = list(application_urls(app))
            allowed = [o for field, url in urls if field == "redirect_urls" and (o := origin(url))]
            if not allowed:
                continue
            for field, url in urls:
                if field != "logout_urls":
                    continue
                here = origin(url)
                if here is None or any(_same(here, o) for o in allowed):
                    continue
                shown = ", ".join(sorted({f"{s}://{h}:{p}" for s, h, p in allowed}))
                yield Violation(app.address, f'{app.address}: logout URL "{url}" is not on a redirect URL\'s '
                                f"origin ({shown})", url)


def _same(url: tuple[str, str, int | None], redirect: tuple[str, str, int | None]) -> bool:
    # A wildcard redirect host (https://*.example.com) allows the hosts it matches.
    return url[0] == redirect[0] and url[2] == redirect[2] and fnmatch.fnmatchcase(url[1], redirect[1])


RULE = LogoutUrlOrigin()
