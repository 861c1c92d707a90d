"""What a lint rule is and what it may look at.

A rule reads desired objects (``Resource`` values, by kind and attribute name, as apply sees them)
and yields violations; the runner places them in the config, applies ``lint.ignore`` and renders.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar
from urllib.parse import urlsplit

import attrs

from kinde_iac.checks.findings import Level, RuleInfo
from kinde_iac.checks.workspace import from_env
from kinde_iac.resources import Resource


@attrs.frozen
class Violation:
    address: str
    message: str
    #: The offending value, used to point at the line it is written on.
    value: str | None = None


@attrs.define
class LintContext:
    """One workspace's desired objects, plus the facts about the workspace rules depend on."""

    workspace: str
    production: bool
    resources: list[Resource]

    def by_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r.kind == kind]

    @staticmethod
    def from_env(value: object) -> bool:
        """Whether a value comes from ``${env:NAME}`` (its real value is unknown to lint)."""
        return from_env(value)


class Rule:
    """Base of every rule module's rule: an id, a severity, a one-line doc, and ``check``."""

    id: ClassVar[str]
    level: ClassVar[Level]
    doc: ClassVar[str]

    @property
    def info(self) -> RuleInfo:
        return RuleInfo(self.id, self.level, self.doc)

    def check(self, ctx: LintContext) -> Iterator[Violation]:
        raise NotImplementedError


#: Application attributes that hold URLs, and how messages name them.
URL_FIELDS = {
    "redirect_urls": "redirect URL",
    "logout_urls": "logout URL",
    "login_uri": "login URI",
    "homepage_uri": "homepage URI",
}


def application_urls(app: Resource) -> Iterator[tuple[str, str]]:
    """(field, url) for every URL an application's attributes hold, env-supplied ones excluded."""
    for field in URL_FIELDS:
        value = app.attributes.get(field)
        values = value if isinstance(value, (list, tuple)) else [value]
        for url in values:
            if isinstance(url, str) and url and not from_env(url):
                yield field, url


def origin(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) with the scheme's default port filled in; None when unparseable."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not scheme or not host:
        return None
    return scheme, host, port or {"http": 80, "https": 443}.get(scheme)
