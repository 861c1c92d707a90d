"""The PostgreSQL state backend: a team's shared state, every table keyed by workspace, in one
schema (default ``kinde_iac``) of a database named by a ``postgresql://`` URL. Needs psycopg 3
(``pip install 'kinde-iac[postgres]'``)."""
from __future__ import annotations

from kinde_iac.state.postgres.backend import PostgresBackend
from kinde_iac.state.postgres.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "PostgresBackend"]
