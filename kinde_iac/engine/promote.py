"""``kinde-iac promote --from A --to B [ADDRESS...] [--all] [--dry-run]``: write objects' definitions
from workspace A into workspace B's file, so that B's effective definition equals A's, ready for a
pull request whose plan (``plan -w B``) shows exactly the promoted change.

Never copied: secret values (a secret written literally in A is refused), per-environment variables
(references are copied as references; one B lacks is refused, named), ``protect`` (each environment
keeps its own). B's shared parts are never edited, and B's file keeps its ``$extends``, variables and
layout. The result is checked before it is written: B must still load and validate, and every named
object must then compare equal.
"""
from __future__ import annotations

import difflib
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from kinde_iac.config.extends import load_layers
from kinde_iac.config.model import Workspace
from kinde_iac.config.provenance import MISSING, references, value_at, variables_of
from kinde_iac.engine.envdiff import EnvDiff, compare, registry_order, select
from kinde_iac.engine.envsides import SideSpec, config_side, entry_paths, load_config
from kinde_iac.engine.promote_edits import PromoteError, TargetFile, nested_list, rebase
from kinde_iac.errors import ConfigError
from kinde_iac.jsonpath import format_path
from kinde_iac.resources import BY_NAME, Resource


@attrs.frozen
class Promotion:
    source: str
    target: str
    file: str
    #: Objects whose definition was written into the target's file, and objects removed from it.
    promoted: tuple[str, ...]
    removed: tuple[str, ...]
    #: Named objects that needed nothing, with the reason.
    unchanged: tuple[tuple[str, str], ...]
    #: Objects only the target defines, left alone by ``--all``.
    kept: tuple[str, ...]
    before: str
    after: str
    written: bool

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def unified_diff(self) -> str:
        name = self.file.replace(os.sep, "/")
        lines = difflib.unified_diff(self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
                                     fromfile=f"a/{name}", tofile=f"b/{name}")
        # as git and patch write a last line without a line end
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _differences(diff: EnvDiff) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """Address -> (differs beyond variables, the variables it differs by)."""
    out = {}
    for o in diff.objects:
        real = o.presence != "both" or any(not f.variables for f in o.fields)
        out[o.address] = (real, tuple(sorted({v for f in o.fields for v in f.variables})))
    return out


@attrs.define
class _Run:
    source: Workspace
    target: Workspace
    file: TargetFile
    a: dict[str, Resource]
    b: dict[str, Resource]
    a_paths: dict[str, tuple[str | int, ...]]
    b_paths: dict[str, tuple[str | int, ...]]

    def entry(self, ws: Workspace, path: tuple[str | int, ...]) -> dict[str, Any]:
        found = value_at(ws.unresolved, path)
        if not isinstance(found, dict) or not isinstance(found.get("key"), str):
            raise PromoteError(f"no entry is written at {format_path(path)} of {ws.name}'s configuration")
        return found

    def parent(self, address: str, *, source: bool) -> str | None:
        """The object ``address`` is written inside (an API for its scope), in the source or target."""
        paths = self.a_paths if source else self.b_paths
        path = paths.get(address)
        if path is None or len(path) <= 2:
            return None
        return next((x for x, p in paths.items() if p == path[:2]), None)

    def generated(self, address: str, *, source: bool) -> bool:
        """Whether the object is made from a document its parent names, not written in the config."""
        ws, paths = (self.source, self.a_paths) if source else (self.target, self.b_paths)
        path = paths.get(address)
        return path is not None and not isinstance(value_at(ws.unresolved, path), dict)

    def copied(self, address: str) -> dict[str, Any]:
        """The source's definition of ``address`` as written, with paths to files rebased onto the
        target's file."""
        path = self.a_paths.get(address)
        found = None if path is None else value_at(self.source.unresolved, path)
        if path is None or not isinstance(found, dict):
            raise PromoteError(f"{address} is not written in {self.source.name}'s configuration (it is "
                               f"generated): promote the object it is generated from")
        entry = dict(found)
        for name in BY_NAME[self.a[address].kind].file_fields:
            if isinstance(entry.get(name), str):
                origin, _ = self.source.locate(path + (name,))
                entry[name] = rebase(entry[name], origin, self.file.display)
        return entry

    def copy(self, address: str) -> None:
        path, entry = self.a_paths[address], self.copied(address)
        if len(path) == 2:
            self.file.write(address, str(path[0]), str(entry["key"]), entry)
        else:
            self.file.write(address, *self._nested(address, path, entry))

    def _nested(self, address: str, path: tuple[str | int, ...], element: dict[str, Any] | None
                ) -> tuple[str, str, dict[str, Any]]:
        section, field = str(path[0]), str(path[2])
        side = self.source if element is not None else self.target
        parent_key = str(self.entry(side, path[:2])["key"])
        parent = self.file.effective(section, parent_key)
        if parent is None:
            raise PromoteError(f"{address} belongs to an object {self.target.name} does not define; "
                               f"promote that object too")
        key = str((element or self.entry(self.target, path))["key"])
        return section, parent_key, {**parent, field: nested_list(list(parent.get(field) or []), key, element)}

    def remove(self, address: str) -> None:
        path = self.b_paths[address]
        if len(path) == 2:
            self.file.remove(address, str(path[0]), str(self.entry(self.target, path)["key"]))
        else:
            section, key, entry = self._nested(address, path, None)
            self.file.write(address, section, key, entry)


