"""The client-credentials token: request shape, caching, expiry refresh, rejection, OAuth errors."""
from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import parse_qs

import pytest
import responses
from kinde_fakes import BASE, SECRET, TOKEN, TOKEN_URL, FakeClock, api_calls, token_calls

from kinde_iac.errors import ApiError
from kinde_iac.kinde import KindeClient, TokenCache

ROLES = BASE + "/api/v1/roles"


def test_token_request_is_a_form_with_audience(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLES, json={"roles": []})
    client.get("/api/v1/roles")
    req = token_calls(rsps)[0].request
    assert req.method == "POST"
    assert req.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(req.body) == {
        "grant_type": ["client_credentials"],
        "client_id": ["m2m-client-id"],
        "client_secret": [SECRET],
        "audience": [BASE + "/api"],
    }
    assert api_calls(rsps)[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_scope_is_sent_when_asked(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                                  token_endpoint: Callable[..., None]) -> None:
    token_endpoint()
    rsps.get(ROLES, json={"roles": []})
    make_client(scope="read:roles read:permissions").get("/api/v1/roles")
    assert parse_qs(token_calls(rsps)[0].request.body)["scope"] == ["read:roles read:permissions"]


def test_one_token_for_many_requests(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLES, json={"roles": []})
    for _ in range(5):
        client.get("/api/v1/roles")
    assert len(token_calls(rsps)) == 1
    assert client.stats.token_requests == 1
    assert client.stats.requests == 5  # token calls are counted apart


@pytest.mark.parametrize(("expires_in", "lifetime"), [(3600, 3600), (None, 3600), (600, 600)])
def test_token_refreshed_sixty_seconds_before_expiry(
        rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
        token_endpoint: Callable[..., None], clock: FakeClock, expires_in: int | None, lifetime: int) -> None:
    token_endpoint("tok-1", "tok-2", expires_in=expires_in)
    rsps.get(ROLES, json={"roles": []})
    client = make_client()
    client.get("/api/v1/roles")
    clock.advance(lifetime - 61)
    client.get("/api/v1/roles")
    assert len(token_calls(rsps)) == 1
    clock.advance(2)  # now 59 s before expiry: inside the refresh margin
    client.get("/api/v1/roles")
    assert len(token_calls(rsps)) == 2
    assert api_calls(rsps)[-1].request.headers["Authorization"] == "Bearer tok-2"


def test_very_short_lifetime_still_caches(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                                          token_endpoint: Callable[..., None]) -> None:
    # A 30 s token minus a 60 s margin must not mean "expired on arrival, fetch every call".
    token_endpoint("tok-1", "tok-2", expires_in=30)
    rsps.get(ROLES, json={"roles": []})
    client = make_client()
    client.get("/api/v1/roles")
    client.get("/api/v1/roles")
    assert len(token_calls(rsps)) == 1


def test_concurrent_callers_share_one_fetch() -> None:
    fetches = 0
    gate = threading.Event()
    lock = threading.Lock()

    def fetch() -> tuple[str, float | None]:
        nonlocal fetches
        with lock:
            fetches += 1
            if fetches == 8:
                gate.set()
        # A cache without a lock lets all eight in here; then the gate opens at once. With the
        # lock, only one thread ever arrives and the short timeout lets it finish.
        gate.wait(timeout=0.3)
        return "tok", 3600

    cache = TokenCache(fetch, clock=lambda: 0.0)
    barrier = threading.Barrier(8)
    results: list[str] = []

    def worker() -> None:
        barrier.wait()
        results.append(cache.get())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=5)
    assert fetches == 1
    assert results == ["tok"] * 8


