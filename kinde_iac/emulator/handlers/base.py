"""What every handler module shares: the route table, the request context and JSON helpers.

Handlers only translate HTTP into repository calls and records into the spec's envelopes; rules
live in the store, and auth, faults, rate limiting and stats live in the app.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
from werkzeug.wrappers import Request, Response

from kinde_iac.emulator import paging
from kinde_iac.emulator.errors import ApiFailure, NotFound, as_404, bad_request
from kinde_iac.emulator.gate import Gate

if TYPE_CHECKING:
    from kinde_iac.emulator.auth import TokenService
    from kinde_iac.emulator.faults import Faults
    from kinde_iac.emulator.stats import Stats
    from kinde_iac.emulator.store import Repositories

Handler = Callable[["Ctx"], Response]
T = TypeVar("T")


@attrs.frozen
class Route:
    method: str
    template: str  # the spec's path template, e.g. /api/v1/roles/{role_id}
    handler: Handler
    public: bool = False  # served without a bearer token
    in_spec: bool = True  # False for the token endpoint and /_emulator/ routes
    control: bool = False  # /_emulator/: never counted, faulted or rate limited

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"


class RouteTable:
    """A module's routes, declared with ``@routes("GET", "/api/v1/roles")``."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def __call__(self, method: str, template: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes.append(Route(method, template, handler, **options))
            return handler
        return register


@attrs.frozen
class Services:
    repos: Repositories
    tokens: TokenService
    page_tokens: paging.PageTokens
    faults: Faults
    stats: Stats
    gate: Gate = attrs.field(factory=Gate)


@attrs.define
class Ctx:
    request: Request
    services: Services
    path: dict[str, str]
    env: str = ""  # the environment of the caller's token ("" on public routes)

    @property
    def repos(self) -> Repositories:
        return self.services.repos

    @property
    def base_url(self) -> str:
        """Scheme and host the client used: Kinde's own domain in its audience and links."""
        return self.request.host_url.rstrip("/")

    @property
    def management_audience(self) -> str:
        return self.base_url + "/api"

    @property
    def args(self) -> Any:
        return self.request.args

    def token_page(self, items: Iterable[T], sorts: Mapping[str, paging.Sort]) -> tuple[list[T], str | None]:
        """One ``next_token`` page of ``items``; the token only works on this list, in this
        environment."""
        tokens = self.services.page_tokens.bound(f"{self.env} {self.request.path}")
        return paging.token_page(items, self.args, sorts, tokens=tokens)

    def body(self) -> dict[str, Any]:
        """The JSON object body ({} when empty)."""
        raw = self.request.get_data(cache=True)
        if not raw.strip():
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise bad_request("INVALID_JSON", "The request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise bad_request("INVALID_JSON", "The request body must be a JSON object")
        return body


# -- reading request fields --------------------------------------------------------------------

def _invalid(name: str, what: str) -> ApiFailure:
    return bad_request(f"INVALID_{name.upper()}", f"{name} must be {what}")


def opt_str(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise _invalid(name, "a string")
    return value


def opt_bool(body: dict[str, Any], name: str) -> bool | None:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise _invalid(name, "a boolean")
    return value


def opt_int(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise _invalid(name, "an integer")
    return value


def opt_str_list(body: dict[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
        raise _invalid(name, "a list of strings")
    return value


def opt_object(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is not None and not isinstance(value, dict):
        raise _invalid(name, "an object")
    return value


def id_operations(body: dict[str, Any], name: str) -> list[tuple[str, bool]]:
    """``[{id, operation?}]`` as (id, remove?) pairs; ``operation: "delete"`` removes."""
    items = body.get(name)
    if not isinstance(items, list):
        raise bad_request(f"{name.upper()}_REQUIRED", f"{name} must be a list")
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            raise bad_request("INVALID_ID", f"every item of {name} needs an id")
        operation = item.get("operation")
        if operation not in (None, "delete"):
            raise bad_request("INVALID_OPERATION", "operation must be 'delete' or absent")
        out.append((item["id"], operation == "delete"))
    return out


# -- answers -----------------------------------------------------------------------------------

def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)


def ok(payload: dict[str, Any] | None = None, *, status: int = 200, code: str = "OK",
       message: str = "Success") -> Response:
    """Kinde's success envelope: ``{code, message, ...payload}``."""
    return json_response({"code": code, "message": message, **(payload or {})}, status)


def drop_none(fields: dict[str, Any]) -> dict[str, Any]:
    """Leave out unset fields the spec declares as non-nullable strings (null would not match)."""
    return {k: v for k, v in fields.items() if v is not None}


def with_404(call: Callable[[], Any]) -> Any:
    """Run ``call``, answering NotFound in the not_found_response shape (404): for the operations
    whose spec documents a 404."""
    try:
        return call()
    except NotFound as exc:
        raise as_404(exc) from None