def _check_copy(run: _Run, address: str, copied: set[str]) -> None:
    a, b = run.source.name, run.target.name
    entry = run.copied(address)
    have = variables_of(run.target)
    for name in references(entry):
        if name not in have:
            raise PromoteError(f"cannot promote {address}: its definition in {a} uses variable {name!r}, "
                               f"which {b} does not define; add it to {b}'s \"variables\" first "
                               f"(promote never copies per-environment variables)")
    resource = run.a[address]
    kind = BY_NAME[resource.kind]
    for name in sorted(kind.sensitive_fields(resource.attributes)):
        value = entry.get(name)
        current = run.b.get(address)
        if isinstance(value, str) and "${" not in value and (current is None or value != _written(run, address, name)):
            raise PromoteError(f"cannot promote {address}: {a} writes its secret {name!r} as a literal value, and "
                               f"promote never copies secret values; write it as ${{env:NAME}} in {a}, or set it "
                               f"in {b} yourself")
    for dep in resource.depends_on:
        # an object written inside another (a scope in its API) comes with it
        if dep not in run.b and dep not in copied and run.parent(dep, source=True) not in copied:
            raise PromoteError(f"cannot promote {address}: it needs {dep}, which {b} does not define; "
                               f"promote it too")


def _written(run: _Run, address: str, name: str) -> Any:
    path = run.b_paths.get(address)
    return MISSING if path is None else value_at(run.target.unresolved, path + (name,))


def _check_remove(run: _Run, address: str, removed: set[str]) -> None:
    users = [r.address for r in run.b.values() if address in r.depends_on and r.address not in removed]
    if users:
        raise PromoteError(f"cannot remove {address} from {run.target.name}: {', '.join(sorted(users))} "
                           f"still use it; name them too")


def _verify(run: _Run, text: str, names: Sequence[str], environ: Mapping[str, str] | None) -> None:
    """Load the edited file as the target workspace (beside the real one, so ``$extends`` resolves
    alike) and require every named object to compare equal."""
    path = run.file.path
    temp = path.with_name(f".{path.name}.promote")
    temp.write_bytes(text.encode("utf-8"))
    try:
        try:
            ws = load_config(SideSpec(run.target.name, temp, live=False), environ)
        except ConfigError as err:
            where = err.file if err.file != os.fspath(temp) else run.file.display
            detail = ": ".join(p for p in (where, err.path, err.message) if p)
            raise PromoteError(f"promote would leave {run.file.display} invalid: {detail}") from None
        after = compare(config_side(run.source), config_side(ws), ignore_variables=True)
        left = [o.address for o in after.objects if o.address in names]
        if left:
            raise PromoteError(f"promote could not make {', '.join(left)} equal in {run.target.name}; "
                               f"edit {run.file.display} by hand")
    finally:
        temp.unlink(missing_ok=True)


