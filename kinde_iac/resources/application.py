"""Applications: ``application.<key>`` with redirect and logout URL sets as attributes.

Kinde does not keep names unique, so adoption by name only happens on a single match.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Literal

import attrs

from kinde_iac.jsonpath import JsonPath
from kinde_iac.resources.base import (
    Field,
    Kind,
    ReadContext,
    Resource,
    WriteContext,
    compact,
    delete_if_present,
    slug,
    slug_key,
)
from kinde_iac.resources.checks import duplicates, key_problem, url_problem
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
    protect: bool = False


class ApplicationKind(Kind):
    name = "application"
    config_section = SECTION
    entry_type = Application
    seed_keys = (SEED_APPLICATION,)
    seed_field_aliases = MappingProxyType({"redirectUrls": "redirect_urls", "logoutUrls": "logout_urls"})
    fields = (
        Field("name"),
        Field("type", replace=True),
        Field("login_uri", unclearable=True),
        Field("homepage_uri", unclearable=True),
        Field("redirect_urls", is_set=True),
        Field("logout_urls", is_set=True),
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
            if not app.name:
                yield base + ("name",), "name must not be empty"
            for field in ("login_uri", "homepage_uri"):
                url = getattr(app, field)
                if url is not None and (problem := url_problem(url)):
                    yield base + (field,), problem
            for field in ("redirect_urls", "logout_urls"):
                for j, url in enumerate(getattr(app, field)):
                    if problem := url_problem(url):
                        yield base + (field, j), problem
        yield from duplicates(workspace, "application key", [((SECTION, i), a.key) for i, a in enumerate(apps)])

    def desired(self, workspace: WorkspaceView) -> list[Resource]:
        apps: tuple[Application, ...] = self.entries(workspace)
        return [
            Resource(
                kind=self.name, key=a.key, natural=(a.name,), protect=a.protect,
                attributes={
                    "name": a.name, "type": a.type, "login_uri": a.login_uri, "homepage_uri": a.homepage_uri,
                    "redirect_urls": sorted(set(a.redirect_urls)), "logout_urls": sorted(set(a.logout_urls)),
                },
            )
            for a in apps
        ]

    def default_key(self, natural: tuple[str, ...]) -> str:
        return slug_key(natural[0])

    def export_entry(self, resource: Resource) -> dict[str, Any]:
        return compact({"key": resource.key, **resource.attributes}, {"type": "reg"})

    def read(self, ctx: ReadContext) -> list[Resource]:
        # An app's three reads go out together, with the list when the state knows the app.
        reads = ctx.sub_lists(self.name, [functools.partial(read, ctx) for read in (_settings, _redirect_urls,
                                                                                      _logout_urls)])
        items = listed_applications(ctx)
        relevant = reads.collect(i["id"] for i in items if ctx.is_relevant(self.name, (i["name"],), i["id"]))
        details = {app_id: {k: v for part in parts for k, v in part.items()} for app_id, parts in relevant.items()}
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
        ctx.record_created(resource, app_id, {**a, "login_uri": None, "homepage_uri": None,
                                              "redirect_urls": [], "logout_urls": []})
        before = {"name": a["name"], "type": a["type"], "redirect_urls": [], "logout_urls": []}
        changed = frozenset(k for k in ("login_uri", "homepage_uri", "redirect_urls", "logout_urls") if a.get(k))
        self.update(ctx, resource, app_id, before, changed)
        return app_id

    def update(self, ctx: WriteContext, resource: Resource, kinde_id: str | None,
               before: Mapping[str, Any], changed: frozenset[str]) -> None:
        a = resource.attributes
        patch = {k: a[k] for k in ("name", "login_uri", "homepage_uri") if k in changed and a[k] is not None}
        if patch:
            ctx.client.patch(f"{PATH}/{kinde_id}", json=patch, retry_ambiguous=True)
        # A PUT replaces the whole set in one request, and repeating it is harmless.
        if "redirect_urls" in changed:
            self._put_urls(ctx, f"{PATH}/{kinde_id}/auth_redirect_urls", a["redirect_urls"])
        if "logout_urls" in changed:
            self._put_urls(ctx, f"{PATH}/{kinde_id}/auth_logout_urls", a["logout_urls"])

    def _put_urls(self, ctx: WriteContext, path: str, urls: list[str]) -> None:
        if urls:
            ctx.client.put(path, json={"urls": urls}, retry_ambiguous=True)
            return
        current = ctx.client.get(path)
        present = current.get("redirect_urls") or current.get("logout_urls") or []
        if present:
            ctx.client.delete(path, params={"urls": ",".join(present)}, retry_ambiguous=True)

    def delete(self, ctx: WriteContext, resource: Resource, kinde_id: str | None) -> None:
        delete_if_present(ctx, f"{PATH}/{kinde_id}")


def listed_applications(ctx: ReadContext) -> list[dict[str, Any]]:
    """Every live application but the one kinde-iac signs in as (never managed, never read back)."""
    return [i for i in ctx.listing(PATH, "applications") if i["id"] != ctx.own_client_id]


def application_keys(ctx: ReadContext) -> dict[str, str]:
    """Address key by Kinde id of every live application, for kinds that link to applications."""
    return {i["id"]: ctx.key_for("application", (i["name"],), i["id"]) for i in listed_applications(ctx)}


def _settings(ctx: ReadContext, app_id: str) -> dict[str, Any]:
    app = ctx.client.get(f"{PATH}/{app_id}").get("application") or {}
    return {"login_uri": app.get("login_uri") or None, "homepage_uri": app.get("homepage_uri") or None}


def _redirect_urls(ctx: ReadContext, app_id: str) -> dict[str, Any]:
    urls = ctx.client.get(f"{PATH}/{app_id}/auth_redirect_urls").get("redirect_urls") or []
    return {"redirect_urls": sorted(set(urls))}


def _logout_urls(ctx: ReadContext, app_id: str) -> dict[str, Any]:
    urls = ctx.client.get(f"{PATH}/{app_id}/auth_logout_urls").get("logout_urls") or []
    return {"logout_urls": sorted(set(urls))}