def test_concurrent_client_requests_fetch_one_token(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLES, json={"roles": []})
    threads = [threading.Thread(target=client.get, args=("/api/v1/roles",)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=5)
    assert len(api_calls(rsps)) == 8
    assert len(token_calls(rsps)) == 1


def test_rejected_token_is_refreshed_once_and_request_retried(
        rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
        token_endpoint: Callable[..., None]) -> None:
    token_endpoint("tok-old", "tok-new")
    rsps.get(ROLES, status=401, json={"errors": [{"code": "TOKEN_INVALID", "message": "Token expired"}]})
    rsps.get(ROLES, json={"roles": [{"id": "r1"}]})
    client = make_client()
    assert client.get("/api/v1/roles") == {"roles": [{"id": "r1"}]}
    assert [c.request.headers["Authorization"] for c in api_calls(rsps)] == ["Bearer tok-old", "Bearer tok-new"]
    assert client.stats.retries == 1


def test_403_invalid_token_body_also_refreshes(rsps: responses.RequestsMock,
                                               make_client: Callable[..., KindeClient],
                                               token_endpoint: Callable[..., None]) -> None:
    token_endpoint("tok-old", "tok-new")
    rsps.get(ROLES, status=403, json={"errors": [{"code": "UNAUTHORIZED", "message": "Invalid token"}]})
    rsps.get(ROLES, json={"roles": []})
    make_client().get("/api/v1/roles")
    assert len(token_calls(rsps)) == 2


def test_second_rejection_is_raised_not_looped(rsps: responses.RequestsMock,
                                               make_client: Callable[..., KindeClient],
                                               token_endpoint: Callable[..., None]) -> None:
    token_endpoint("tok-1", "tok-2", "tok-3")
    rsps.get(ROLES, status=401, json={"errors": [{"code": "TOKEN_INVALID", "message": "bad token"}]})
    with pytest.raises(ApiError) as exc:
        make_client().get("/api/v1/roles")
    assert exc.value.status == 401 and exc.value.code == "TOKEN_INVALID"
    assert len(token_calls(rsps)) == 2
    assert len(api_calls(rsps)) == 2


@pytest.mark.parametrize(("status", "message"), [
    (403, "Scope is missing: read:roles"),
    # Even worded like a token problem, or as a 401: a fresh token carries the same scopes.
    (403, "Token lacks scope read:roles"),
    (401, "Token lacks scope read:roles"),
])
def test_scope_missing_does_not_refresh(rsps: responses.RequestsMock, client: KindeClient,
                                        status: int, message: str) -> None:
    rsps.get(ROLES, status=status, json={"errors": [{"code": "SCOPE_MISSING", "message": message}]})
    with pytest.raises(ApiError) as exc:
        client.get("/api/v1/roles")
    assert (exc.value.status, exc.value.code) == (status, "SCOPE_MISSING")
    assert "read:roles" in exc.value.message
    assert len(token_calls(rsps)) == 1
    assert len(api_calls(rsps)) == 1


def test_oauth_error_from_token_endpoint(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient]) -> None:
    rsps.post(TOKEN_URL, status=401,
              json={"error": "invalid_client", "error_description": "Client authentication failed"})
    with pytest.raises(ApiError) as exc:
        make_client().get("/api/v1/roles")
    err = exc.value
    assert (err.status, err.code, err.message) == (401, "invalid_client", "Client authentication failed")
    assert err.path == "/oauth2/token"
    assert len(token_calls(rsps)) == 1  # a bad secret is not retried
    assert api_calls(rsps) == []


def test_token_endpoint_5xx_is_retried(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                                       clock: FakeClock) -> None:
    rsps.post(TOKEN_URL, status=503, body="upstream unavailable")
    rsps.post(TOKEN_URL, json={"access_token": TOKEN, "expires_in": 3600})
    rsps.get(ROLES, json={"roles": []})
    make_client().get("/api/v1/roles")
    assert len(token_calls(rsps)) == 2
    assert clock.sleeps == [0.25]


def test_token_response_without_access_token(rsps: responses.RequestsMock,
                                             make_client: Callable[..., KindeClient]) -> None:
    rsps.post(TOKEN_URL, json={"token_type": "Bearer"})
    with pytest.raises(ApiError, match="no access_token"):
        make_client().get("/api/v1/roles")


def test_a_prefetched_token_serves_the_first_request() -> None:
    fetches: list[str] = []

    def fetch() -> tuple[str, float | None]:
        fetches.append("tok")
        return "tok", 3600

    cache = TokenCache(fetch, clock=lambda: 0.0)
    cache.prefetch()
    cache.prefetch()  # already held: nothing more is asked
    assert cache.get() == "tok"
    assert fetches == ["tok"]


def test_a_failed_prefetch_is_raised_by_the_next_get_and_not_asked_twice() -> None:
    answers: list[object] = [ApiError(401, "INVALID_CLIENT", "bad credentials"), ("tok", 3600)]
    asked = 0

    def fetch() -> tuple[str, float | None]:
        nonlocal asked
        answer = answers[asked]
        asked += 1
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[return-value]

    cache = TokenCache(fetch, clock=lambda: 0.0)
    cache.prefetch()
    with pytest.raises(ApiError, match="bad credentials"):
        cache.get()
    assert asked == 1  # tokens are billed: the failure was not fetched again to raise it
    assert cache.get() == "tok"  # a later get asks again
    assert asked == 2


def test_warm_up_fetches_the_token_the_first_request_uses(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLES, json={"roles": []})
    client.warm_up()
    client.get("/api/v1/roles")
    client.get("/api/v1/roles")
    assert len(token_calls(rsps)) == 1
    assert api_calls(rsps)[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