def _selection(run: _Run, diff: Mapping[str, tuple[bool, tuple[str, ...]]], addresses: Sequence[str],
               every: bool) -> tuple[list[str], tuple[str, ...], dict[str, str]]:
    """(objects to promote in registry order, objects ``--all`` keeps, generated objects that come
    with their named parent -> that parent)."""
    if every:
        names = [x for x, (real, _) in diff.items() if real and x in run.a]
        kept = tuple(x for x in diff if x not in run.a)
    else:
        union = sorted(set(run.a) | set(run.b), key=registry_order)
        names = select(union, addresses, f"{run.source.name} or {run.target.name}")
        kept = ()
    follows: dict[str, str] = {}
    for address in names:
        in_source = address in run.a
        if run.generated(address, source=in_source):
            parent = run.parent(address, source=in_source) or "its parent"
            if parent not in names:
                side = run.source if in_source else run.target
                raise PromoteError(f"{address} is generated from a document {parent} names in {side.name}'s "
                                   f"configuration, not written there: promote {parent}")
            follows[address] = parent
    return [x for x in names if x not in follows], kept, follows


def promote(source: SideSpec, target: SideSpec, addresses: Sequence[str] = (), *, every: bool = False,
            dry_run: bool = False, environ: Mapping[str, str] | None = None) -> Promotion:
    if source.live or target.live:
        raise PromoteError("promote copies configuration between workspace files; it does not take :live")
    if bool(addresses) == every:
        raise PromoteError("name the objects to promote (ADDRESS...), or give --all to promote every object "
                           "that differs")
    a_ws, b_ws = load_config(source, environ), load_config(target, environ)
    if os.path.realpath(a_ws.source) == os.path.realpath(b_ws.source):
        raise PromoteError(f"--from and --to name the same file, {b_ws.source}")
    a_side, b_side = config_side(a_ws), config_side(b_ws)
    diff = _differences(compare(a_side, b_side))
    run = _Run(source=a_ws, target=b_ws, file=TargetFile(target.config, load_layers(target.config, b_ws.source)[1]),
               a=a_side.resources, b=b_side.resources, a_paths=entry_paths(a_ws), b_paths=entry_paths(b_ws))
    names, kept, follows = _selection(run, diff, addresses, every)
    names.sort(key=registry_order)
    copies = {x for x in names if x in run.a}
    for address in names:
        if address in copies:
            _check_copy(run, address, copies)
        else:
            _check_remove(run, address, set(names) - copies)
    promoted: list[str] = []
    removed: list[str] = []
    unchanged = [(x, f"generated from a document {p} names; it comes with {p}") for x, p in follows.items()]
    for address in names:
        before = run.file.text
        if address in copies:
            run.copy(address)
        else:
            run.remove(address)
        if run.file.text != before:
            (promoted if address in copies else removed).append(address)
        else:
            real, variables = diff.get(address, (False, ()))
            why = (f"differs only by variable{'s' if len(variables) > 1 else ''} {', '.join(variables)}: each "
                   f"workspace keeps its own value" if variables and not real else "already the same")
            unchanged.append((address, why))
    after = run.file.text
    if after != run.file.before:
        _verify(run, after, [*names, *follows], environ)
    written = not dry_run and after != run.file.before
    if written:
        _write(target.config, after)
    return Promotion(source=a_ws.name, target=b_ws.name, file=run.file.display, promoted=tuple(promoted),
                     removed=tuple(removed), unchanged=tuple(unchanged), kept=kept, before=run.file.before,
                     after=after, written=written)


def _write(path: Path, text: str) -> None:
    """Replace the file at once (a reader never sees half of it), keeping its permissions."""
    temp = path.with_name(f".{path.name}.promote-new")
    temp.write_bytes(text.encode("utf-8"))
    shutil.copymode(path, temp)
    os.replace(temp, path)
