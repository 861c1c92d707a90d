"""PostgreSQL for the tests (a pytest plugin, registered in tests/conftest.py).

The server is ``KINDE_IAC_TEST_PG_URL``, else ``postgresql://postgres@127.0.0.1:5432/test``. Every
schema a test run makes starts with this run's own prefix and is dropped at the end of the test (and
any left over at the end of the run). When no server answers, the header says so in one line and
the PostgreSQL tests are skipped; under ``KINDE_IAC_REQUIRE_PG=1`` (``.ci/run``) they fail instead.
"""
from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
#: This run's schema prefix: runs on one server (CI jobs, engineers) never touch each other's schemas.
RUN_PREFIX = f"kiac_test_{os.getpid()}_{secrets.token_hex(3)}"
_counter = iter(range(1, 1_000_000))


def server_url() -> str:
    return os.environ.get("KINDE_IAC_TEST_PG_URL") or DEFAULT_URL


def with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


@functools.cache
def unreachable() -> str | None:
    """Why no PostgreSQL can be used (None: it can)."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    try:
        with psycopg.connect(server_url(), connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return " ".join(str(exc).split())[:200]
    return None


def require() -> str:
    """The server URL, or skip (fail under KINDE_IAC_REQUIRE_PG=1) when there is none."""
    why = unreachable()
    if why is None:
        return server_url()
    message = f"PostgreSQL unreachable at {server_url()} ({why})"
    if os.environ.get("KINDE_IAC_REQUIRE_PG") == "1":
        pytest.fail(f"{message}; KINDE_IAC_REQUIRE_PG=1 requires it")
    pytest.skip(f"{message}: PostgreSQL state tests skipped")


def execute(sql: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(server_url(), autocommit=True) as conn:
        cursor = conn.execute(sql, params or None)
        return cursor.fetchall() if cursor.description else []


def drop_schema(schema: str) -> None:
    execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def new_schema_name() -> str:
    return f"{RUN_PREFIX}_{next(_counter)}"


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A schema name of this run for one test (created by the code under test), dropped after it."""
    require()
    name = new_schema_name()
    yield name
    drop_schema(name)


@pytest.fixture
def pg_url(pg_schema: str) -> str:
    """A state URL in this test's own schema."""
    return with_schema(server_url(), pg_schema)


def pytest_report_header(config: pytest.Config) -> str:
    why = unreachable()
    if why is None:
        return f"postgresql: {server_url()} (schemas {RUN_PREFIX}_*)"
    required = " and KINDE_IAC_REQUIRE_PG=1: they fail" if os.environ.get("KINDE_IAC_REQUIRE_PG") == "1" else \
        ": they are skipped"
    return f"postgresql: unreachable at {server_url()} ({why}); PostgreSQL tests need it{required}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if unreachable() is not None:
        return
    left = execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", RUN_PREFIX + "%")
    for (name,) in left:
        drop_schema(name)
