"""Who kinde-iac talks to and as whom: M2M credentials from the environment, and the cached token.

The client secret and bearer token never reach a repr or message: Kinde bills every token request
and a leaked token acts on a whole environment, so both are kept out of anything printable.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping

import attrs

from kinde_iac.errors import KindeIacError

# Refresh this long before the server-side expiry so an in-flight request never carries a token
# that dies on the way (the Kinde Python SDK uses the same margin).
REFRESH_MARGIN_S = 60.0
# Kinde's token response normally carries expires_in; the SDK assumes an hour when it does not.
DEFAULT_EXPIRES_IN_S = 3600.0


@attrs.frozen
class Credentials:
    domain: str  # base URL with scheme and no trailing slash, e.g. "https://acme.kinde.com"
    client_id: str
    client_secret: str = attrs.field(repr=False)
    # Space-separated subset of the app's granted scopes to request (KINDE_SCOPES); None asks for all.
    scope: str | None = None


def normalize_domain(domain: str) -> str:
    """``acme.kinde.com`` -> ``https://acme.kinde.com``; an explicit scheme (the emulator's http) is kept."""
    d = domain.strip().rstrip("/")
    if "://" not in d:
        d = "https://" + d
    return d


def resolve_credentials(config_domain: str | None, env: Mapping[str, str] = os.environ) -> Credentials:
    """Build credentials from ``KINDE_CLIENT_ID``/``KINDE_CLIENT_SECRET`` and the domain.

    ``KINDE_DOMAIN`` wins over the config's domain, as in Kinde's own guide, so CI can point one
    config at another tenant without editing it. Every missing piece is named in one error.
    ``KINDE_SCOPES`` (space or comma separated) narrows the token to a subset of granted scopes.
    """
    client_id = (env.get("KINDE_CLIENT_ID") or "").strip()
    client_secret = (env.get("KINDE_CLIENT_SECRET") or "").strip()
    domain = (env.get("KINDE_DOMAIN") or "").strip() or (config_domain or "").strip()

    missing = [name for name, value in (("KINDE_CLIENT_ID", client_id),
                                        ("KINDE_CLIENT_SECRET", client_secret)) if not value]
    problems = []
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        problems.append(f"{' and '.join(missing)} {verb} not set; export the client ID and secret of an "
                        "M2M application authorized for the Kinde Management API")
    if not domain:
        problems.append('no Kinde domain: set KINDE_DOMAIN or "kinde": {"domain": ...} in the workspace config')
    if problems:
        raise KindeIacError("; ".join(problems))
    scopes = (env.get("KINDE_SCOPES") or "").replace(",", " ").split()
    return Credentials(domain=normalize_domain(domain), client_id=client_id, client_secret=client_secret,
                       scope=" ".join(scopes) or None)


@attrs.frozen
class Token:
    access_token: str = attrs.field(repr=False)
    refresh_at: float  # on the cache's clock


class TokenCache:
    """Holds one bearer token and fetches a new one only when needed, once, whatever the thread count.

    ``fetch`` returns ``(access_token, expires_in_seconds or None)``; it runs under the lock so
    threads that need a token at the same moment wait for the one fetch instead of each paying for
    their own.
    """

    def __init__(self, fetch: Callable[[], tuple[str, float | None]], *,
                 clock: Callable[[], float] = time.monotonic, margin: float = REFRESH_MARGIN_S) -> None:
        self._fetch = fetch
        self._clock = clock
        self._margin = margin
        self._lock = threading.Lock()
        self._token: Token | None = None
        #: A prefetch that failed: the next get() raises it rather than asking a second time.
        self._failed: Exception | None = None

    def __repr__(self) -> str:
        state = "empty" if self._token is None else "cached"
        return f"<TokenCache {state}>"

    def get(self) -> str:
        with self._lock:
            if self._failed is not None:
                failed, self._failed = self._failed, None
                raise failed
            if self._token is None or self._clock() >= self._token.refresh_at:
                self._renew()
            assert self._token is not None
            return self._token.access_token

    def prefetch(self) -> None:
        """Fetch a token now, on the calling thread, if none is held; a failure is kept for the next
        ``get`` to raise (tokens are billed: a failed fetch is not repeated at once)."""
        with self._lock:
            if self._token is not None or self._failed is not None:
                return
            try:
                self._renew()
            except Exception as err:  # noqa: BLE001 - raised by the next get(), on the caller's thread
                self._failed = err

    def _renew(self) -> None:
        access_token, expires_in = self._fetch()
        lifetime = DEFAULT_EXPIRES_IN_S if expires_in is None else max(0.0, float(expires_in))
        # A lifetime shorter than twice the margin would mean refetching on every call.
        margin = min(self._margin, lifetime / 2)
        self._token = Token(access_token, self._clock() + lifetime - margin)

    def invalidate(self, rejected: str) -> None:
        """Forget the token the server rejected; a no-op if another thread already replaced it."""
        with self._lock:
            if self._token is not None and self._token.access_token == rejected:
                self._token = None

    def known_secret(self) -> str | None:
        """The current token, so error messages can be scrubbed of it."""
        with self._lock:
            return self._token.access_token if self._token else None
