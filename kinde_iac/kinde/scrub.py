"""Removing the client secret and issued tokens from anything printable, in the forms they travel in.

An error body or a proxy's message rarely echoes a secret verbatim: the token request is a form,
so the secret arrives percent-encoded (``quote_plus``) or as ``quote`` would write it, and HTTP Basic
auth or a logged header carries it base64-encoded, usually inside a longer string
(``base64("client_id:secret")``). Each form is matched, not only the raw value.
"""
from __future__ import annotations

import base64
import re
import threading
from urllib.parse import quote, quote_plus

MASK = "***"
# A base64 fragment shorter than this could match ordinary text; the raw secret is always masked.
MIN_FRAGMENT = 8
_PERCENT = re.compile(r"%[0-9A-F]{2}")


def _percent_pattern(encoded: str) -> str:
    # Servers differ in the case of percent escapes (%2F or %2f); the rest of a secret is case-sensitive.
    parts, last = [], 0
    for m in _PERCENT.finditer(encoded):
        parts.append(re.escape(encoded[last:m.start()]))
        parts.append("%(?i:" + m.group()[1:] + ")")
        last = m.end()
    parts.append(re.escape(encoded[last:]))
    return "".join(parts)


def _base64_fragments(secret: bytes) -> set[str]:
    """The base64 text that encodes ``secret`` wherever it sits inside a longer value.

    The whole encoding (standard and URL-safe, with and without padding) covers a secret encoded
    alone. Inside a longer value the encoding of a byte depends on its offset modulo 3, so for each
    of the three offsets keep only the characters that no neighbouring byte influences.
    """
    whole = base64.b64encode(secret).decode()
    out = {whole, whole.rstrip("="), base64.urlsafe_b64encode(secret).decode(),
           base64.urlsafe_b64encode(secret).decode().rstrip("=")}
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + secret).decode().rstrip("=")
        start = -(-8 * offset // 6)  # first character made of secret bits only
        end = 8 * (offset + len(secret)) // 6  # characters after this one include bits of what follows
        fragment = encoded[start:end]
        out.add(fragment)
        out.add(fragment.replace("+", "-").replace("/", "_"))
    return {f for f in out if len(f) >= MIN_FRAGMENT}


def variants(secret: str) -> list[str]:
    """Regular expressions for every form of ``secret`` that is masked."""
    patterns = {re.escape(secret)}
    for encoded in (quote(secret, safe=""), quote(secret), quote_plus(secret)):
        if encoded != secret:
            patterns.add(_percent_pattern(encoded))
    patterns.update(re.escape(f) for f in _base64_fragments(secret.encode()))
    return sorted(patterns, key=len, reverse=True)


class Scrubber:
    """Masks every form of the secrets it has been told about; thread-safe.

    The pattern is compiled when there is first something to scrub, not when a secret is added:
    the forms of a bearer token (10 kB with every scope listed) compile in about 0.15 s of CPU, which
    a run that never prints an error must not pay for its token.
    """

    def __init__(self, *secrets: str) -> None:
        self._lock = threading.Lock()
        self._known: set[str] = set()
        self._patterns: list[str] = []
        self._regex: re.Pattern[str] | None = None
        self._stale = False
        for secret in secrets:
            self.add(secret)

    def __repr__(self) -> str:
        return f"<Scrubber {len(self._known)} secrets>"

    def add(self, secret: str) -> None:
        if not secret:
            return
        with self._lock:
            if secret in self._known:
                return
            self._known.add(secret)
            self._patterns = sorted({*self._patterns, *variants(secret)}, key=len, reverse=True)
            self._stale = True

    def __call__(self, text: str) -> str:
        with self._lock:
            if self._stale:
                self._regex = re.compile("|".join(self._patterns))
                self._stale = False
            regex = self._regex
        return regex.sub(MASK, text) if regex is not None else text
