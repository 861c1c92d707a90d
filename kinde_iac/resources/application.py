"""Applications: ``application.<key>`` with redirect and logout URL sets, sign-in settings, token
lifetimes and the set of connections users may sign in with as attributes.

Kinde does not keep names unique, so adoption by name only happens on a single match. Which
connections an application offers is owned here only (never by the connection), read per
application and written with the application connection endpoints.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Literal

import attrs

from kinde_iac.errors import ApiError, KindeIacError
from kinde_iac.jsonpath import JsonPath, quote
from kinde_iac.resources.application_settings import (
    CONNECTION_TYPES,
    SETTINGS,
    Tokens,
    connection_issues,
    read_settings,
    token_attribute,
    token_issues,
)
from kinde_iac.resources.base import (
    Field,
    Kind,
    ReadContext,
    Resource,
    WriteContext,
    compact,
    delete_if_present,
    ignore_not_found,
    set_diff,
    slug,
    slug_key,
)
from kinde_iac.resources.checks import duplicates, key_problem, name_problem, url_problem
from kinde_iac.resources.connection import SECTION as CONNECTIONS
from kinde_iac.resources.connection import ConnectionIds
from kinde_iac.resources.connection_options import is_builtin
from kinde_iac.resources.kind_config import ConfigEntry, Issue, SeedKey, WorkspaceView

PATH = "/api/v1/applications"
SECTION = "applications"
#: The seed guide writes a single application as an object, without a key.
SEED_APPLICATION = SeedKey(
    "application", single=True, key_from="name",
    description="The seed guide's single application; its key is a slug of its name unless given.",
)


# One entry of "applications" (no docstring: the JSON Schema shows none for it).
@attrs.frozen
class Application:
    key: str
    name: str
    type: Literal["reg", "spa", "m2m", "device"] = "reg"
    login_uri: str | None = None
    homepage_uri: str | None = None
    redirect_urls: tuple[str, ...] = ()
    logout_urls: tuple[str, ...] = ()
    # Sign-in settings: left out (null), Kinde's value stays as it is.
    is_allow_faceless_auth: bool | None = None
    is_ask_for_name: bool | None = None
    has_marketing_consent: bool | None = None
    has_sign_in_link_on_sign_up_page: bool | None = None
    has_register_link_on_sign_in_page: bool | None = None
    has_sign_in_with_sso_button: bool | None = None
    use_gravatar_fallback: bool | None = None
    #: Token and session lifetimes in seconds; Kinde cannot return them.
    tokens: Tokens | None = None
    #: Keys of connections in "connections", or names of Kinde's built-in connections; left out,
    #: the application's connections are not managed.
    connections: tuple[str, ...] | None = None
    protect: bool = False


class ApplicationKind(Kind):
    name = "application"
    config_section = SECTION
    entry_type = Application
    seed_keys = (SEED_APPLICATION,)
    seed_field_aliases = MappingProxyType({"redirectUrls": "redirect_urls", "logoutUrls": "logout_urls"})
    natural_fields = ("name",)
    fields = (
        Field("name"),
        Field("type", replace=True),
        Field("login_uri", unclearable=True),
        Field("homepage_uri", unclearable=True),
        Field("redirect_urls", is_set=True),
        Field("logout_urls", is_set=True),
        *(Field(name, optional=True) for name in SETTINGS),
        Field("tokens", unreadable=True, optional=True),
        Field("connections", is_set=True, ref_kind="connection", optional=True),
    )

    # -- config ---------------------------------------------------------------------------------
    def normalise_entry(self, entry: ConfigEntry) -> None:
        if entry.written != SEED_APPLICATION.name or "key" in entry.data:
            return
        if "name" not in entry.data:
            raise entry.error('missing "name" (the application key is derived from it)')
        name = entry.data["name"]
        if isinstance(name, str):  # any other type is reported by the converter
            key = slug(name)
            if not key:
                raise entry.error('cannot derive an application key from this name; add a "key"', "name")
            entry.set_key(key, derived_from="name")

    def check(self, workspace: WorkspaceView) -> Iterator[Issue]:
        apps: tuple[Application, ...] = self.entries(workspace)
        for i, app in enumerate(apps):
            base: JsonPath = (SECTION, i)
            if problem := key_problem(app.key, what="application key"):
                yield base + ("key",), problem
            if problem := name_problem(app.name):
                yield base + ("name",), problem
            for field in ("login_uri", "homepage_uri"):
                url = getattr(app, field)
                if url is not None and (problem := url_problem(url)):
                    yield base + (field,), problem
            for field in ("redirect_urls", "logout_urls"):
                for j, url in enumerate(getattr(app, field)):
                    if problem := url_problem(url):
                        yield base + (field, j), problem
            yield from token_issues(base + ("tokens",), app.tokens)
            yield from connection_issues(base + ("connections",), app.type, app.connections)
        yield from duplicates(workspace, "application key", [((SECTION, i), a.key) for i, a in enumerate(apps)])

    def desired(self, workspace: WorkspaceView) -> list[Resource]:
        apps: tuple[Application, ...] = self.entries(workspace)
        connection_keys = {c.key for c in workspace.section(CONNECTIONS)}
        out = []
        for a in apps:
            attributes: dict[str, Any] = {
                "name": a.name, "type": a.type, "login_uri": a.login_uri, "homepage_uri": a.homepage_uri,
                "redirect_urls": sorted(set(a.redirect_urls)), "logout_urls": sorted(set(a.logout_urls)),
            }
            # Optional attributes appear only when written, so a plan never shows them unset.
            attributes.update({name: getattr(a, name) for name in SETTINGS if getattr(a, name) is not None})
            if (tokens := token_attribute(a.tokens)) is not None:
                attributes["tokens"] = tokens
            if a.connections is not None:
                attributes["connections"] = sorted(set(a.connections))
            deps = tuple(f"connection.{k}" for k in sorted(set(a.connections or ())) if k in connection_keys)
            out.append(Resource(kind=self.name, key=a.key, natural=(a.name,), protect=a.protect, depends_on=deps,
                                attributes=attributes))
        return out

    def default_key(self, natural: tuple[str, ...]) -> str:
        return slug_key(natural[0])

    def export_entry(self, resource: Resource) -> dict[str, Any]:
        return compact({"key": resource.key, **resource.attributes}, {"type": "reg"})

    def read(self, ctx: ReadContext) -> list[Resource]:
        # An app's reads go out together, with the list when the state knows the app. Its enabled
        # connections are an optional attribute: read only when some app in config or state has them.
        per_app = (_settings, _redirect_urls, _logout_urls) + ((_connections,) if ctx.manages(self.name, "connections")
                                                                 else ())
        reads = ctx.sub_lists(self.name, [functools.partial(read, ctx) for read in per_app])
        items = listed_applications(ctx)
        relevant = reads.collect(i["id"] for i in items if ctx.is_relevant(self.name, (i["name"],), i["id"]))
        details = {app_id: {k: v for part in parts for k, v in part.items()} for app_id, parts in relevant.items()}
        for item in items:
            found = details.get(item["id"])
            if found is not None and (item.get("type") not in CONNECTION_TYPES or found.get("connections") is None):
                found.pop("connections", None)
        out = []
        for item in items:
            natural = (item["name"],)
            attrs: dict[str, Any] = {"name": item["name"], "type": item.get("type"), "login_uri": None,
                                     "homepage_uri": None, "redirect_urls": None, "logout_urls": None}
            attrs.update(details.get(item["id"], {}))
            out.append(Resource(kind=self.name, key=ctx.key_for(self.name, natural, item["id"]),
                                natural=natural, kinde_id=item["id"], attributes=attrs))
        return out

    def find(self, ctx: WriteContext, resource: Resource) -> str | None:
        matches = [i["id"] for i in ctx.client.paginate(PATH, "applications") if i.get("name") == resource.natural[0]]
        return matches[0] if len(matches) == 1 else None

    def create(self, ctx: WriteContext, resource: Resource) -> str | None:
        a = resource.attributes
        reply = ctx.client.post(PATH, json={"name": a["name"], "type": a["type"]})
        app_id = (reply.get("application") or {}).get("id")
        if not app_id:
            app_id = self.find(ctx, resource)
        # What exists right after the POST: nothing of the rest is applied yet.
        pending = {**{k: v for k, v in a.items() if k not in SETTINGS and k != "tokens"}, "login_uri": None,
                   "homepage_uri": None, "redirect_urls": [], "logout_urls": []}
        if "connections" in a:
            pending["connections"] = []
        ctx.record_created(resource, app_id, pending)
        before = {"name": a["name"], "type": a["type"], "redirect_urls": [], "logout_urls": [], "connections": []}
        changed = frozenset(k for k in ("login_uri", "homepage_uri", "redirect_urls", "logout_urls", *SETTINGS,
                                        "tokens", "connections") if a.get(k) not in (None, []))
        self.update(ctx, resource, app_id, before, changed)
        return app_id

    def update(self, ctx: WriteContext, resource: Resource, kinde_id: str | None,
               before: Mapping[str, Any], changed: frozenset[str]) -> None:
        a = resource.attributes
        patch = {k: a[k] for k in ("name", "login_uri", "homepage_uri", *SETTINGS)
                 if k in changed and a.get(k) is not None}
        if patch:
            ctx.client.patch(f"{PATH}/{kinde_id}", json=patch, retry_ambiguous=True)
        # A PUT replaces the whole set in one request, and repeating it is harmless.
        if "redirect_urls" in changed:
            self._put_urls(ctx, f"{PATH}/{kinde_id}/auth_redirect_urls", "redirect_urls", a["redirect_urls"])
        if "logout_urls" in changed:
            self._put_urls(ctx, f"{PATH}/{kinde_id}/auth_logout_urls", "logout_urls", a["logout_urls"])
        if "tokens" in changed and a.get("tokens"):
            # Only the lifetimes sent change; sending them again is harmless.
            ctx.client.patch(f"{PATH}/{kinde_id}/tokens", json=a["tokens"], retry_ambiguous=True)
        if "connections" in changed and a.get("connections") is not None:
            self._sync_connections(ctx, str(kinde_id), before.get("connections"), a["connections"])

    def _put_urls(self, ctx: WriteContext, path: str, key: str, urls: list[str]) -> None:
        if urls:
            ctx.client.put(path, json={"urls": urls}, retry_ambiguous=True)
            return
        present = ctx.client.get_list(path, key)
        if present:
            ctx.client.delete(path, params={"urls": ",".join(present)}, retry_ambiguous=True)

    def _sync_connections(self, ctx: WriteContext, app_id: str, before: list[str] | None, after: list[str]) -> None:
        add, remove = set_diff(before, after)
        ids = ConnectionIds(ctx)
        for ref in add:
            conn_id = ids(ref)
            if conn_id is None:
                raise KindeIacError(f"connection {quote(ref)} is neither a key of \"connections\" nor the name of "
                                    f"one of Kinde's built-in connections")
            # Enabling twice changes nothing, so a lost reply may be retried.
            ctx.client.post(f"{PATH}/{app_id}/connections/{conn_id}", retry_ambiguous=True)
        for ref in remove:
            conn_id = ids(ref)
            if conn_id is not None:  # otherwise the connection itself is gone, and its link with it
                ignore_not_found(functools.partial(ctx.client.delete, f"{PATH}/{app_id}/connections/{conn_id}",
                                                   retry_ambiguous=True))

    def delete(self, ctx: WriteContext, resource: Resource, kinde_id: str | None) -> None:
        delete_if_present(ctx, f"{PATH}/{kinde_id}")


def listed_applications(ctx: ReadContext) -> list[dict[str, Any]]:
    """Every live application but the one kinde-iac signs in as (never managed, never read back)."""
    items = ctx.listing(PATH, "applications")
    for item in items:
        if item["id"] == ctx.own_client_id:
            ctx.exclude(item["id"], "kinde-iac's own M2M application (the client id it runs as)")
    return [i for i in items if i["id"] != ctx.own_client_id]


def application_keys(ctx: ReadContext) -> dict[str, str]:
    """Address key by Kinde id of every live application, for kinds that link to applications."""
    return {i["id"]: ctx.key_for("application", (i["name"],), i["id"]) for i in listed_applications(ctx)}


def _settings(ctx: ReadContext, app_id: str) -> dict[str, Any]:
    app = ctx.client.get_object(f"{PATH}/{app_id}", "application")
    return {"login_uri": app.get("login_uri") or None, "homepage_uri": app.get("homepage_uri") or None,
            **read_settings(app)}


def _redirect_urls(ctx: ReadContext, app_id: str) -> dict[str, Any]:
    return {"redirect_urls": sorted(set(ctx.client.get_list(f"{PATH}/{app_id}/auth_redirect_urls", "redirect_urls")))}


def _logout_urls(ctx: ReadContext, app_id: str) -> dict[str, Any]:
    return {"logout_urls": sorted(set(ctx.client.get_list(f"{PATH}/{app_id}/auth_logout_urls", "logout_urls")))}


def _connections(ctx: ReadContext, app_id: str) -> dict[str, Any]:
    """The connections enabled for an application: built-ins by name, others by address key; None
    for an application type that has no connections (it is read beside the others, before the list
    says the type)."""
    try:
        enabled = ctx.client.get_list(f"{PATH}/{app_id}/connections", "connections")
    except ApiError as err:
        if err.code == "APPLICATION_TYPE_NOT_SUPPORTED":
            return {"connections": None}
        raise
    refs = [str(conn.get("name")) if is_builtin(conn) else ctx.key_for("connection", (conn["name"],), conn.get("id"))
            for conn in enabled]
    return {"connections": sorted(set(refs))}
