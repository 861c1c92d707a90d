"""Load a workspace: read JSON, resolve ``$extends``, substitute references, structure, validate.

Each stage keeps a ``SourceNode`` tree beside the document so that any error, however late it is
found, names the file and JSON path the user wrote. Each kind contributes through the registry
(its section, seed spellings, files its entries name, checks); this module names none of them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from kinde_iac.config.env_only import check_env_only
from kinde_iac.config.extends import display_join, load_tree
from kinde_iac.config.interpolate import substitute
from kinde_iac.config.model import KIND_OF_SECTION, Workspace
from kinde_iac.config.sources import SourceNode
from kinde_iac.config.structure import structure
from kinde_iac.config.validate import validate_workspace
from kinde_iac.errors import ConfigError
from kinde_iac.heap import bulk
from kinde_iac.jsonpath import quote
from kinde_iac.resources import KINDS


def workspace_file(workspace: str, base_dir: str | Path = "environments") -> Path:
    """``environments/<workspace>.json``."""
    if not workspace or workspace in (".", "..") or "/" in workspace or os.sep in workspace:
        raise ConfigError(f"invalid workspace name {quote(workspace)}: use a file name without a directory")
    return Path(base_dir) / f"{workspace}.json"


def _resolve_file_fields(doc: dict[str, Any], root: SourceNode) -> None:
    """Paths in entries (an API's ``openapi`` document) are written relative to the file that
    names them, like ``$extends``; rewrite them so later stages can open them from the working
    directory."""
    for section, kind in KIND_OF_SECTION.items():
        if not kind.file_fields:
            continue
        for i, entry in enumerate(doc.get(section) or []):
            if not isinstance(entry, dict):
                continue
            for field in kind.file_fields:
                ref = entry.get(field)
                if not isinstance(ref, str) or not ref or os.path.isabs(ref) or "://" in ref:
                    continue
                file, _ = root.locate((section, i, field))
                entry[field] = display_join(file, ref)


def _expand(ws: Workspace) -> tuple[Workspace, dict[str, tuple[str, str]]]:
    """Sections completed from the documents their entries name, and where each generated object
    is defined."""
    sections = dict(ws.sections)
    origins: dict[str, tuple[str, str]] = {}
    for section, kind in KIND_OF_SECTION.items():
        expansion = kind.expand(ws)
        if expansion is not None:
            sections[section] = expansion.entries
            origins.update(expansion.origins)
    return attrs.evolve(ws, sections=sections), origins


def _record_paths(ws: Workspace) -> dict[str, tuple[str, str]]:
    paths: dict[str, tuple[str, str]] = {}
    for kind in KINDS:
        for address, path in kind.config_addresses(ws):
            paths.setdefault(address, ws.locate(path))
    return paths


def load_workspace(
    path: str | Path, *, name: str | None = None, env: Mapping[str, str] | None = None
) -> Workspace:
    """Load, merge, substitute, structure and validate one workspace file.

    ``name`` defaults to the file stem and ``env`` (for ``${env:NAME}``) to ``os.environ``.
    Raises ConfigError for the first problem in document order.
    """
    path = Path(path)
    display = os.fspath(path)
    with bulk():
        unresolved, root = load_tree(path, display, [])
        check_env_only(unresolved, root)
        doc = substitute(unresolved, root, os.environ if env is None else env)
        _resolve_file_fields(doc, root)
        ws = structure(doc, root, name=name if name is not None else path.stem, source=display)
        ws, generated = _expand(ws)
        ws = attrs.evolve(ws, paths={**_record_paths(ws), **generated}, unresolved=unresolved)
        errors = validate_workspace(ws, doc=doc)
    if errors:
        raise errors[0]
    return ws


def state_setting(path: str | Path, env: Mapping[str, str] | None = None) -> str | None:
    """The workspace file's ``kinde.state`` (shared parts merged, references substituted), read
    without loading the rest, so commands that only touch the state need no other secret set."""
    path = Path(path)
    doc, root = load_tree(path, os.fspath(path), [])
    kinde = doc.get("kinde")
    if not isinstance(kinde, dict) or kinde.get("state") is None:
        return None
    only = {"variables": doc.get("variables") or {}, "kinde": {"state": kinde["state"]}}
    value = substitute(only, root, os.environ if env is None else env)["kinde"]["state"]
    if not isinstance(value, str):
        file, where = root.locate(("kinde", "state"))
        raise ConfigError("expected a string: a state file path or a postgresql:// URL", file=file, path=where)
    return value


def _extends_targets(path: Path) -> list[Path]:
    """Files ``path`` extends, resolved; unreadable files extend nothing (loading reports them)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return []
    refs = raw.get("$extends") if isinstance(raw, dict) else None
    if isinstance(refs, str):
        refs = [refs]
    if not isinstance(refs, list):
        return []
    targets = []
    for ref in refs:
        if isinstance(ref, str) and ref:
            try:
                targets.append((path.parent / ref).resolve())
            except (OSError, ValueError):
                continue
    return targets


def discover_workspaces(base_dir: str | Path = "environments") -> list[Path]:
    """Every workspace file in ``base_dir``, sorted by name.

    A ``*.json`` file is a shared part, not a workspace, when its name starts with ``_`` or some
    other file in ``base_dir`` names it in ``$extends``. A missing directory has no workspaces.
    """
    base = Path(base_dir)
    if not base.is_dir():
        return []
    files = sorted(p for p in base.glob("*.json") if p.is_file())
    extended: set[Path] = set()
    for f in files:
        me = f.resolve()
        extended.update(t for t in _extends_targets(f) if t != me)
    return [f for f in files if not f.name.startswith("_") and f.resolve() not in extended]
