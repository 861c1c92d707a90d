"""What is retried, how long we wait, and when a write is reported as ambiguous."""
from __future__ import annotations

import random
from collections.abc import Callable

import pytest
import requests
import responses
from kinde_fakes import BASE, FakeClock, api_calls
from urllib3.exceptions import MaxRetryError, NewConnectionError

from kinde_iac.errors import ApiError
from kinde_iac.kinde import KindeClient

ROLES = BASE + "/api/v1/roles"
OK = {"code": "OK", "roles": []}


def refused() -> requests.ConnectionError:
    # What requests raises when the TCP connect itself fails: nothing was sent.
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    return requests.ConnectionError(MaxRetryError(None, ROLES, reason))


def dropped() -> requests.ConnectionError:
    return requests.ConnectionError(
        ("Connection aborted.", ConnectionResetError(104, "Connection reset by peer")))


def test_429_waits_rate_limit_reset_then_succeeds(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                                                  token_endpoint: Callable[..., None], clock: FakeClock,
                                                  events: list[str]) -> None:
    token_endpoint()
    rsps.get(ROLES, status=429, headers={"RateLimit-Reset": "7"},
             json={"errors": [{"code": "TOO_MANY_REQUESTS", "message": "slow down"}]})
    rsps.get(ROLES, json=OK)
    client = make_client(rng=random.Random(7))
    assert client.get("/api/v1/roles") == OK
    assert len(clock.sleeps) == 1
    assert 7.0 <= clock.sleeps[0] <= 7.5  # the header, plus a small jitter; not 0.25 s of backoff
    assert client.stats.rate_limited == 1 and client.stats.retries == 1 and client.stats.requests == 2
    assert client.stats.by_status == {"429": 1, "200": 1}
    assert events and events[0].startswith("429 on GET /api/v1/roles, waiting 7.")


def test_429_retried_for_writes_too(rsps: responses.RequestsMock, client: KindeClient, clock: FakeClock) -> None:
    rsps.post(ROLES, status=429, headers={"RateLimit-Reset": "2"})
    rsps.post(ROLES, status=201, json={"role": {"id": "r1"}})
    assert client.post("/api/v1/roles", json={"key": "a"}) == {"role": {"id": "r1"}}
    assert len(api_calls(rsps)) == 2
    assert clock.sleeps == [2.5]  # MaxRng: the full jitter


def test_429_without_header_still_waits(rsps: responses.RequestsMock, client: KindeClient, clock: FakeClock) -> None:
    rsps.get(ROLES, status=429)
    rsps.get(ROLES, json=OK)
    client.get("/api/v1/roles")
    assert clock.sleeps and clock.sleeps[0] >= 1.0


def test_get_retried_on_500_with_exponential_backoff(rsps: responses.RequestsMock, client: KindeClient,
                                                     clock: FakeClock) -> None:
    rsps.get(ROLES, status=500, json={"errors": [{"code": "INTERNAL", "message": "oops"}]})
    rsps.get(ROLES, status=502, body="bad gateway")
    rsps.get(ROLES, status=503, body="")
    rsps.get(ROLES, json=OK)
    assert client.get("/api/v1/roles") == OK
    assert clock.sleeps == [0.25, 0.5, 1.0]  # base * 2**n at the jitter's upper bound
    assert client.stats.retries == 3


def test_backoff_is_full_jitter_and_capped(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                                           token_endpoint: Callable[..., None], clock: FakeClock) -> None:
    token_endpoint()
    rsps.get(ROLES, status=503)
    client = make_client(max_retries=10, backoff_max=2.0, rng=random.Random(3))
    with pytest.raises(ApiError):
        client.get("/api/v1/roles")
    caps = [min(2.0, 0.25 * 2 ** n) for n in range(10)]
    assert len(clock.sleeps) == 10
    assert all(0 <= s <= cap for s, cap in zip(clock.sleeps, caps))
    assert len(set(clock.sleeps)) > 1  # jittered, not a fixed schedule


@pytest.mark.parametrize("exc_factory", [dropped, lambda: requests.exceptions.ReadTimeout("read timed out"),
                                         lambda: requests.exceptions.ChunkedEncodingError("incomplete read")])
