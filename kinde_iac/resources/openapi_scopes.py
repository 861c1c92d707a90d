"""API scopes generated from an OpenAPI 3.x or Swagger 2 document, by the rule Kinde documents for
its dashboard import (custom-api-scopes): one scope per operation under ``paths``, named
``{method}:{normalized_path}``, described by ``summary``, else ``operationId``, else ``METHOD /path``.

Kinde has no Management API endpoint for that import, so kinde-iac generates the same scopes itself
and manages them like hand-written ones (see docs/openapi-scopes.md).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import attrs
import yaml

from kinde_iac.errors import ConfigError
from kinde_iac.jsonpath import format_path, quote

#: Kinde refuses larger uploads ("Maximum file size: 20MB"); read as MiB, the larger reading.
MAX_BYTES = 20 * 1024 * 1024
#: The operations Kinde turns into scopes, in the order OpenAPI lists them.
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: Kinde's limit for a scope key.
KEY_MAX = 64
#: Hex digits of sha256 kept in a shortened name: 2**32 values, ample for one API's operations.
HASH_HEX = 8
#: Scope names Kinde reserves and skips on import (its docs name openid, profile and offline_access
#: "such as"; email is the other OpenID Connect scope Kinde issues). A generated name always has a
#: ``method:`` prefix, so this is a guard should the naming rule ever allow one through.
RESERVED = frozenset({"openid", "profile", "email", "offline_access"})


class OpenApiError(ConfigError):
    """A document that cannot be read or is not an OpenAPI/Swagger document; names the file and,
    when known, the JSON path inside it."""


@attrs.frozen
class GeneratedScope:
    key: str
    description: str
    #: The operation it came from, as written: ``GET``, ``/users/{userId}``.
    method: str
    path: str

    @property
    def origin(self) -> str:
        """Where in the document the operation is (``$.paths["/users/{userId}"].get``)."""
        return format_path(("paths", self.path, self.method.lower()))


@attrs.frozen
class SkippedOperation:
    method: str
    path: str
    key: str
    reason: str


@attrs.frozen
class Generation:
    """Every scope one document generates, in document order, and the operations left out."""

    source: str
    scopes: tuple[GeneratedScope, ...]
    skipped: tuple[SkippedOperation, ...] = ()


# --------------------------------------------------------------------------- naming


def normalize_path(path: str) -> str:
    """``/users/{userId}`` -> ``users_userid``: leading ``/`` dropped, braces dropped, ``/`` -> ``_``."""
    return path.removeprefix("/").replace("{", "").replace("}", "").replace("/", "_").lower()


def shorten(name: str) -> str:
    """Names over 64 characters keep their start and end in 8 hex digits of the full name's sha256,
    so they are the same on every machine and two long names sharing a prefix still differ."""
    if len(name) <= KEY_MAX:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:HASH_HEX]
    return f"{name[:KEY_MAX - HASH_HEX - 1]}_{digest}"


def scope_name(method: str, path: str) -> str:
    return shorten(f"{method.lower()}:{normalize_path(path)}")


# --------------------------------------------------------------------------- reading


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Plain scalars stay strings, as in the YAML 1.2 JSON schema OpenAPI uses: PyYAML's YAML 1.1
    rules would read ``summary: on`` as true and ``operationId: 2024-01-01`` as a date."""

    yaml_implicit_resolvers: ClassVar[dict[str, Any]] = {}


_Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"),
                              ["~", "n", "N", ""])


def _parse(text: str, display: str, suffix: str) -> Any:
    as_json = suffix == ".json" or (suffix not in (".yaml", ".yml") and text.lstrip().startswith("{"))
    try:
        if as_json:
            return json.loads(text)
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except json.JSONDecodeError as exc:
        raise OpenApiError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                           file=display) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise OpenApiError(f"invalid YAML{where}: {exc.problem or exc.context or 'cannot parse'}",
                           file=display) from None
    except (yaml.YAMLError, ValueError) as exc:
        raise OpenApiError(f"cannot parse: {exc}", file=display) from None
    except RecursionError:
        raise OpenApiError("nested too deeply to parse", file=display) from None


def read_document(path: str | Path) -> Any:
    """The parsed document (JSON or YAML by extension, else by its first character)."""
    display = str(path)
    if "://" in display:
        raise OpenApiError("only local files can be used; kinde-iac does not download documents", file=display)
    p = Path(path)
    try:
        if p.is_dir():
            raise OpenApiError("is a directory, not an OpenAPI document", file=display)
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise OpenApiError(f"is {size / 1024 / 1024:.1f} MB; OpenAPI documents of at most 20 MB can be "
                               f"imported (Kinde's limit)", file=display)
        with p.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # the file may have grown since stat()
    except FileNotFoundError:
        raise OpenApiError("file not found", file=display) from None
    except OSError as exc:
        raise OpenApiError(f"cannot read file: {exc.strerror or exc}", file=display) from None
    if len(data) > MAX_BYTES:
        raise OpenApiError("is larger than 20 MB; OpenAPI documents of at most 20 MB can be imported",
                           file=display)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OpenApiError(f"not UTF-8 text (byte {exc.start})", file=display) from None
    return _parse(text, display, p.suffix.lower())


