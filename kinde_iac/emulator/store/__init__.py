"""The emulator's data: a :class:`Store` plus one repository per resource kind.

Handlers reach the data only through :class:`Repositories`, which enforce every rule (unique keys,
cascades, immutable fields) under the store's lock.
"""
from __future__ import annotations

from kinde_iac.emulator.store.api_keys import ApiKeys
from kinde_iac.emulator.store.apis import Apis
from kinde_iac.emulator.store.applications import Applications
from kinde_iac.emulator.store.connections import Connections
from kinde_iac.emulator.store.core import Client, Store
from kinde_iac.emulator.store.env_vars import EnvVars
from kinde_iac.emulator.store.environment import Environments
from kinde_iac.emulator.store.feature_flags import FeatureFlags
from kinde_iac.emulator.store.permissions import Permissions
from kinde_iac.emulator.store.persistence import DataFileInUse
from kinde_iac.emulator.store.roles import Roles
from kinde_iac.emulator.store.webhooks import Webhooks


class Repositories:
    """Every repository over one store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.applications = Applications(store)
        self.apis = Apis(store)
        self.roles = Roles(store)
        self.permissions = Permissions(store)
        self.feature_flags = FeatureFlags(store)
        self.env_vars = EnvVars(store)
        self.api_keys = ApiKeys(store)
        self.environments = Environments(store)
        self.webhooks = Webhooks(store)
        self.connections = Connections(store)


__all__ = ["Client", "DataFileInUse", "Repositories", "Store"]
