"""The api_key kind on its own, against a fake client: what it reads, sends and hands over."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pytest

from kinde_iac.config.model import Workspace
from kinde_iac.errors import KindeIacError
from kinde_iac.resources import BY_NAME, KINDS, Resource
from kinde_iac.resources.api import Api, ApiScope
from kinde_iac.resources.api_key import ApiKey, ApiKeyKind

KIND = ApiKeyKind()
AUDIENCE = "https://orders.example"
API = Resource(kind="api", key="orders", natural=(AUDIENCE,), kinde_id="api1", attributes={})


def item(**kw: Any) -> dict[str, Any]:
    return {"id": "k1", "name": "CI", "type": "environment", "status": "active", "api_ids": ["api1"],
            "scopes": ["b", "a"], **kw}


class FakeClient:
    def __init__(self, items: list[dict[str, Any]], replies: Mapping[tuple[str, str], dict] | None = None) -> None:
        self.items = items
        self.replies = dict(replies or {})
        self.calls: list[tuple[str, str, Any]] = []

    def paginate(self, path: str, items_key: str, params: dict | None = None, *, paged: bool = True) -> Any:
        assert (path, items_key, paged) == ("/api/v1/api_keys", "api_keys", True)
        yield from self.items

    def _call(self, method: str, path: str, body: Any = None, **_: Any) -> dict:
        self.calls.append((method, path, body))
        return self.replies.get((method, path), {})

    def get(self, path: str, params: dict | None = None) -> dict:
        return self._call("GET", path)

    def get_object(self, path: str, key: str, params: dict | None = None) -> dict:
        """As the real client: the object must be there."""
        body = self._call("GET", path)
        assert isinstance(body.get(key), dict), body
        return body[key]

    def post(self, path: str, json: Any = None, **kw: Any) -> dict:
        return self._call("POST", path, json)

    def put(self, path: str, json: Any = None, **kw: Any) -> dict:
        return self._call("PUT", path, json)

    def delete(self, path: str, json: Any = None, **kw: Any) -> dict:
        return self._call("DELETE", path, json)


class ReadCtx:
    def __init__(self, client: FakeClient, relevant: bool = True) -> None:
        self.client = client
        self.own_client_id = "me"
        self.relevant = relevant

    def key_for(self, kind: str, natural: tuple[str, ...], kinde_id: str | None) -> str:
        return BY_NAME[kind].default_key(natural)

    def is_relevant(self, kind: str, natural: tuple[str, ...], kinde_id: str | None) -> bool:
        return self.relevant

    def live(self, kind: str) -> list[Resource]:
        scope = Resource(kind="api_scope", key="orders/b", natural=(AUDIENCE, "b"), kinde_id="api_scope_b",
                         attributes={})
        return {"api": [API], "api_scope": [scope]}.get(kind, [])

    def live_by_id(self, kind: str, kinde_id: str) -> Resource | None:
        return API if kind == "api" and kinde_id == "api1" else None

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        return [fn(i) for i in items]


class WriteCtx:
    def __init__(self, client: FakeClient, fail_secret: bool = False) -> None:
        self.client = client
        self.ids = {"api.orders": "api1", "api_scope.orders/read": "s-read", "api_scope.orders/write": "s-write"}
        self.events: list[tuple[str, Any]] = []
        self.fail_secret = fail_secret

    def id_of(self, address: str) -> str:
        return self.ids[address]

    def record_created(self, resource: Resource, kinde_id: str | None, attributes: Mapping[str, Any]) -> None:
        self.events.append(("recorded", kinde_id))

    def deliver_secret(self, address: str, secret: str) -> None:
        if self.fail_secret:
            raise OSError("disk full")
        self.events.append(("secret", (address, secret)))


def desired(**kw: Any) -> Resource:
    ws = Workspace(name="dev", source="dev.json", sections={
        "apis": (Api(key="orders", name="Orders", audience=AUDIENCE, scopes=(ApiScope("read"), ApiScope("write"))),),
        "api_keys": (ApiKey(**{"key": "ci", "name": "CI", "api": "orders", "scopes": ("write", "read"), **kw}),),
    })
    [resource] = KIND.desired(ws)
    return resource


def test_registered_after_apis_and_scopes() -> None:
    names = [k.name for k in KINDS]
    assert names.index("api_key") > names.index("api_scope") > names.index("api")
    assert all(f.replace for f in KIND.fields)  # Kinde cannot update a key
    assert KIND.replace_warning and "stops working" in KIND.replace_warning


def test_desired_natural_key_dependencies_and_export() -> None:
    r = desired()
    assert r.address == "api_key.ci"
    assert r.natural == (AUDIENCE, "CI")
    assert r.depends_on == ("api.orders", "api_scope.orders/read", "api_scope.orders/write")
    assert r.attributes == {"name": "CI", "api": "orders", "scopes": ["read", "write"], "type": "environment",
                            "org_code": None}
    assert KIND.export_entry(r) == {"key": "ci", "name": "CI", "api": "orders", "scopes": ["read", "write"]}


@pytest.mark.parametrize(("listed", "addresses"), [
    ([item()], ["api_key.ci"]),
    ([item(type="user")], []),            # an end user's own key: not configuration
    ([item(status="revoked")], []),       # can never work again
    ([item(status="inactive")], ["api_key.ci"]),
])
def test_read_skips_user_and_revoked_keys(listed: list[dict], addresses: list[str]) -> None:
    assert [r.address for r in KIND.read(ReadCtx(FakeClient(listed)))] == addresses


def test_read_maps_api_ids_to_config_keys_and_sorts_scopes() -> None:
    [r] = KIND.read(ReadCtx(FakeClient([item()])))
    assert (r.kinde_id, r.natural, r.depends_on) == ("k1", (AUDIENCE, "CI"), ("api.orders",))
    assert r.attributes == {"name": "CI", "api": "orders", "scopes": ["a", "b"], "type": "environment",
                            "org_code": None}
    [by_id] = KIND.read(ReadCtx(FakeClient([item(scopes=["api_scope_b", "a"])])))
    assert by_id.attributes["scopes"] == ["a", "b"]  # should Kinde list scope ids, they map back to keys
    [other] = KIND.read(ReadCtx(FakeClient([item(api_ids=["elsewhere"])])))
    assert other.attributes["api"] == "elsewhere" and other.depends_on == ()


def test_org_codes_cost_one_read_per_organization_key_kinde_iac_cares_about() -> None:
    client = FakeClient([item(), item(id="k2", type="organization")],
                        {("GET", "/api/v1/api_keys/k2"): {"api_key": {"organization_id": "org_acme"}}})
    keys = KIND.read(ReadCtx(client))
    assert [r.attributes["org_code"] for r in keys] == [None, "org_acme"]
    assert client.calls == [("GET", "/api/v1/api_keys/k2", None)]
    client.calls.clear()
    KIND.read(ReadCtx(client, relevant=False))
    assert client.calls == []


def test_create_sends_scope_ids_records_then_hands_the_secret_over() -> None:
    client = FakeClient([], {("POST", "/api/v1/api_keys"): {"api_key": {"id": "k9", "key": "sekrit"}}})
    ctx = WriteCtx(client)
    assert KIND.create(ctx, desired(type="organization", org_code="org_acme")) == "k9"
    assert client.calls == [("POST", "/api/v1/api_keys", {
        "name": "CI", "type": "organization", "api_id": "api1", "scope_ids": ["s-read", "s-write"],
        "org_code": "org_acme"})]
    assert ctx.events == [("recorded", "k9"), ("secret", ("api_key.ci", "sekrit"))]


def test_a_secret_that_cannot_be_saved_says_how_to_get_a_new_one() -> None:
    client = FakeClient([], {("POST", "/api/v1/api_keys"): {"api_key": {"id": "k9", "key": "sekrit"}}})
    ctx = WriteCtx(client, fail_secret=True)
    with pytest.raises(KindeIacError) as info:
        KIND.create(ctx, desired())
    assert ctx.events == [("recorded", "k9")]  # in state, so never orphaned
    assert "kinde-iac api-key rotate api_key.ci" in str(info.value) and "sekrit" not in str(info.value)


def test_find_adopts_only_a_single_match_on_the_same_api() -> None:
    ctx = WriteCtx(FakeClient([item(), item(id="k2", api_ids=["other"])]))
    assert KIND.find(ctx, desired()) == "k1"
    ctx = WriteCtx(FakeClient([item(), item(id="k2")]))
    assert KIND.find(ctx, desired()) is None


def test_update_only_recovers_a_lost_secret_by_rotating() -> None:
    client = FakeClient([], {("PUT", "/api/v1/api_keys/k1"): {"api_key": {"id": "k1", "key": "fresh"}}})
    ctx = WriteCtx(client)
    KIND.update(ctx, desired(), "k1", {}, frozenset(f.name for f in KIND.fields))
    assert client.calls == [("PUT", "/api/v1/api_keys/k1", None)]
    assert ctx.events == [("secret", ("api_key.ci", "fresh"))]
