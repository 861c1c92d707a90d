"""Load a workspace: read JSON, resolve ``$extends``, substitute references, structure, validate.

Each stage keeps a ``SourceNode`` tree beside the document so that any error, however late it is
found, names the file and JSON path the user wrote.
"""

from __future__ import annotations

import json
import os
import typing
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.errors import (
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn

from kinde_iac.config import model
from kinde_iac.config.interpolate import substitute
from kinde_iac.config.model import FeatureFlag, FlagValue, Workspace
from kinde_iac.config.seed_format import (
    RESOURCE_KINDS,
    SEED_FIELD_ALIASES,
    normalise_file,
    suggest,
    type_name,
)
from kinde_iac.config.sources import JsonPath, SourceNode, document_position, format_path, quote
from kinde_iac.config.validate import validate_workspace
from kinde_iac.errors import ConfigError

#: Resource list -> address prefix (``role.admin``).
ADDRESS_PREFIX = {
    "applications": "application",
    "apis": "api",
    "permissions": "permission",
    "roles": "role",
    "feature_flags": "feature_flag",
    "env_vars": "env_var",
    "api_keys": "api_key",
}

#: Fields of a flag that Kinde keeps once per business, not per environment.
FLAG_DEFINITION_FIELDS = ("name", "description", "type", "default_value", "allow_override_level")


# --------------------------------------------------------------------------- reading JSON


class _DuplicateKeys(dict):  # type: ignore[type-arg]
    """A JSON object in which some key was written twice (json keeps only the last silently)."""

    duplicates: list[str]


def _object_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    dupes: list[str] = []
    for k, v in pairs:
        if k in obj:
            dupes.append(k)
        obj[k] = v
    if dupes:
        marked = _DuplicateKeys(obj)
        marked.duplicates = dupes
        return marked
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


#: Deeper nesting than any config needs; refusing it keeps every later (recursive) stage safe.
MAX_DEPTH = 32


def _check_structure(value: Any, display: str) -> None:
    """Reject keys written twice and absurd nesting, in document order."""
    stack: list[tuple[Any, JsonPath]] = [(value, ())]
    while stack:
        cur, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise ConfigError(
                f"nested more than {MAX_DEPTH} levels deep", file=display, path=format_path(path)
            )
        if isinstance(cur, _DuplicateKeys):
            key = cur.duplicates[0]
            raise ConfigError(
                f"key {quote(key)} is written twice in this object",
                file=display,
                path=format_path(path + (key,)),
            )
        items = cur.items() if isinstance(cur, dict) else enumerate(cur) if isinstance(cur, list) else ()
        stack.extend(reversed([(v, path + (k,)) for k, v in items]))


def read_json(path: Path, display: str) -> dict[str, Any]:
    """The top-level object of a JSON file; every failure is a ConfigError naming the file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", file=display) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a JSON file", file=display) from None
    except OSError as exc:
        raise ConfigError(f"cannot read file: {exc.strerror or exc}", file=display) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=display) from None
    try:
        value = json.loads(text, object_pairs_hook=_object_hook, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", file=display
        ) from None
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"invalid JSON: {exc}", file=display) from None
    if not isinstance(value, dict):
        raise ConfigError(
            f"expected a JSON object at the top level, got {type_name(value)}", file=display, path="$"
        )
    _check_structure(value, display)
    return value


# --------------------------------------------------------------------------- $extends


def _entry_key(entry: Any) -> str | None:
    return entry.get("key") if isinstance(entry, dict) and isinstance(entry.get("key"), str) else None


def _merge_dicts(
    base: dict[str, Any], bnode: SourceNode, over: dict[str, Any], onode: SourceNode
) -> tuple[dict[str, Any], SourceNode]:
    """Shallow merge: ``over``'s fields win, and their origins with them."""
    node = bnode.shallow_copy()
    node.children.update(onode.children)
    return {**base, **over}, node


def _merge_resources(
    base: list[Any], bnode: SourceNode, over: list[Any], onode: SourceNode
) -> tuple[list[Any], SourceNode]:
    """Merge by ``key``; an overriding entry changes the shared one field by field.

    Each shared entry is matched at most once, so a key written twice in one file survives as two
    entries and validation reports the duplicate instead of it vanishing in the merge.
    """
    out = list(base)
    node = SourceNode(onode.file, onode.path, dict(bnode.children))
    index = {}
    for i, entry in enumerate(base):
        key = _entry_key(entry)
        if key is not None and key not in index:
            index[key] = i
    for j, entry in enumerate(over):
        key = _entry_key(entry)
        target = index.pop(key, None) if key is not None else None
        if target is None:
            node.children[len(out)] = onode.children[j]
            out.append(entry)
        else:
            merged, mnode = _merge_dicts(out[target], node.children[target], entry, onode.children[j])
            out[target] = merged
            node.children[target] = mnode
    return out, node


def _merge_documents(
    base: dict[str, Any], bnode: SourceNode, over: dict[str, Any], onode: SourceNode
) -> tuple[dict[str, Any], SourceNode]:
    doc = dict(base)
    node = SourceNode(onode.file, (), dict(bnode.children))
    for key, value in over.items():
        if key == "$extends":
            continue
        vnode = onode.children[key]
        if key not in doc:
            doc[key] = value
            node.children[key] = vnode
        elif key in RESOURCE_KINDS:
            doc[key], node.children[key] = _merge_resources(doc[key], node.children[key], value, vnode)
        elif key in ("variables", "kinde"):
            doc[key], node.children[key] = _merge_dicts(doc[key], node.children[key], value, vnode)
        elif key == "ignore":
            # Rules only ever add up; a repeated rule is kept once.
            rules = list(doc[key])
            lnode = SourceNode(vnode.file, vnode.path, dict(node.children[key].children))
            for j, rule in enumerate(value):
                if rule not in rules:
                    lnode.children[len(rules)] = vnode.children[j]
                    rules.append(rule)
            doc[key], node.children[key] = rules, lnode
        else:
            doc[key] = value
            node.children[key] = vnode
    return doc, node


def _display_join(base_display: str, ref: str) -> str:
    return os.path.normpath(os.path.join(os.path.dirname(base_display), ref))


def _load_tree(path: Path, display: str, stack: list[tuple[Path, str]]) -> tuple[dict[str, Any], SourceNode]:
    """One file with all its shared parts merged underneath it, left to right."""
    doc, node = normalise_file(read_json(path, display), display)
    refs = doc.pop("$extends", None)
    if refs is None:
        return doc, node
    ext_node = node.children.pop("$extends")
    here = path.resolve()
    stack = [*stack, (here, display)]
    merged: dict[str, Any] = {}
    mnode = SourceNode(display, ())
    for i, ref in enumerate(refs):
        where = format_path(ext_node.path if not ext_node.children else ext_node.path + (i,))
        target = path.parent / ref
        target_display = _display_join(display, ref)
        try:
            resolved = target.resolve()
            is_file, exists = target.is_file(), target.exists()
        except (OSError, ValueError) as exc:  # a NUL byte, a name too long for the OS
            raise ConfigError(
                f"cannot use shared part {quote(ref)}: {exc}", file=display, path=where
            ) from None
        seen = [p for p, _ in stack]
        if resolved in seen:
            chain = [d for _, d in stack[seen.index(resolved) :]] + [target_display]
            raise ConfigError(f"$extends cycle: {' -> '.join(chain)}", file=display, path=where)
        if not is_file:
            problem = "is not a file" if exists else "not found"
            raise ConfigError(f"shared part {quote(target_display)} {problem}", file=display, path=where)
        part, pnode = _load_tree(target, target_display, stack)
        merged, mnode = _merge_documents(merged, mnode, part, pnode)
    return _merge_documents(merged, mnode, doc, node)


# --------------------------------------------------------------------------- structuring

_LITERAL_ORIGINS = (Literal,)


def _strict(kind: type, label: str) -> Callable[[Any, Any], Any]:
    def hook(value: Any, _: Any) -> Any:
        # bool is an int in Python; JSON true is not a number.
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            raise TypeError(f"expected {label}, got {type_name(value)}")
        return value

    return hook


def _structure_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {type_name(value)}")
    return float(value)


def _is_literal(t: Any) -> bool:
    return typing.get_origin(t) in _LITERAL_ORIGINS


def _literal_hook(t: Any) -> Callable[[Any, Any], Any]:
    allowed = typing.get_args(t)
    shown = ", ".join(json.dumps(a) for a in allowed)

    def hook(value: Any, _: Any) -> Any:
        if not any(value == a and type(value) is type(a) for a in allowed):
            got = json.dumps(value) if isinstance(value, (str, int, float, bool)) else type_name(value)
            raise ValueError(f"expected one of {shown}, got {got}")
        return value

    return hook


def _is_homogeneous_tuple(t: Any) -> bool:
    args = typing.get_args(t)
    return typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_hook(t: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner = homogenous_tuple_structure_factory(t, converter)

    def hook(value: Any, t2: Any) -> Any:
        # cattrs would turn a string into a tuple of characters.
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {type_name(value)}")
        return inner(value, t2)

    return hook


def _attrs_hook(cl: type, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner = make_dict_structure_fn(cl, converter, _cattrs_forbid_extra_keys=True)

    def hook(value: Any, t: Any) -> Any:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {type_name(value)}")
        return inner(value, t)

    return hook


def _flag_value(value: Any, t: Any) -> Any:
    if value is None and t != FlagValue:
        return None
    if not isinstance(value, (bool, int, str)):
        raise TypeError(f"expected a boolean, integer or string, got {type_name(value)}")
    return value


def make_converter() -> cattrs.Converter:
    """The one converter from config dicts to the model: strict scalars, no extra keys."""
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _strict(str, "a string"))
    conv.register_structure_hook(int, _strict(int, "an integer"))
    conv.register_structure_hook(bool, _strict(bool, "a boolean"))
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook_func(lambda t: t == FlagValue or t == FlagValue | None, _flag_value)
    conv.register_structure_hook_factory(_is_literal, _literal_hook)
    conv.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook)
    conv.register_structure_hook_factory(attrs.has, _attrs_hook)
    return conv


CONVERTER = make_converter()


def _field_names(cl: type) -> list[str]:
    return [f.name for f in attrs.fields(cl)]


_KIND_OF_CLASS = {
    model.Application: "applications",
    model.EnvVar: "env_vars",
}


def _leaf_errors(exc: BaseException, path: JsonPath) -> list[tuple[JsonPath, str]]:
    """Flatten cattrs' exception groups into (path in the document, message)."""
    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        with_notes, without = exc.group_exceptions()
        out: list[tuple[JsonPath, str]] = []
        for sub, note in with_notes:
            part = note.name if isinstance(exc, ClassValidationError) else note.index
            out.extend(_leaf_errors(sub, path + (part,)))
        for sub in without:
            out.extend(_leaf_errors(sub, path))
        return out
    if isinstance(exc, ForbiddenExtraKeysError):
        names = _field_names(exc.cl)
        aliases = SEED_FIELD_ALIASES.get(_KIND_OF_CLASS.get(exc.cl, ""), {})
        out = []
        for key in sorted(exc.extra_fields):
            hint = f" (did you mean {quote(aliases[key])}?)" if key in aliases else suggest(key, names)
            out.append((path + (key,), f"unknown key {quote(key)}{hint}"))
        return out
    if isinstance(exc, KeyError):
        return [(path, "required key is missing")]
    return [(path, str(exc))]


def structure(doc: dict[str, Any], root: SourceNode, *, name: str, source: str) -> Workspace:
    """The merged, substituted document -> Workspace; the first problem in document order raises."""
    try:
        return CONVERTER.structure({"name": name, "source": source, **doc}, Workspace)
    except BaseValidationError as exc:  # cattrs reports every failure through exception groups
        errors = _leaf_errors(exc, ())
        if not errors:
            raise ConfigError(f"cannot read configuration: {exc}", file=source) from None
        path, message = min(errors, key=lambda e: document_position(doc, e[0]))
        file, where = root.locate(path)
        raise ConfigError(message, file=file, path=where) from None


# --------------------------------------------------------------------------- public API


def workspace_file(workspace: str, base_dir: str | Path = "environments") -> Path:
    """``environments/<workspace>.json``."""
    if not workspace or workspace in (".", "..") or "/" in workspace or os.sep in workspace:
        raise ConfigError(f"invalid workspace name {quote(workspace)}: use a file name without a directory")
    return Path(base_dir) / f"{workspace}.json"


def _resolve_openapi(doc: dict[str, Any], root: SourceNode) -> None:
    """OpenAPI paths are written relative to the file that names them, like ``$extends``;
    rewrite them so later stages can open them from the working directory."""
    for i, api in enumerate(doc.get("apis") or []):
        if not isinstance(api, dict):
            continue
        ref = api.get("openapi")
        if not isinstance(ref, str) or not ref or os.path.isabs(ref) or "://" in ref:
            continue
        file, _ = root.locate(("apis", i, "openapi"))
        api["openapi"] = _display_join(file, ref)


def _expand_openapi(ws: Workspace, root: SourceNode) -> tuple[Workspace, dict[str, tuple[str, str]]]:
    """Each API's ``openapi`` document adds its generated scopes after the hand-written ones, so
    validation, roles and API keys see them like any other scope. Returns the workspace and where
    each generated scope comes from (the document and the operation's path in it)."""
    from kinde_iac.config.openapi_scopes import OpenApiError, generate_from_file  # it imports config.sources

    apis, origins = [], {}
    for i, api in enumerate(ws.apis):
        if not api.openapi:
            apis.append(api)
            continue
        try:
            generation = generate_from_file(api.openapi)
        except OpenApiError as err:
            file, where = root.locate(("apis", i, "openapi"))
            raise ConfigError(f"cannot generate scopes from OpenAPI document: {err}", file=file, path=where) from None
        hand_written = {s.key: j for j, s in enumerate(api.scopes)}
        for scope in generation.scopes:
            if scope.key in hand_written:
                file, where = root.locate(("apis", i, "scopes", hand_written[scope.key]))
                raise ConfigError(
                    f"scope {quote(scope.key)} is written here and also generated from {api.openapi} "
                    f"({scope.method} {scope.path}); remove one of them", file=file, path=where)
            origins[f"api_scope.{api.key}/{scope.key}"] = (generation.source, scope.origin)
        generated = tuple(model.ApiScope(key=s.key, description=s.description) for s in generation.scopes)
        apis.append(attrs.evolve(api, scopes=api.scopes + generated))
    return attrs.evolve(ws, apis=tuple(apis)), origins


def _record_paths(ws: Workspace, root: SourceNode) -> dict[str, tuple[str, str]]:
    paths: dict[str, tuple[str, str]] = {}
    for kind, prefix in ADDRESS_PREFIX.items():
        for i, res in enumerate(getattr(ws, kind)):
            paths.setdefault(f"{prefix}.{res.key}", root.locate((kind, i)))
    for i, api in enumerate(ws.apis):
        for j, scope in enumerate(api.scopes):
            paths.setdefault(f"api_scope.{api.key}/{scope.key}", root.locate(("apis", i, "scopes", j)))
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
    doc, root = _load_tree(path, display, [])
    doc = substitute(doc, root, os.environ if env is None else env)
    _resolve_openapi(doc, root)
    ws = structure(doc, root, name=name if name is not None else path.stem, source=display)
    ws, generated = _expand_openapi(ws, root)
    ws = attrs.evolve(ws, paths={**_record_paths(ws, root), **generated})
    errors = validate_workspace(ws, root=root, doc=doc)
    if errors:
        raise errors[0]
    _remember_sources(ws, root)
    return ws


# Field-level origins of loaded workspaces, for checks across workspaces (``paths`` only records
# entries). Keyed by id and dropped with the workspace, so it never outlives or confuses it.
_SOURCES: dict[int, tuple[weakref.ref[Workspace], SourceNode]] = {}


def _remember_sources(ws: Workspace, root: SourceNode) -> None:
    key = id(ws)
    _SOURCES[key] = (weakref.ref(ws), root)
    weakref.finalize(ws, _SOURCES.pop, key, None)


def locate(ws: Workspace, path: JsonPath) -> tuple[str, str]:
    """(file, JSON path) where the value at ``path`` of a loaded workspace was written.

    ``path`` indexes the workspace's lists (``("feature_flags", 0, "name")``). Workspaces not made
    by ``load_workspace`` fall back to ``ws.source`` and the path itself.
    """
    entry = _SOURCES.get(id(ws))
    if entry is not None and entry[0]() is ws:
        return entry[1].locate(path)
    return ws.source, format_path(path)


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


def _flag_value_text(flag_type: str, value: Any) -> Any:
    """Kinde stores defaults as strings: ``true`` and ``"true"`` are the same definition."""
    if flag_type == "bool" and isinstance(value, bool):
        return "true" if value else "false"
    if flag_type == "int" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if flag_type == "int" and isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return str(int(value))
    return value


def _definition(flag: FeatureFlag) -> dict[str, Any]:
    d = {f: getattr(flag, f) for f in FLAG_DEFINITION_FIELDS}
    d["default_value"] = _flag_value_text(flag.type, flag.default_value)
    return d


def check_flag_definitions(workspaces: Sequence[Workspace]) -> list[ConfigError]:
    """Feature flag definitions are business-wide in Kinde, so every workspace must agree on them.

    Reports one error per flag, workspace and field that differs from the first workspace defining
    the flag; the per-environment ``value`` may differ freely. A flag missing from a workspace is
    not a disagreement here.
    """
    errors: list[ConfigError] = []
    first: dict[str, tuple[Workspace, int, FeatureFlag]] = {}
    for ws in workspaces:
        for i, flag in enumerate(ws.feature_flags):
            if flag.key not in first:
                first[flag.key] = (ws, i, flag)
                continue
            ref_ws, ref_i, ref = first[flag.key]
            ref_def, this_def = _definition(ref), _definition(flag)
            for field in FLAG_DEFINITION_FIELDS:
                if ref_def[field] == this_def[field]:
                    continue
                ref_at = ": ".join(locate(ref_ws, ("feature_flags", ref_i, field)))
                file, where = locate(ws, ("feature_flags", i, field))
                errors.append(
                    ConfigError(
                        f"feature flag {quote(flag.key)} is defined differently by workspace {ws.source} "
                        f"({field} = {json.dumps(getattr(flag, field))}) and by workspace {ref_ws.source} "
                        f"({field} = {json.dumps(getattr(ref, field))} at {ref_at}); flag definitions are "
                        f"business-wide in Kinde: keep them in a shared part and override only "
                        f'"value" per workspace',
                        file=file,
                        path=where,
                    )
                )
    return errors
