"""Validation of every emulator response against the official Kinde spec (openapi-core).

The emulator is served on http://127.0.0.1:<port>; the spec's server is
``https://{subdomain}.kinde.com``. Each request URL is rewritten onto ``SPEC_SERVER`` before the
response is matched to its operation and status and validated.
"""
from __future__ import annotations

import json
import threading
from urllib.parse import urlsplit

import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_schema_validator import OAS30Validator
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from kinde_iac.emulator.apispec import load_spec

SPEC_SERVER = "https://emulator.kinde.com"

# Responses the spec cannot describe, by (operationId, status), with the reason. Their bodies are
# still checked, against the spec's generic error_response component.
UNDOCUMENTED_STATUSES: dict[tuple[str, int], str] = {
    ("UpdateRolePermissions", 400): "the spec lists no 400 for PATCH /roles/{role_id}/permissions, yet an "
                                    "unknown role or permission has to be refused somehow",
    ("GetPermissions", 400): "the spec lists no 400 for GET /permissions, yet Kinde documents that a "
                             "page_size above 500 is refused",
}


class SpecViolation(AssertionError):
    pass


class SpecValidator:
    """Built once per test session (parsing and checking the spec takes about a second)."""

    def __init__(self) -> None:
        self.spec = load_spec()
        self.openapi = OpenAPI.from_dict(self.spec)
        self._lock = threading.Lock()  # openapi-core objects are not documented as thread-safe
        self.validated: dict[str, int] = {}
        self._operations = Map([
            Rule(template.replace("{", "<").replace("}", ">"), endpoint=op["operationId"], methods=[verb.upper()])
            for template, item in self.spec["paths"].items()
            for verb, op in item.items() if isinstance(op, dict) and "operationId" in op
        ])

    # -- entry points ----------------------------------------------------------------------------

    def hook(self, response: requests.Response, *args: object, **kwargs: object) -> requests.Response:
        """A requests response hook: raises SpecViolation for a response the spec rejects."""
        self.validate(response)
        return response

    def validate(self, response: requests.Response) -> None:
        path = urlsplit(response.request.url).path
        if path.startswith("/_emulator/") or path == "/oauth2/token":
            return  # not part of the Management API spec
        body = _json_or_none(response)
        if response.status_code == 500:
            # Injected faults: no operation documents a 500; Kinde answers with error_response.
            self.validate_component(body, "error_response")
            return
        if response.status_code == 404 and isinstance(body, dict) and isinstance(body.get("errors"), dict) \
                and body["errors"].get("code") == "ROUTE_NOT_FOUND":
            self.validate_component(body, "not_found_response")
            return
        operation_id = self._operation_id(response.request.method, path)
        if (operation_id, response.status_code) in UNDOCUMENTED_STATUSES:
            self.validate_component(body, "error_response")
            return
        self.validate_against_operation(response)
        with self._lock:
            key = f"{response.request.method} {operation_id} {response.status_code}"
            self.validated[key] = self.validated.get(key, 0) + 1

    def validate_against_operation(self, response: requests.Response) -> None:
        request = response.request.copy()
        parts = urlsplit(request.url)
        request.url = SPEC_SERVER + parts.path + (f"?{parts.query}" if parts.query else "")
        with self._lock:
            try:
                self.openapi.validate_response(RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(response))
            except Exception as exc:  # openapi-core raises several unrelated error types
                detail = getattr(exc, "__cause__", None) or exc
                raise SpecViolation(f"{response.request.method} {parts.path} -> {response.status_code}: "
                                    f"{exc} ({detail}); body={response.text[:500]}") from exc

    def validate_component(self, body: object, component: str) -> None:
        schema = {"$ref": f"#/components/schemas/{component}", "components": self.spec["components"]}
        errors = list(OAS30Validator(schema).iter_errors(body))
        if errors:
            raise SpecViolation(f"body does not match {component}: {errors[0].message}; body={body!r}")

    # -- helpers -----------------------------------------------------------------------------------

    def _operation_id(self, method: str, path: str) -> str | None:
        try:
            return self._operations.bind("emulator.kinde.com").match(path, method=method)[0]
        except HTTPException:
            return None


def _json_or_none(response: requests.Response) -> object:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None
