"""The one pooled HTTP session a client owns."""
from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter


def open_session(base_url: str, pool_size: int) -> requests.Session:
    """A session with one connection pool big enough for every request the client lets fly at once;
    urllib3's own retries are off because the client decides what is safe to repeat."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
