"""The current environment and the business (read-mostly)."""
from __future__ import annotations

from typing import Any

import attrs

from kinde_iac.emulator.store.core import Store
from kinde_iac.emulator.store.models import BUSINESS_SCOPE, Business, Environment

# PATCH /api/v1/business field -> GET /api/v1/business field (the names differ in Kinde).
BUSINESS_FIELDS = {
    "business_name": "name", "email": "email", "industry_key": "industry", "phone": "phone",
    "privacy_url": "privacy_url", "terms_url": "terms_url", "timezone_key": "timezone",
    "is_click_wrap": "has_clickwrap", "is_show_kinde_branding": "has_kinde_branding",
}


class Environments:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, env: str) -> tuple[Environment, bool]:
        """The environment and whether it is the default one (the first configured)."""
        with self._store.read() as view:
            return view.table(env, "environment")[env], env == self._store.environments[0]

    def business(self) -> Business:
        with self._store.read() as view:
            return next(iter(view.table(BUSINESS_SCOPE, "business").values()))

    def update_business(self, changes: dict[str, Any]) -> Business:
        with self._store.write() as tx:
            business = next(iter(tx.table(BUSINESS_SCOPE, "business").values()))
            fields = {BUSINESS_FIELDS[k]: v for k, v in changes.items() if k in BUSINESS_FIELDS and v is not None}
            return tx.put(BUSINESS_SCOPE, "business", attrs.evolve(business, **fields))
