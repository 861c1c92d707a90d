"""The one pooled HTTP session a client owns, with its environment settings read once.

A requests Session that trusts the environment re-reads the proxy variables (and ``.netrc``, and
the CA bundle variables) on every request (issue 19: 0.3 s of a 3.8 s XL plan's CPU). A client
talks to one host, so the answer never changes during a run: it is resolved here, once, and the
session stops looking. What requests would honour is still honoured: ``HTTPS_PROXY``,
``HTTP_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` (either case), ``REQUESTS_CA_BUNDLE`` and
``CURL_CA_BUNDLE``. ``.netrc`` is deliberately not: its Basic credentials would replace the bearer
token on every call.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

import requests
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies


def environment_proxies(url: str) -> dict[str, str]:
    """The proxies requests would use for ``url`` right now ({} when ``NO_PROXY`` covers its host)."""
    return dict(get_environ_proxies(url))


def environment_ca_bundle(environ: Mapping[str, str] = os.environ) -> str | None:
    return environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE") or None


def pin_environment(session: requests.Session, base_url: str) -> None:
    """Resolve the environment's proxy and CA settings for ``base_url`` once and stop the session
    from reading them again. Settings the session already has win, as they would per request."""
    if not session.trust_env:
        return
    for scheme, proxy in environment_proxies(base_url).items():
        session.proxies.setdefault(scheme, proxy)
    bundle = environment_ca_bundle()
    if bundle and session.verify is True:
        session.verify = bundle
    session.trust_env = False


#: What requests' session defaults add that Kinde's answers can use (compressed bodies).
_SESSION_DEFAULTS = {"Accept-Encoding": "gzip, deflate"}


def send(session: requests.Session, method: str, url: str, *, params: dict | None, json: object,
         headers: Mapping[str, str], timeout: tuple[float, float], merge_session: bool) -> requests.Response:
    """One request, redirects not followed. A session of our own (``merge_session`` false) holds
    nothing per request to merge (no auth, cookies, params or hooks, and the environment is pinned):
    the request is prepared directly, which skips requests' per-call merging of session settings,
    about a quarter of its client-side CPU per call (issue 19, `bench/`). A caller's session is used
    through ``Session.request`` so everything it was configured with still applies."""
    if merge_session:
        return session.request(method, url, params=params, json=json, headers=dict(headers), timeout=timeout,
                               allow_redirects=False)
    prepared = requests.PreparedRequest()
    prepared.prepare(method=method, url=url, params=params, json=json, headers={**_SESSION_DEFAULTS, **headers})
    return session.send(prepared, timeout=timeout, allow_redirects=False)


def open_session(base_url: str, pool_size: int) -> requests.Session:
    """A session with one connection pool big enough for every request the client lets fly at once;
    urllib3's own retries are off because the client decides what is safe to repeat."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    pin_environment(session, base_url)
    return session
