"""Secrets that may only be read from the environment: each kind names the fields of its entries
(``KindConfig.env_only_fields``) whose value must be written as exactly one ``${env:NAME}``.

Checked on the merged document before references are substituted, since afterwards a value read
from the environment and one typed into the file look the same. The message never repeats the
value: it is a secret that should not have been written down.
"""

from __future__ import annotations

import re
from typing import Any

from kinde_iac.config.model import KIND_OF_SECTION
from kinde_iac.config.sources import SourceNode
from kinde_iac.errors import ConfigError

_ENV_REFERENCE = re.compile(r"\$\{env:[A-Za-z_][A-Za-z0-9_]*\}")
_MISSING = object()


def _value_at(entry: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = entry
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def check_env_only(doc: dict[str, Any], root: SourceNode) -> None:
    """Raise ConfigError at the first secret field not written as ``${env:NAME}``."""
    for section, kind in KIND_OF_SECTION.items():
        if not kind.env_only_fields:
            continue
        entries = doc.get(section)
        for i, entry in enumerate(entries if isinstance(entries, list) else ()):
            if not isinstance(entry, dict):
                continue
            for path in kind.env_only_fields:
                value = _value_at(entry, path)
                if value is _MISSING or value is None:
                    continue  # not written: not managed
                if isinstance(value, str) and _ENV_REFERENCE.fullmatch(value):
                    continue
                file, where = root.locate((section, i, *path))
                raise ConfigError('a secret must be read from the environment: write "${env:NAME}" here, '
                                  "never the value itself", file=file, path=where)