# --------------------------------------------------------------------------- generating


def _check_version(doc: Mapping[str, Any], display: str) -> None:
    openapi, swagger = doc.get("openapi"), doc.get("swagger")
    if isinstance(openapi, str) and openapi.startswith("3."):
        return
    # JSON may carry the Swagger version as a number; 2.0 and "2.0" mean the same document.
    if swagger is not None and str(swagger) == "2.0":
        return
    found = (f'"openapi": {quote(openapi)}' if openapi is not None
             else f'"swagger": {quote(swagger)}' if swagger is not None else 'no "openapi" or "swagger" field')
    raise OpenApiError(f'not an OpenAPI 3.x or Swagger 2.0 document ({found})', file=display, path="$")


def _resolve(doc: Mapping[str, Any], ref: Any, display: str, at: tuple[Any, ...]) -> Any:
    """A local ``$ref`` (``#/components/pathItems/x``); other documents are never fetched."""
    if not isinstance(ref, str) or not ref.startswith("#/"):
        raise OpenApiError(f"$ref {quote(ref)} points outside this document; bundle the document into one "
                           f"file first", file=display, path=format_path(at))
    node: Any = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or part not in node:
            raise OpenApiError(f"$ref {quote(ref)} does not resolve", file=display, path=format_path(at))
        node = node[part]
    return node


def _operations(doc: Mapping[str, Any], display: str) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(method, path, operation) for every operation under ``paths``, in document order."""
    paths = doc.get("paths")
    if not isinstance(paths, Mapping):
        problem = 'has no "paths" object' if paths is None else '"paths" must be an object'
        raise OpenApiError(problem, file=display, path="$.paths" if paths is not None else "$")
    for path, item in paths.items():
        at: tuple[Any, ...] = ("paths", path)
        if not isinstance(path, str) or path.startswith("x-"):
            continue  # specification extensions are not paths
        if not path.startswith("/"):
            raise OpenApiError(f'path {quote(path)} must start with "/"', file=display, path=format_path(at))
        if isinstance(item, Mapping) and "$ref" in item:
            target = _resolve(doc, item["$ref"], display, at + ("$ref",))
            if not isinstance(target, Mapping):
                raise OpenApiError("$ref must point at a path item object", file=display,
                                   path=format_path(at + ("$ref",)))
            item = {**target, **{k: v for k, v in item.items() if k != "$ref"}}
        if item is None:
            continue
        if not isinstance(item, Mapping):
            raise OpenApiError("expected a path item object", file=display, path=format_path(at))
        for method, operation in item.items():
            if not isinstance(method, str) or method.lower() not in METHODS:
                continue
            if not isinstance(operation, Mapping):
                raise OpenApiError("expected an operation object", file=display, path=format_path(at + (method,)))
            yield method, path, operation


def _text(operation: Mapping[str, Any], field: str, display: str, at: tuple[Any, ...]) -> str | None:
    value = operation.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise OpenApiError("expected a string", file=display, path=format_path(at + (field,)))
    return value.strip() or None


def generate(doc: Any, *, source: str = "<document>", reserved: frozenset[str] = RESERVED) -> Generation:
    """The scopes of an already parsed document. ``source`` names it in errors."""
    if not isinstance(doc, Mapping):
        raise OpenApiError("expected an OpenAPI document (an object at the top level)", file=source, path="$")
    _check_version(doc, source)
    scopes: list[GeneratedScope] = []
    skipped: list[SkippedOperation] = []
    first: dict[str, GeneratedScope] = {}
    for method, path, operation in _operations(doc, source):
        at = ("paths", path, method)
        key = scope_name(method, path)
        if any(c.isspace() for c in key):
            raise OpenApiError(f"gives the scope name {quote(key)}, but scope keys cannot contain whitespace",
                               file=source, path=format_path(at))
        upper = method.upper()
        if key in reserved:
            skipped.append(SkippedOperation(upper, path, key, "reserved scope name"))
            continue
        if key in first:
            other = first[key]
            skipped.append(SkippedOperation(upper, path, key, f"duplicate of {other.method} {other.path}"))
            continue
        description = (_text(operation, "summary", source, at) or _text(operation, "operationId", source, at)
                       or f"{upper} {path}")
        scope = GeneratedScope(key=key, description=description, method=upper, path=path)
        first[key] = scope
        scopes.append(scope)
    return Generation(source=source, scopes=tuple(scopes), skipped=tuple(skipped))


def generate_from_file(path: str | Path) -> Generation:
    """Read, check and generate; every problem is an :class:`OpenApiError` naming the file."""
    return generate(read_document(path), source=str(path))
