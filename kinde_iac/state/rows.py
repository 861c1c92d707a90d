"""The one converter between state records and table rows, shared by every backend.

A row is a dict of column name to ``str``, ``int``, ``bool`` or ``None``. Structured values (a resource's
natural key, attributes and dependencies, an apply's summary) live in JSON text columns, written
with sorted keys and no spaces so equal values are stored as identical bytes (diffable files,
stable fingerprints). JSON columns are text in every backend, so this one converter serves all.
"""
from __future__ import annotations

import json
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from kinde_iac.errors import StateError
from kinde_iac.state.records import ApplyRecord, StateResource

__all__ = ["Row", "dumps", "from_row", "json_text", "to_row"]

Row = dict[str, Any]
_R = TypeVar("_R")

converter = cattrs.Converter()


def dumps(value: Any) -> str:
    """Canonical JSON text; raises TypeError/ValueError for what JSON cannot hold (sets, NaN)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _load_json(value: str, _type: Any) -> Any:
    # Decoded JSON already has the field's shape (the records' attrs converters make tuples), and
    # walking every attribute again through cattrs would double the cost of reading a state.
    return json.loads(value)


# Plain columns need no hooks: cattrs maps attrs fields to same-named keys. JSON columns do.
_TO_JSON = override(unstruct_hook=dumps)
_FROM_JSON = override(struct_hook=_load_json)
converter.register_unstructure_hook(
    StateResource,
    make_dict_unstructure_fn(StateResource, converter, natural=_TO_JSON, attributes=_TO_JSON, depends_on=_TO_JSON),
)
converter.register_structure_hook(
    StateResource,
    make_dict_structure_fn(StateResource, converter, natural=_FROM_JSON, attributes=_FROM_JSON, depends_on=_FROM_JSON),
)
converter.register_unstructure_hook(ApplyRecord, make_dict_unstructure_fn(ApplyRecord, converter, summary=_TO_JSON))
converter.register_structure_hook(ApplyRecord, make_dict_structure_fn(ApplyRecord, converter, summary=_FROM_JSON))


def _explain(exc: BaseException, type_: Any) -> str:
    return "required field missing" if isinstance(exc, KeyError) else str(exc)


def json_text(value: Any, what: str) -> str:
    """``value`` as a JSON column; ``what`` names it in the error when it cannot be stored."""
    try:
        return dumps(value)
    except (TypeError, ValueError) as exc:
        raise StateError(f"cannot store {what}: not JSON-serialisable ({exc})") from exc


def to_row(record: attrs.AttrsInstance, what: str) -> Row:
    """The row for ``record``. ``what`` names it in the error when a value cannot be stored."""
    try:
        row: Row = converter.unstructure(record)
    except (TypeError, ValueError) as exc:
        raise StateError(f"cannot store {what}: not JSON-serialisable ({exc})") from exc
    return row


def from_row(row: Row, cls: type[_R], where: str) -> _R:
    """The record in ``row``; a row that does not decode is reported against ``where``."""
    try:
        return converter.structure(row, cls)
    except cattrs.BaseValidationError as exc:
        why = "; ".join(cattrs.transform_error(exc, format_exception=_explain))
    except (ValueError, TypeError, KeyError) as exc:
        why = str(exc)
    raise StateError(f"state file {where}: damaged {cls.__name__} row: {why}")
