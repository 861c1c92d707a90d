"""The PostgreSQL layout: one schema holding every workspace's rows, created on first use,
versioned in ``kinde_iac_layout`` and moved forward one version at a time.

Version history (``kinde_iac_layout.version``, this backend's own numbering):

1. The first layout: ``meta``, ``resources``, ``applies``, ``journal`` and ``locks``, each keyed
   by ``workspace``.

Every write transaction reads the version ``FOR SHARE``: a migration (``FOR UPDATE`` on the same
row) waits for the writers in flight and holds new ones back, so no writer of an older layout can
slip a row in after the layout moved on, and a kinde-iac that finds a newer layout refuses it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kinde_iac.state.meta import check_version

SCHEMA_VERSION = 1
LAYOUT = "kinde_iac_layout"
TABLES = ("meta", "resources", "applies", "journal", "locks")

#: ``{s}`` is the quoted schema name. JSON columns are text, as in every backend (state/rows.py);
#: ``applies.seq`` orders applies by start (started_at can tie within a millisecond); the primary
#: key of ``locks`` refuses a second holder of a workspace whatever the caller checked.
DDL = """
CREATE TABLE {s}.kinde_iac_layout (one boolean PRIMARY KEY DEFAULT true CHECK (one), version integer NOT NULL);
CREATE TABLE {s}.meta (workspace text NOT NULL, key text NOT NULL, value text NOT NULL,
    PRIMARY KEY (workspace, key));
CREATE TABLE {s}.resources (workspace text NOT NULL, address text NOT NULL, kind text NOT NULL,
    key text NOT NULL, kinde_id text, "natural" text NOT NULL, attributes text NOT NULL,
    depends_on text NOT NULL, updated_at text NOT NULL, protect boolean NOT NULL DEFAULT false,
    PRIMARY KEY (workspace, address));
CREATE TABLE {s}.applies (seq bigserial NOT NULL, workspace text NOT NULL, id text NOT NULL,
    who text NOT NULL, host text, pid integer, lock_id text, started_at text NOT NULL, finished_at text,
    status text NOT NULL, summary text NOT NULL, PRIMARY KEY (workspace, id));
CREATE INDEX ON {s}.applies (workspace, seq);
CREATE TABLE {s}.journal (id bigserial PRIMARY KEY, workspace text NOT NULL, apply_id text NOT NULL,
    address text NOT NULL, action text NOT NULL, method text NOT NULL, path text NOT NULL,
    started_at text NOT NULL, finished_at text, outcome text, detail text NOT NULL, kinde_id text,
    FOREIGN KEY (workspace, apply_id) REFERENCES {s}.applies (workspace, id));
CREATE INDEX ON {s}.journal (workspace, apply_id, id);
CREATE INDEX ON {s}.journal (workspace, id) WHERE finished_at IS NULL;
CREATE TABLE {s}.locks (workspace text PRIMARY KEY, id text NOT NULL, operation text NOT NULL,
    who text NOT NULL, host text NOT NULL, pid integer NOT NULL, since text NOT NULL, process text)
"""
CREATE_TABLES = tuple(" ".join(statement.split()) for statement in DDL.split(";"))

#: ``MIGRATIONS[n]`` turns a version-n layout into version n + 1: statements run in order inside the
#: migrating transaction. Empty while version 1 is the only layout.
MIGRATIONS: dict[int, tuple[str, ...]] = {}


def create(execute: Callable[[str], Any], quoted_schema: str) -> None:
    """The current layout in an empty schema, with its version row."""
    for statement in CREATE_TABLES:
        execute(statement.format(s=quoted_schema))
    execute(f"INSERT INTO {quoted_schema}.{LAYOUT} (version) VALUES ({SCHEMA_VERSION})")


def migrate(execute: Callable[[str], Any], quoted_schema: str, version: int, where: str) -> None:
    """Bring a layout at ``version`` up to :data:`SCHEMA_VERSION` (the caller holds the layout row)."""
    check_version(version, SCHEMA_VERSION, where)
    for step in range(version, SCHEMA_VERSION):
        for statement in MIGRATIONS[step]:
            execute(statement.format(s=quoted_schema))
    execute(f"UPDATE {quoted_schema}.{LAYOUT} SET version = {SCHEMA_VERSION}")
