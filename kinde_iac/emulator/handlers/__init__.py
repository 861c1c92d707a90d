"""One handler module per resource kind; :func:`all_routes` is the registry the app routes from."""
from __future__ import annotations

from kinde_iac.emulator.handlers import (
    api_keys,
    apis,
    applications,
    connections,
    control,
    env_vars,
    environment,
    feature_flags,
    permissions,
    roles,
    token,
    webhooks,
)
from kinde_iac.emulator.handlers.base import Route

_MODULES = (token, control, environment, applications, apis, roles, permissions, feature_flags,
            env_vars, api_keys, webhooks, connections)


def all_routes() -> list[Route]:
    return [route for module in _MODULES for route in module.routes.routes]