def test_get_retried_on_transport_errors(rsps: responses.RequestsMock, client: KindeClient,
                                         exc_factory: Callable[[], Exception]) -> None:
    rsps.get(ROLES, body=exc_factory())
    rsps.get(ROLES, json=OK)
    assert client.get("/api/v1/roles") == OK
    assert len(api_calls(rsps)) == 2


def test_post_5xx_is_ambiguous_and_not_retried(rsps: responses.RequestsMock, client: KindeClient,
                                               clock: FakeClock) -> None:
    rsps.post(ROLES, status=500, json={"errors": [{"code": "INTERNAL_ERROR", "message": "boom"}]})
    rsps.post(ROLES, status=201, json={"role": {"id": "dup"}})
    with pytest.raises(ApiError) as exc:
        client.post("/api/v1/roles", json={"key": "a"})
    err = exc.value
    assert err.ambiguous is True
    assert (err.status, err.code) == (500, "INTERNAL_ERROR")
    assert "may or may not have been applied" in err.message
    assert len(api_calls(rsps)) == 1
    assert clock.sleeps == []


def test_5xx_without_code_gets_http_code(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.delete(BASE + "/api/v1/roles/r1", status=502, body="<html>bad gateway</html>")
    with pytest.raises(ApiError) as exc:
        client.delete("/api/v1/roles/r1")
    assert (exc.value.code, exc.value.ambiguous) == ("HTTP_502", True)


@pytest.mark.parametrize(("exc_factory", "code"), [
    (dropped, "CONNECTION_DROPPED"),
    (lambda: requests.exceptions.ReadTimeout("read timed out"), "TIMEOUT"),
    (lambda: requests.exceptions.ChunkedEncodingError("incomplete"), "CONNECTION_DROPPED"),
])
def test_write_dropped_after_send_is_ambiguous(rsps: responses.RequestsMock, client: KindeClient,
                                               exc_factory: Callable[[], Exception], code: str) -> None:
    rsps.patch(BASE + "/api/v1/roles/r1", body=exc_factory())
    rsps.patch(BASE + "/api/v1/roles/r1", json={"code": "OK"})
    with pytest.raises(ApiError) as exc:
        client.patch("/api/v1/roles/r1", json={"name": "x", "key": "k"})
    err = exc.value
    assert (err.status, err.code, err.ambiguous) == (None, code, True)
    assert "no response" in str(err)
    assert len(api_calls(rsps)) == 1


def test_post_retried_when_caller_says_idempotent(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.post(ROLES + "/r1/scopes", status=503)
    rsps.post(ROLES + "/r1/scopes", body=dropped())
    rsps.post(ROLES + "/r1/scopes", status=201, json={"code": "ROLE_SCOPE_ADDED"})
    body = client.post("/api/v1/roles/r1/scopes", json={"scope_id": "s1"}, retry_ambiguous=True)
    assert body == {"code": "ROLE_SCOPE_ADDED"}
    assert len(api_calls(rsps)) == 3


@pytest.mark.parametrize("exc_factory", [refused, lambda: requests.exceptions.ConnectTimeout("connect timed out")])
def test_connect_failure_is_retried_for_writes(rsps: responses.RequestsMock, client: KindeClient,
                                               exc_factory: Callable[[], Exception]) -> None:
    rsps.post(ROLES, body=exc_factory())
    rsps.post(ROLES, status=201, json={"role": {"id": "r1"}})
    assert client.post("/api/v1/roles", json={"key": "a"}) == {"role": {"id": "r1"}}
    assert len(api_calls(rsps)) == 2


def test_budget_exhausted_says_how_many_attempts(rsps: responses.RequestsMock,
                                                 make_client: Callable[..., KindeClient],
                                                 token_endpoint: Callable[..., None], clock: FakeClock) -> None:
    token_endpoint()
    rsps.get(ROLES, status=503, json={"errors": [{"code": "UNAVAILABLE", "message": "try later"}]})
    client = make_client(max_retries=3)
    with pytest.raises(ApiError) as exc:
        client.get("/api/v1/roles")
    err = exc.value
    assert (err.status, err.code, err.ambiguous) == (503, "UNAVAILABLE", False)
    assert "gave up after 4 attempts" in err.message
    assert len(api_calls(rsps)) == 4
    assert client.stats.retries == 3 and client.stats.requests == 4
    assert clock.sleeps == [0.25, 0.5, 1.0]


def test_exhausted_429_budget(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                              token_endpoint: Callable[..., None]) -> None:
    token_endpoint()
    rsps.get(ROLES, status=429, headers={"RateLimit-Reset": "1"})
    client = make_client(max_retries=2)
    with pytest.raises(ApiError, match="gave up after 3 attempts") as exc:
        client.get("/api/v1/roles")
    assert exc.value.status == 429
    assert client.stats.rate_limited == 3


def test_exhausted_idempotent_write_stays_ambiguous(rsps: responses.RequestsMock,
                                                    make_client: Callable[..., KindeClient],
                                                    token_endpoint: Callable[..., None]) -> None:
    # The first attempt may have landed even though later ones were rate limited.
    token_endpoint()
    rsps.post(ROLES, status=500)
    rsps.post(ROLES, status=429, headers={"RateLimit-Reset": "1"})
    client = make_client(max_retries=1)
    with pytest.raises(ApiError) as exc:
        client.post("/api/v1/roles", json={}, retry_ambiguous=True)
    assert exc.value.ambiguous is True
    assert exc.value.status == 429


def test_connection_exhausted_get(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                                  token_endpoint: Callable[..., None]) -> None:
    token_endpoint()
    rsps.get(ROLES, body=dropped())
    client = make_client(max_retries=2)
    with pytest.raises(ApiError) as exc:
        client.get("/api/v1/roles")
    assert (exc.value.status, exc.value.code, exc.value.ambiguous) == (None, "CONNECTION_DROPPED", False)
    assert "gave up after 3 attempts" in exc.value.message
    assert client.stats.by_status == {"CONNECTION_DROPPED": 3}


def test_4xx_is_not_retried(rsps: responses.RequestsMock, client: KindeClient, clock: FakeClock) -> None:
    rsps.get(ROLES, status=400, json={"errors": [{"code": "INVALID_REQUEST", "message": "bad"}]})
    with pytest.raises(ApiError):
        client.get("/api/v1/roles")
    assert len(api_calls(rsps)) == 1 and clock.sleeps == []


def test_retry_events_are_readable(rsps: responses.RequestsMock, client: KindeClient, events: list[str]) -> None:
    rsps.get(ROLES, status=503)
    rsps.get(ROLES, json=OK)
    client.get("/api/v1/roles")
    assert events == ["HTTP 503 on GET /api/v1/roles, retrying in 0.2s (attempt 2 of 7)"]


def test_timeouts_split_connect_and_read(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                                         token_endpoint: Callable[..., None]) -> None:
    token_endpoint()
    rsps.get(ROLES, json=OK)
    make_client(timeout=30.0).get("/api/v1/roles")
    make_client(timeout=2.0).get("/api/v1/roles")
    timeouts = [c.request.req_kwargs["timeout"] for c in api_calls(rsps)]
    assert timeouts == [(5.0, 30.0), (2.0, 2.0)]


def test_one_session_with_a_big_enough_pool(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                                            token_endpoint: Callable[..., None]) -> None:
    token_endpoint()
    client = make_client(max_concurrency=16)
    adapter = client._session.get_adapter(BASE)
    assert adapter._pool_maxsize >= 16


def test_given_session_carries_every_call(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                                          token_endpoint: Callable[..., None]) -> None:
    class CountingSession(requests.Session):
        calls = 0

        def request(self, *args: object, **kwargs: object) -> requests.Response:  # type: ignore[override]
            CountingSession.calls += 1
            return super().request(*args, **kwargs)  # type: ignore[arg-type]

    token_endpoint()
    rsps.get(ROLES, json=OK)
    client = make_client(session=CountingSession())
    for _ in range(3):
        client.get("/api/v1/roles")
    assert CountingSession.calls == 4  # one token request + three API calls


@pytest.mark.parametrize("header", ["nan", "-3", "soon", "inf"])
def test_429_with_a_nonsense_reset_header_waits_a_sane_time(rsps: responses.RequestsMock, client: KindeClient,
                                                             clock: FakeClock, header: str) -> None:
    rsps.get(ROLES, status=429, headers={"RateLimit-Reset": header})
    rsps.get(ROLES, json=OK)
    assert client.get("/api/v1/roles") == OK
    assert len(clock.sleeps) == 1
    assert 1.0 <= clock.sleeps[0] <= 300.5  # never nan (which would crash time.sleep), never hours
