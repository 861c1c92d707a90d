"""Plan documents as printed by ``plan --format json`` and ``show --format json``: one workspace's
document as it is, several under ``workspaces``, a failed workspace as its error. The document itself
is ``engine.plan_document``'s."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def error_document(workspace: str, error: str | None) -> dict[str, Any]:
    """A workspace whose plan failed, in a run over several."""
    return {"workspace": workspace, "errors": [error]}


def workspaces_document(documents: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One workspace's document as it is; several under ``workspaces``."""
    return documents[0] if len(documents) == 1 else {"workspaces": list(documents)}
