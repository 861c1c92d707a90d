"""Failures the emulator answers with, in the two error shapes the spec documents.

``error_response`` is ``{"errors": [{"code", "message"}]}``; ``not_found_response`` (only where the
spec documents a 404) has ``errors`` as a single object.
"""
from __future__ import annotations

from typing import Any


class ApiFailure(Exception):
    """An error answer: HTTP status plus one Kinde error code and message."""

    def __init__(self, status: int, code: str, message: str, *, single: bool = False,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        # True renders the not_found_response shape (errors as one object, not a list).
        self.single = single
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error = {"code": self.code, "message": self.message}
        return {"errors": error if self.single else [error]}


class StoreError(ApiFailure):
    """A rule of the data was broken (duplicate key, bad value); Kinde answers these with 400."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(400, code, message)


class NotFound(StoreError):
    """An id or key names nothing. 400 by default, as most operations document; handlers whose
    operation documents a 404 convert it with :func:`as_404`."""


def as_404(error: NotFound) -> ApiFailure:
    return ApiFailure(404, error.code, error.message, single=True)


def bad_request(code: str, message: str) -> ApiFailure:
    return ApiFailure(400, code, message)


ROUTE_NOT_FOUND = ("ROUTE_NOT_FOUND", "The requested API route does not exist")


def route_not_found() -> ApiFailure:
    return ApiFailure(404, *ROUTE_NOT_FOUND, single=True)
