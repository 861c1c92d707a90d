"""Authentication connections: ``connection.<key>``, natural key ``name``. Kinde cannot change a
connection's strategy (another identity provider is another connection), so a new strategy
replaces it.

Each option is its own attribute (``options.client_id``), compared only when the config writes
it: options left out are not managed. The secret options (``client_secret``,
``saml_signing_private_key``) are written only as ``${env:NAME}``; Kinde never returns them, so
state keeps a salted hash and a change is found against the last apply.

Which applications use a connection is owned by the application (``applications[].connections``),
never by the connection. Kinde's built-in connections (``connection_options.is_builtin``) are not
objects of this kind: applications reference them by name.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from kinde_iac.jsonpath import JsonPath, quote
from kinde_iac.resources import connection_options as opts
from kinde_iac.resources.base import (
    Field,
    Kind,
    ReadContext,
    Resource,
    WriteContext,
    compact,
    delete_if_present,
    slug_key,
)
from kinde_iac.resources.checks import duplicates, key_problem, url_problem
from kinde_iac.resources.connection_options import ConnectionOptions, Strategy
from kinde_iac.resources.kind_config import Issue, SchemaRefs, WorkspaceView

SECTION = "connections"
PATH = "/api/v1/connections"
#: A whole-string ``${env:NAME}``: the only way a secret option may be written.
ENV_REFERENCE = r"^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$"
PREFIX = "options."


# One entry of "connections".
@attrs.frozen
class Connection:
    key: str
    #: The internal name; kinde-iac adopts a live connection by it.
    name: str
    #: The name users see on the sign-in page.
    display_name: str
    strategy: Strategy
    options: ConnectionOptions = attrs.field(factory=ConnectionOptions)
    protect: bool = False


def option_attributes(options: Mapping[str, Any]) -> dict[str, Any]:
    """Options (by their Kinde names) as resource attributes (``options.<name>``)."""
    return {PREFIX + name: value for name, value in options.items()}


def env_name(key: str, option: str) -> str:
    """The environment variable an export names for a secret option of connection ``key``."""
    return "CONNECTION_" + re.sub(r"[^A-Z0-9]+", "_", f"{key}_{option}".upper()).strip("_")


class ConnectionKind(Kind):
    name = "connection"
    config_section = SECTION
    entry_type = Connection
    env_only_fields = tuple(("options", secret) for secret in opts.SECRETS)
    fields = (
        Field("name"),
        Field("display_name"),
        Field("strategy", replace=True),
        *(Field(PREFIX + o, optional=True, is_set=o in opts.SETS) for o in opts.NAMES),
    )

    # -- config ---------------------------------------------------------------------------------
    def check(self, workspace: WorkspaceView) -> Iterator[Issue]:
        connections: tuple[Connection, ...] = self.entries(workspace)
        for i, conn in enumerate(connections):
            base: JsonPath = (SECTION, i)
            if problem := key_problem(conn.key, what="connection key"):
                yield base + ("key",), problem
            for field in ("name", "display_name"):
                if not getattr(conn, field):
                    yield base + (field,), f"{field} must not be empty"
            yield from self._check_options(base + ("options",), conn)
        yield from duplicates(workspace, "connection key", [((SECTION, i), c.key) for i, c in enumerate(connections)])
        # Kinde allows two connections with one name, but kinde-iac adopts connections by name.
        yield from duplicates(workspace, "connection name",
                              [((SECTION, i, "name"), c.name) for i, c in enumerate(connections)])

    def _check_options(self, base: JsonPath, conn: Connection) -> Iterator[Issue]:
        written = opts.given(conn.options)
        label, allowed = opts.variant(conn.strategy)
        for name in written:
            if name not in allowed:
                yield base + (name,), (f"option {quote(name)} does not apply to strategy {quote(conn.strategy)} "
                                       f"({label} options: {', '.join(sorted(allowed))})")
        if conn.strategy.startswith("oauth2:") and not written.get("client_id"):
            yield base + ("client_id",), ("a social connection needs options.client_id: without its own client id "
                                          "it would sign users in with Kinde's credentials, as Kinde's built-in "
                                          "connections do")
        for name in opts.URLS:
            if isinstance(written.get(name), str) and (problem := url_problem(written[name])):
                yield base + (name,), problem
        for j, domain in enumerate(conn.options.home_realm_domains or ()):
            if not domain or any(c.isspace() for c in domain):
                yield base + ("home_realm_domains", j), f"expected a domain such as \"@example.com\", got {quote(domain)}"

    def adjust_schema(self, schema: dict[str, Any], refs: SchemaRefs, partial: bool) -> dict[str, Any]:
        secrets = {name: {"type": "string", "pattern": ENV_REFERENCE,
                          "description": "Write-only secret: only as ${env:NAME}."} for name in opts.SECRETS}
        schema["properties"]["options"] = {"allOf": [refs.ref(ConnectionOptions)], "properties": secrets}
        return schema

    def desired(self, workspace: WorkspaceView) -> list[Resource]:
        connections: tuple[Connection, ...] = self.entries(workspace)
        return [
            Resource(kind=self.name, key=c.key, natural=(c.name,), protect=c.protect,
                     attributes={"name": c.name, "display_name": c.display_name, "strategy": c.strategy,
                                 **option_attributes(opts.given(c.options))})
            for c in connections
        ]

    def sensitive_fields(self, attributes: Mapping[str, Any]) -> frozenset[str]:
        return frozenset(PREFIX + s for s in opts.SECRETS)

    def default_key(self, natural: tuple[str, ...]) -> str:
        return slug_key(natural[0])

    def export_entry(self, resource: Resource) -> dict[str, Any]:
        a = resource.attributes
        options = {name: a[PREFIX + name] for name in opts.NAMES
                   if name not in opts.SECRETS and a.get(PREFIX + name) is not None}
        if "client_secret" in opts.variant(str(a.get("strategy")))[1]:
            # Kinde never returns the secret: the export names the variable that must supply it.
            options["client_secret"] = f"${{env:{env_name(resource.key, 'client_secret')}}}"
        return compact({"key": resource.key, "name": a.get("name"), "display_name": a.get("display_name"),
                        "strategy": a.get("strategy"), "options": options or None})

    # -- live -----------------------------------------------------------------------------------
    def _own(self, ctx: ReadContext | WriteContext) -> Iterator[dict[str, Any]]:
        return (i for i in ctx.client.paginate(PATH, "connections") if not opts.is_builtin(i))

    def read(self, ctx: ReadContext) -> list[Resource]:
        out = []
        for item in self._own(ctx):
            natural = (item["name"],)
            raw = item.get("options")
            live: dict[str, Any] = raw if isinstance(raw, dict) else {}
            options = {name: live[name] for name in opts.NAMES if name not in opts.SECRETS and live.get(name) is not None}
            for name in opts.SETS & set(options):
                options[name] = sorted(set(options[name]))
            out.append(Resource(kind=self.name, key=ctx.key_for(self.name, natural, item["id"]), natural=natural,
                                kinde_id=item["id"],
                                attributes={"name": item["name"], "display_name": item.get("display_name"),
                                            "strategy": item.get("strategy"), **option_attributes(options)}))
        return out

    def find(self, ctx: WriteContext, resource: Resource) -> str | None:
        matches = [i["id"] for i in self._own(ctx) if i.get("name") == resource.natural[0]]
        return matches[0] if len(matches) == 1 else None

    # -- writes ---------------------------------------------------------------------------------
    def _options(self, resource: Resource, names: frozenset[str] | None = None) -> dict[str, Any]:
        return {name: resource.attributes[PREFIX + name] for name in opts.NAMES
                if resource.attributes.get(PREFIX + name) is not None and (names is None or PREFIX + name in names)}

    def create(self, ctx: WriteContext, resource: Resource) -> str | None:
        a = resource.attributes
        body: dict[str, Any] = {"name": a["name"], "display_name": a["display_name"], "strategy": a["strategy"]}
        if options := self._options(resource):
            body["options"] = options
        reply = ctx.client.post(PATH, json=body)
        return (reply.get("connection") or {}).get("id") or self.find(ctx, resource)

    def update(self, ctx: WriteContext, resource: Resource, kinde_id: str | None,
               before: Mapping[str, Any], changed: frozenset[str]) -> None:
        # PATCH merges the options sent into Kinde's, so options (and secrets) not sent are kept.
        patch: dict[str, Any] = {k: resource.attributes[k] for k in ("name", "display_name") if k in changed}
        if options := self._options(resource, changed):
            patch["options"] = options
        if patch:
            ctx.client.patch(f"{PATH}/{kinde_id}", json=patch, retry_ambiguous=True)

    def delete(self, ctx: WriteContext, resource: Resource, kinde_id: str | None) -> None:
        delete_if_present(ctx, f"{PATH}/{kinde_id}")


class ConnectionIds:
    """Kinde ids of the connections an application names: keys of this workspace's connections (or
    of unmanaged ones, as drift and export name them), or names of Kinde's built-in connections.
    Kinde is listed at most once, and only for a name that is not a known key."""

    def __init__(self, ctx: WriteContext) -> None:
        self._ctx = ctx
        self._live: list[dict[str, Any]] | None = None

    def __call__(self, ref: str) -> str | None:
        try:
            return self._ctx.id_of(f"connection.{ref}")
        except KeyError:
            pass
        if self._live is None:
            self._live = list(self._ctx.client.paginate(PATH, "connections"))
        for builtin in (True, False):
            for item in self._live:
                if opts.is_builtin(item) != builtin:
                    continue
                named = item.get("name") if builtin else slug_key(str(item.get("name")))
                if ref in (named, item.get("id")):
                    return str(item["id"])
        return None
