"""Access tokens: JWT-shaped (HS256), signed with a key kept in the data file.

Signing instead of storing tokens means nothing is written per token request, and a token stays
valid across a restart that reuses ``--data``. Claims follow Kinde's M2M tokens (``aud``, ``azp``,
``scope``, ``scp``, ``gty``); the environment is the one whose M2M client is ``azp``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

from attrs import frozen

TOKEN_TTL = 86399  # seconds; the value Kinde's docs show for expires_in
#: Tokens whose signature was checked, kept so each is checked once (a bound, not a policy).
VERIFIED_MAX = 1024


@frozen
class Claims:
    client_id: str
    scopes: frozenset[str]
    audience: str
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenService:
    def __init__(self, key: bytes, ttl: int = TOKEN_TTL) -> None:
        self._key = key
        self.ttl = ttl
        # A token's signature and claims never change, and a client sends the same token (10 kB
        # with every Management API scope) on every request: decoding and checking it each time
        # was a fifth of the emulator's CPU per request, time a benchmark would charge to the
        # client. Expiry is still checked on every use.
        self._verified: dict[str, Claims] = {}

    def issue(self, *, client_id: str, audience: str, issuer: str, scopes: list[str]) -> str:
        now = int(time.time())
        header = {"alg": "HS256", "typ": "JWT"}
        claims = {
            "aud": [audience], "azp": client_id, "iss": issuer, "iat": now, "exp": now + self.ttl,
            "jti": secrets.token_hex(16), "gty": ["client_credentials"],
            "scope": " ".join(scopes), "scp": scopes, "v": "2",
        }
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        return f"{signing_input}.{_b64(self._sign(signing_input))}"

    def verify(self, token: str) -> Claims | None:
        """The token's claims, or None when it is malformed, forged or expired."""
        claims = self._verified.get(token)
        if claims is None:
            claims = self._check(token)
            if claims is None:
                return None
            if len(self._verified) >= VERIFIED_MAX:
                self._verified.clear()
            self._verified[token] = claims
        return claims if claims.expires_at > time.time() else None

    def _check(self, token: str) -> Claims | None:
        try:
            head, body, sig = token.split(".")
            if not hmac.compare_digest(_unb64(sig), self._sign(f"{head}.{body}")):
                return None
            claims = json.loads(_unb64(body))
            expires_at = int(claims["exp"])
            return Claims(client_id=str(claims["azp"]), scopes=frozenset(claims.get("scp") or ()),
                          audience=str((claims.get("aud") or [""])[0]), expires_at=expires_at)
        except (ValueError, KeyError, TypeError):
            return None

    def _sign(self, signing_input: str) -> bytes:
        return hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest()
