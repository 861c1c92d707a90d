"""The ``meta`` record every backend keeps per workspace, and the checks made on it when opening.

Keys: ``schema_version`` (the backend's layout), ``lineage`` (uuid4 fixed at birth), ``serial``
(resource writes so far), ``workspace``, ``domain`` (when known at birth) and ``created_at``.
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping

from kinde_iac.errors import StateError
from kinde_iac.state.records import utc_now


def birth_meta(*, schema_version: int, workspace: str, domain: str | None) -> dict[str, str]:
    """The meta of a state that is being created: a fresh lineage, serial 0."""
    meta = {
        "schema_version": str(schema_version),
        "lineage": str(uuid.uuid4()),
        "serial": "0",
        "workspace": workspace,
        "created_at": utc_now(),
    }
    if domain is not None:
        meta["domain"] = domain
    return meta


def schema_version(meta: Mapping[str, str], where: str) -> int:
    """The layout version recorded in ``meta``; a state without one is not ours."""
    if "lineage" not in meta or "schema_version" not in meta:
        raise not_a_state(where, "no lineage/schema_version in table meta")
    try:
        version = int(meta["schema_version"])
    except (TypeError, ValueError) as exc:
        raise not_a_state(where, f"schema_version {meta['schema_version']!r} is not a number") from exc
    if version < 1:
        raise not_a_state(where, f"schema_version {version} does not exist")
    return version


def check_version(version: int, supported: int, where: str) -> None:
    """Refuse a state written by a newer kinde-iac: its layout may mean things this one cannot keep."""
    if version > supported:
        raise StateError(
            f"state file {where} was written by a newer kinde-iac (schema version {version}; "
            f"this kinde-iac understands up to {supported}); upgrade kinde-iac to use it"
        )


def check_meta(meta: Mapping[str, str], *, supported: int, workspace: str, where: str) -> int:
    """Check an existing state's meta is usable by this kinde-iac for ``workspace``; returns its version."""
    version = schema_version(meta, where)
    check_version(version, supported, where)
    if meta.get("workspace") != workspace:
        raise StateError(
            f"state file {where} belongs to workspace {meta.get('workspace')!r}, "
            f"not {workspace!r}; check --workspace or the state path"
        )
    return version


def not_a_state(where: str, why: object) -> StateError:
    return StateError(f"state file {where} is not a kinde-iac state database: {why}")
