"""Webhooks (per environment): name, description and event types are editable; the endpoint is not."""
from __future__ import annotations

import builtins
from collections.abc import Sequence

import attrs

from kinde_iac.emulator import ids
from kinde_iac.emulator.errors import StoreError
from kinde_iac.emulator.store import rules
from kinde_iac.emulator.store.core import Store
from kinde_iac.emulator.store.models import Webhook
from kinde_iac.emulator.store.tables import View, require

# The triggers Kinde's webhook docs list (docs.kinde.com, "Add and manage webhooks"), with the
# names GET /api/v1/event_types shows for them.
EVENT_TYPES: tuple[tuple[str, str], ...] = (
    ("organization.created", "Organization created"),
    ("organization.updated", "Organization updated"),
    ("organization.deleted", "Organization deleted"),
    ("user.created", "User created"),
    ("user.updated", "User updated"),
    ("user.deleted", "User deleted"),
    ("user.authenticated", "User authenticated"),
    ("user.authentication_failed", "User authentication failed"),
    ("role.created", "Role created"),
    ("role.updated", "Role updated"),
    ("role.deleted", "Role deleted"),
    ("permission.created", "Permission created"),
    ("permission.updated", "Permission updated"),
    ("permission.deleted", "Permission deleted"),
    ("subscriber.created", "Subscriber created"),
    ("access_request.created", "Access request created"),
)
_EVENT_CODES = frozenset(code for code, _ in EVENT_TYPES)
NAME_MAX = 128  # emulator choice: Kinde publishes no limit


def find_webhook(view: View, env: str, webhook_id: str) -> Webhook:
    return require(view, env, "webhooks", webhook_id, "WEBHOOK_NOT_FOUND", "Webhook not found")


def _endpoint(value: str | None) -> str:
    endpoint = rules.required(value, "endpoint", max_len=2048)
    # Kinde calls webhooks "using HTTPS REST calls to a verified external URL".
    if not endpoint.startswith("https://") or len(endpoint) <= len("https://") or \
            any(ch.isspace() for ch in endpoint):
        raise StoreError("INVALID_ENDPOINT", "endpoint must be an https:// URL")
    return endpoint


def _event_types(value: Sequence[str] | None) -> tuple[str, ...]:
    if not value:
        raise StoreError("EVENT_TYPES_REQUIRED", "event_types must name at least one event type")
    unknown = [v for v in value if v not in _EVENT_CODES]
    if unknown:
        raise StoreError("INVALID_EVENT_TYPE", f"Unknown event type: {unknown[0]}")
    return tuple(dict.fromkeys(value))


class Webhooks:
    def __init__(self, store: Store) -> None:
        self._store = store

    def list(self, env: str) -> builtins.list[Webhook]:
        with self._store.read() as view:
            return view.records(env, "webhooks")

    def create(self, env: str, *, name: str | None, endpoint: str | None, event_types: Sequence[str] | None,
               description: str | None) -> Webhook:
        hook = Webhook(id=ids.webhook_id(), name=rules.required(name, "name", max_len=NAME_MAX), endpoint=_endpoint(endpoint),
                       event_types=_event_types(event_types), created_on=ids.now_iso(), seq=0,
                       description=description or None)
        with self._store.write() as tx:
            return tx.put(env, "webhooks", attrs.evolve(hook, seq=tx.next_seq()))

    def update(self, env: str, webhook_id: str, *, name: str | None, event_types: Sequence[str] | None,
               description: str | None, description_given: bool) -> Webhook:
        """PATCH: only the given fields change. The description is nullable in the spec, so
        unlike a role's it can be cleared, with ``null`` or ``""``."""
        with self._store.write() as tx:
            hook = find_webhook(tx, env, webhook_id)
            if name is not None:
                hook = attrs.evolve(hook, name=rules.required(name, "name", max_len=NAME_MAX))
            if event_types is not None:
                hook = attrs.evolve(hook, event_types=_event_types(event_types))
            if description_given:
                hook = attrs.evolve(hook, description=description or None)
            return tx.put(env, "webhooks", hook)

    def delete(self, env: str, webhook_id: str) -> None:
        with self._store.write() as tx:
            find_webhook(tx, env, webhook_id)
            tx.delete(env, "webhooks", webhook_id)
