"""Feature flags: business-wide definitions, per-environment value overrides.

Kinde keeps flag definitions at the business level (edits apply to every environment; a delete
removes every override), and lets each environment override the value.
"""
from __future__ import annotations

import re

import attrs

from kinde_iac.emulator.errors import StoreError
from kinde_iac.emulator.store import rules
from kinde_iac.emulator.store.core import Store
from kinde_iac.emulator.store.models import BUSINESS_SCOPE, FeatureFlag, FlagOverride
from kinde_iac.emulator.store.tables import View, require

FLAG_TYPES = ("str", "int", "bool")
CREATE_OVERRIDE_LEVELS = ("env", "org", "usr")
REPLACE_OVERRIDE_LEVELS = ("env", "org")  # the PUT enum lacks "usr"
_INT = re.compile(r"^[+-]?\d+$")
_INT32 = (-2147483648, 2147483647)  # the range Kinde's docs give for integer flags


def normalize_value(flag_type: str, value: object) -> str:
    """The canonical string form of a flag value: ``"true"``/``"false"`` for bool, the decimal
    integer for int. JSON booleans and numbers are accepted as well as strings because Kinde's
    own guide sends ``"default_value": true``."""
    if flag_type == "bool":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower()
    elif flag_type == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and _INT.match(value.strip()):
            number = int(value.strip())
        else:
            number = None
        if number is not None and _INT32[0] <= number <= _INT32[1]:
            return str(number)
    elif flag_type == "str" and isinstance(value, str):
        return value
    raise StoreError("INVALID_FEATURE_FLAG_VALUE", f"{value!r} is not a valid {flag_type} flag value")


def find_flag(view: View, key: str) -> FeatureFlag:
    return require(view, BUSINESS_SCOPE, "feature_flags", key, "FEATURE_FLAG_NOT_FOUND", "Feature flag not found")


class FeatureFlags:
    def __init__(self, store: Store) -> None:
        self._store = store

    def create(self, *, key: str | None, name: str | None, type: str | None, default_value: object,
               description: str | None, allow_override_level: str | None) -> FeatureFlag:
        key = rules.key(key, max_len=128, code="INVALID_FEATURE_FLAG_KEY")
        name = rules.required(name, "name", max_len=128)
        if type not in FLAG_TYPES:
            raise StoreError("INVALID_TYPE", f"type must be one of {', '.join(FLAG_TYPES)}")
        if allow_override_level is not None and allow_override_level not in CREATE_OVERRIDE_LEVELS:
            raise StoreError("INVALID_ALLOW_OVERRIDE_LEVEL",
                             f"allow_override_level must be one of {', '.join(CREATE_OVERRIDE_LEVELS)}")
        if default_value is None:
            raise StoreError("DEFAULT_VALUE_REQUIRED", "default_value is required")
        value = normalize_value(type, default_value)
        with self._store.write() as tx:
            if key in tx.table(BUSINESS_SCOPE, "feature_flags"):
                raise StoreError("FEATURE_FLAG_KEY_ALREADY_EXISTS", f"A feature flag with key {key} already exists")
            flag = FeatureFlag(key=key, name=name, type=type, default_value=value, seq=tx.next_seq(),
                               description=description or None, allow_override_level=allow_override_level)
            return tx.put(BUSINESS_SCOPE, "feature_flags", flag)

    def replace(self, key: str, *, name: str | None, description: str | None, type: str | None,
                allow_override_level: str | None, default_value: object) -> FeatureFlag:
        """PUT: a full replace of the editable fields. Kinde's docs say a flag's type and override
        level cannot be edited, yet PUT requires both, so they must match the current ones."""
        name = rules.required(name, "name", max_len=128)
        if allow_override_level not in REPLACE_OVERRIDE_LEVELS:
            raise StoreError("INVALID_ALLOW_OVERRIDE_LEVEL",
                             f"allow_override_level must be one of {', '.join(REPLACE_OVERRIDE_LEVELS)}")
        if type not in FLAG_TYPES:
            raise StoreError("INVALID_TYPE", f"type must be one of {', '.join(FLAG_TYPES)}")
        if default_value is None:
            raise StoreError("DEFAULT_VALUE_REQUIRED", "default_value is required")
        with self._store.write() as tx:
            flag = find_flag(tx, key)
            if type != flag.type:
                raise StoreError("FEATURE_FLAG_FIELD_IMMUTABLE", "The type of a feature flag cannot be changed")
            if flag.allow_override_level is not None and allow_override_level != flag.allow_override_level:
                raise StoreError("FEATURE_FLAG_FIELD_IMMUTABLE",
                                 "The override level of a feature flag cannot be changed")
            return tx.put(BUSINESS_SCOPE, "feature_flags", attrs.evolve(
                flag, name=name, description=description or None, allow_override_level=allow_override_level,
                default_value=normalize_value(type, default_value)))

    def delete(self, key: str) -> None:
        """Removes the definition and its override in every environment."""
        with self._store.write() as tx:
            find_flag(tx, key)
            for env in tx.environment_scopes():
                tx.delete(env, "flag_overrides", key)
            tx.delete(BUSINESS_SCOPE, "feature_flags", key)

    # -- per-environment values ----------------------------------------------------------------

    def effective(self, env: str) -> list[tuple[FeatureFlag, str, bool]]:
        """(flag, effective value, overridden?) for every flag as ``env`` sees it."""
        with self._store.read() as view:
            overrides = view.table(env, "flag_overrides")
            out = []
            for flag in view.records(BUSINESS_SCOPE, "feature_flags"):
                override = overrides.get(flag.key)
                out.append((flag, override.value if override else flag.default_value, override is not None))
            return out

    def set_override(self, env: str, key: str, value: object) -> None:
        if value is None:
            raise StoreError("VALUE_REQUIRED", "value is required")
        with self._store.write() as tx:
            flag = find_flag(tx, key)
            tx.put(env, "flag_overrides", FlagOverride(key=key, value=normalize_value(flag.type, value)))

    def delete_override(self, env: str, key: str) -> None:
        """Idempotent for a known flag: deleting an absent override succeeds."""
        with self._store.write() as tx:
            find_flag(tx, key)
            tx.delete(env, "flag_overrides", key)

    def delete_overrides(self, env: str) -> None:
        with self._store.write() as tx:
            for key in list(tx.table(env, "flag_overrides")):
                tx.delete(env, "flag_overrides", key)
