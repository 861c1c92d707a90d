"""Loading a workspace whose secrets are not set: ``validate`` (no network; CI jobs that check a
pull request have no production secrets) and reading a project's other workspaces.

A ``${env:NAME}`` whose variable is unset may stay unset when its value only lands in secret
fields (an env var with ``is_secret``): kinde-iac never checks a secret's value beyond its length,
so the reference is what there is to check. Any other reference must still be set, since its value
is validated like a written one (a URL, a key). ``require_secrets`` asks for every reference.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import attrs

from kinde_iac.config.loader import load_workspace
from kinde_iac.config.model import Workspace
from kinde_iac.resources import BY_NAME, KINDS

#: What an unset variable reads as: a URL on the reserved ``.invalid`` domain, so that URL checks
#: pass and the name is easy to find again.
PLACEHOLDER = "https://kinde-iac.invalid/unset-env/"
_PLACEHOLDER_NAME = re.compile(re.escape(PLACEHOLDER) + r"([A-Za-z_][A-Za-z0-9_]*)")


class EnvReader(Mapping[str, str]):
    """The environment ``${env:NAME}`` reads: remembers what it read (``read``), and gives unset
    variables a placeholder (remembered in ``unset``)."""

    def __init__(self, environ: Mapping[str, str], fill: frozenset[str] | None = None) -> None:
        self.environ = environ
        #: Only these unset names get a placeholder (None: every name; empty: none, as a strict load).
        self.fill = fill
        self.unset: set[str] = set()
        self.read: dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        if name in self.environ:
            self.read[name] = self.environ[name]
            return self.environ[name]
        if self.fill is not None and name not in self.fill:
            raise KeyError(name)
        self.unset.add(name)
        return PLACEHOLDER + name

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return name in self.environ or self.fill is None or name in self.fill

    def __iter__(self) -> Iterator[str]:
        return iter(self.environ)

    def __len__(self) -> int:
        return len(self.environ)


@attrs.frozen
class OfflineWorkspace:
    workspace: Workspace
    #: Variables that are unset and only feed secret values: checked as references, not values.
    unset_secrets: tuple[str, ...] = ()


def _placeholders(ws: Workspace) -> tuple[set[str], set[str]]:
    """Names of unset variables found in secret values, and in any other desired value."""
    in_secrets: set[str] = set()
    elsewhere: set[str] = set()
    for kind in KINDS:
        for resource in kind.desired(ws):
            sensitive = BY_NAME[resource.kind].sensitive_fields(resource.attributes)
            for field, value in resource.attributes.items():
                names = set(_PLACEHOLDER_NAME.findall(str(value)))
                (in_secrets if field in sensitive else elsewhere).update(names)
    return in_secrets, elsewhere


def load_offline(path: str | Path, *, name: str | None = None, env: Mapping[str, str] | None = None,
                 require_secrets: bool = False) -> OfflineWorkspace:
    """Load and validate ``path`` as ``validate`` does: unset variables are allowed where they only
    feed secret values (unless ``require_secrets``); anything else fails as a normal load does."""
    environ = os.environ if env is None else env
    if require_secrets:
        return OfflineWorkspace(load_workspace(path, name=name, env=environ))
    recording = EnvReader(environ)
    ws = load_workspace(path, name=name, env=recording)
    if not recording.unset:
        return OfflineWorkspace(ws)
    in_secrets, elsewhere = _placeholders(ws)
    allowed = frozenset(in_secrets - elsewhere)
    if recording.unset - allowed:
        # Load again with only the secrets filled in: the first other unset reference fails there,
        # with the same message and location a plan would give.
        ws = load_workspace(path, name=name, env=EnvReader(environ, fill=allowed))
    return OfflineWorkspace(ws, tuple(sorted(recording.unset & allowed)))


def load_without_secrets(path: str | Path, *, name: str | None = None) -> Workspace:
    """A workspace read for what it declares, every unset variable a placeholder (another
    workspace of the project, whose secrets this run need not have)."""
    return load_workspace(path, name=name, env=EnvReader(os.environ))
