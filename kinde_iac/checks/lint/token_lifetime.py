"""``token-lifetime``: application token and session lifetimes above a bound."""
from __future__ import annotations

from collections.abc import Iterator

from kinde_iac.checks.lint.base import LintContext, Rule, Violation

DAY = 86_400
#: Longest lifetime (seconds) each setting of an application's ``tokens`` should have.
BOUNDS = {
    "access_token_lifetime": DAY,
    "id_token_lifetime": DAY,
    "refresh_token_lifetime": 30 * DAY,
    "authenticated_session_lifetime": 30 * DAY,
}


def _human(seconds: int) -> str:
    days = seconds // DAY
    return f"{days} day{'' if days == 1 else 's'}" if seconds % DAY == 0 else f"{seconds} s"


class TokenLifetime(Rule):
    id = "token-lifetime"
    level = "warning"
    doc = ("An application's token or session lifetime (tokens.access_token_lifetime, id_token_lifetime: "
           "1 day; refresh_token_lifetime, authenticated_session_lifetime: 30 days) is above its bound.")

    def check(self, ctx: LintContext) -> Iterator[Violation]:
        for app in ctx.by_kind("application"):
            tokens = app.attributes.get("tokens")
            if not isinstance(tokens, dict):
                continue  # no token settings: Kinde's defaults apply
            for name, bound in BOUNDS.items():
                value = tokens.get(name)
                if isinstance(value, int) and not isinstance(value, bool) and value > bound:
                    yield Violation(app.address, f"{app.address}: tokens.{name} is {_human(value)}, above "
                                    f"{_human(bound)}")


RULE = TokenLifetime()
