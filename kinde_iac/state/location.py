"""Where a workspace's state lives: a SQLite file (a path) or a PostgreSQL database (a libpq URL).

``postgresql://user:password@host:port/dbname?schema=NAME`` (or ``postgres://``) names a database;
``schema`` (default ``kinde_iac``) is ours, every other query parameter goes to libpq unchanged.
Anything else is a path. A URL is never shown with its password: ``str()`` masks it, and
:func:`scrub` takes it (in every spelling) out of driver messages, which can echo the DSN.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import attrs

from kinde_iac.errors import StateError

DEFAULT_SCHEMA = "kinde_iac"
SCHEMES = ("postgresql", "postgres")
MASK = "***"

# An unquoted PostgreSQL identifier; quoted when used, so upper case keeps its case.
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


@attrs.frozen
class StateLocation:
    """A state's place: ``path`` for SQLite, or ``url`` (with its password, never printed) and ``schema``."""

    path: Path | None = None
    url: str | None = attrs.field(default=None, repr=False)
    schema: str = DEFAULT_SCHEMA

    @property
    def is_postgres(self) -> bool:
        return self.url is not None

    @property
    def shown(self) -> str:
        """How messages name it: the path, or the URL with its password masked."""
        if self.path is not None:
            return str(self.path)
        assert self.url is not None
        masked = mask_url(self.url)
        if self.schema == DEFAULT_SCHEMA:
            return masked
        return f"{masked}{'&' if '?' in masked else '?'}schema={self.schema}"

    def exists(self) -> bool:
        """Whether a state may be there: the file exists; a database is asked when it is opened."""
        return self.path.exists() if self.path is not None else True

    def scrub(self, text: str) -> str:
        """``text`` without this location's password in any spelling (libpq errors echo DSNs)."""
        return scrub(text, self.url) if self.url is not None else text

    def __str__(self) -> str:
        return self.shown


def parse_location(text: str | Path) -> StateLocation:
    """The location ``text`` names; a ``postgresql://`` URL is checked, anything else is a path."""
    if isinstance(text, Path):
        return StateLocation(path=text)
    match = _SCHEME.match(text)
    if match is None:
        if not text.strip():
            raise StateError("the state location is empty: give a file path or a postgresql:// URL")
        return StateLocation(path=Path(text))
    scheme = match.group(1).lower()
    if scheme not in SCHEMES:
        raise StateError(
            f"unsupported state location {mask_url(text)}: use a file path or a postgresql:// URL"
        )
    parts = urlsplit(text)
    params = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [v for k, v in params if k == "schema"]
    schema = schemas[-1] if schemas else DEFAULT_SCHEMA
    if not _SCHEMA_NAME.match(schema):
        raise StateError(
            f"state URL {mask_url(text)}: schema {schema!r} is not a plain identifier "
            f"(letters, digits and _, not starting with a digit, at most 63 characters)"
        )
    libpq_query = urlencode([(k, v) for k, v in params if k != "schema"])
    return StateLocation(url=urlunsplit((parts.scheme, parts.netloc, parts.path, libpq_query, "")), schema=schema)


def mask_url(url: str) -> str:
    """``url`` with the password (in the authority or as ``password=``) replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, hosts = netloc.rsplit("@", 1)
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":" + MASK
        netloc = f"{userinfo}@{hosts}"
    query = urlencode([(k, MASK if k == "password" else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)],
                      safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def passwords(url: str) -> list[str]:
    """Every spelling of the passwords ``url`` carries (as written, decoded, re-encoded)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found: list[str] = []
    userinfo = parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else ""
    if ":" in userinfo:
        found.append(userinfo.split(":", 1)[1])
    found += [v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k == "password"]
    spellings = {s for p in found if p for s in (p, unquote(p), quote(unquote(p), safe=""))}
    # Longest first, so a password that contains another spelling is replaced whole.
    return sorted((s for s in spellings if s), key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """``text`` with ``url`` shown masked and its password removed wherever it appears on its own."""
    text = text.replace(url, mask_url(url))
    for secret in passwords(url):
        text = text.replace(secret, MASK)
    return text
