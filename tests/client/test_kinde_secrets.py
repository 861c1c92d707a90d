"""The client secret and the bearer token never appear in messages, reprs or event lines."""
from __future__ import annotations

import base64
import re
from collections.abc import Callable
from urllib.parse import quote, quote_plus, urlencode

import pytest
import requests
import responses
from kinde_fakes import BASE, SECRET, TOKEN, TOKEN_URL

from kinde_iac.errors import ApiError
from kinde_iac.kinde import Credentials, KindeClient
from kinde_iac.kinde.scrub import Scrubber

ROLES = BASE + "/api/v1/roles"


def assert_clean(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text
        assert TOKEN not in text


def test_reprs(client: KindeClient, rsps: responses.RequestsMock) -> None:
    rsps.get(ROLES, json={"roles": []})
    client.get("/api/v1/roles")  # a token is now cached
    assert_clean(repr(client), repr(client.credentials), repr(client._tokens), repr(client.stats))


def test_token_endpoint_echoing_the_secret(rsps: responses.RequestsMock,
                                           make_client: Callable[..., KindeClient]) -> None:
    rsps.post(TOKEN_URL, status=400,
              json={"error": "invalid_client", "error_description": f"unknown secret {SECRET}"})
    with pytest.raises(ApiError) as exc:
        make_client().get("/api/v1/roles")
    assert_clean(str(exc.value), repr(exc.value), exc.value.message)
    assert "unknown secret ***" in exc.value.message


def test_api_error_echoing_the_token(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLES, status=400,
             json={"errors": [{"code": "BAD", "message": f"header was Bearer {TOKEN}"}]})
    with pytest.raises(ApiError) as exc:
        client.get("/api/v1/roles")
    assert_clean(str(exc.value), exc.value.message)


def test_transport_error_text_is_scrubbed(rsps: responses.RequestsMock, client: KindeClient,
                                          events: list[str]) -> None:
    rsps.get(ROLES, json={"roles": []})
    client.get("/api/v1/roles")
    rsps.post(ROLES, body=requests.ConnectionError(f"reset while sending Bearer {TOKEN} / {SECRET}"))
    with pytest.raises(ApiError) as exc:
        client.post("/api/v1/roles", json={})
    assert exc.value.ambiguous
    assert_clean(str(exc.value), *events)


def test_event_lines_are_clean(rsps: responses.RequestsMock, client: KindeClient, events: list[str]) -> None:
    rsps.get(ROLES, status=401, json={"errors": [{"code": "TOKEN_INVALID", "message": "bad"}]})
    rsps.post(TOKEN_URL, json={"access_token": TOKEN + "-2", "expires_in": 3600})
    rsps.get(ROLES, status=429, headers={"RateLimit-Reset": "1"})
    rsps.get(ROLES, json={"roles": []})
    client.get("/api/v1/roles")
    assert len(events) == 2
    assert_clean(*events)


# -- encoded forms (issue 13 point 9) ---------------------------------------------------------------

# A secret with characters that percent-encoding and base64 both change.
ODD_SECRET = "s3cr/t+K3y=&?~ é%x"


def encoded_forms(secret: str) -> dict[str, str]:
    raw = secret.encode()
    return {
        "quote": quote(secret, safe=""),
        "quote-default": quote(secret),
        "quote_plus": quote_plus(secret),
        "quote-lowercase-escapes": re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quote(secret, safe="")),
        "base64": base64.b64encode(raw).decode(),
        "base64-unpadded": base64.b64encode(raw).decode().rstrip("="),
        "urlsafe-base64": base64.urlsafe_b64encode(raw).decode(),
        # HTTP Basic auth: the secret sits inside a longer base64 value, at each of the 3 alignments.
        "basic-auth": base64.b64encode(b"m2m-client-id:" + raw).decode(),
        "embedded-offset-0": base64.b64encode(b"id:" + raw + b"!").decode(),
        "embedded-offset-1": base64.b64encode(b"x" + raw + b"!!").decode(),
        "embedded-offset-2": base64.urlsafe_b64encode(b"x:" + raw).decode(),
        "form-body": urlencode({"client_id": "m2m-client-id", "client_secret": secret}),
    }


@pytest.mark.parametrize("form", list(encoded_forms(ODD_SECRET)))
def test_encoded_client_secret_is_scrubbed(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                                           form: str) -> None:
    echoed = encoded_forms(ODD_SECRET)[form]
    creds = Credentials(domain=BASE, client_id="m2m-client-id", client_secret=ODD_SECRET)
    rsps.post(TOKEN_URL, status=400, json={"error": "invalid_client", "error_description": f"rejected {echoed} ok"})
    with pytest.raises(ApiError) as exc:
        make_client(credentials=creds).get("/api/v1/roles")
    text = str(exc.value)
    for value in encoded_forms(ODD_SECRET).values():
        assert value not in text
    assert ODD_SECRET not in text
    assert "rejected " in text and " ok" in text  # the rest of the message survives


@pytest.mark.parametrize("encode", [
    lambda t: base64.b64encode(t.encode()).decode(),
    lambda t: base64.b64encode(b"Bearer " + t.encode()).decode(),
    lambda t: quote_plus(f"Bearer {t}"),
])
def test_encoded_issued_token_is_scrubbed(rsps: responses.RequestsMock, client: KindeClient,
                                          events: list[str], encode: Callable[[str], str]) -> None:
    rsps.get(ROLES, json={"roles": []})
    client.get("/api/v1/roles")  # TOKEN issued
    echoed = encode(TOKEN)
    rsps.get(ROLES + "/r1", status=400, json={"errors": [{"code": "BAD", "message": f"saw {echoed}"}]})
    rsps.get(ROLES + "/r2", status=503, json={"errors": [{"code": "DOWN", "message": f"saw {echoed}"}]})
    rsps.get(ROLES + "/r2", json={})
    with pytest.raises(ApiError) as exc:
        client.get("/api/v1/roles/r1")
    assert echoed not in str(exc.value) and "***" in str(exc.value)
    client.get("/api/v1/roles/r2")
    assert all(echoed not in line for line in events)


def test_scrubber_leaves_ordinary_text_alone() -> None:
    scrub = Scrubber(ODD_SECRET, TOKEN)
    text = "GET /api/v1/roles failed: HTTP 400 INVALID_REQUEST: name is required (a=b&c=d)"
    assert scrub(text) == text


def test_short_secret_base64_fragments_do_not_eat_text() -> None:
    # Fragments under MIN_FRAGMENT characters could match anything; the raw value is still masked.
    scrub = Scrubber("ab")
    assert scrub("YWI tab ab") == "YWI t*** ***"
