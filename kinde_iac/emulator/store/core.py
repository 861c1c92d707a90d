"""The store: every record of every environment, one lock, and change sets that persist atomically.

Repositories (one module per resource kind) implement the rules; this module owns the data, its
lock and persistence, the built-in objects each environment starts with, reset and the state dump.
"""
from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import attrs
import cattrs

from kinde_iac.emulator import ids
from kinde_iac.emulator.errors import ApiFailure
from kinde_iac.emulator.store import persistence
from kinde_iac.emulator.store.models import (
    BUSINESS_KINDS,
    BUSINESS_SCOPE,
    ENV_KINDS,
    Api,
    Application,
    Business,
    Connection,
    Environment,
)
from kinde_iac.emulator.store.tables import Indexes, Tables, Tx, View

converter = cattrs.Converter()

MANAGEMENT_API_NAME = "Kinde Management API"
EMULATOR_CLIENT_NAME = "kinde-iac emulator M2M"
# Kinde's own connections, present in every environment: (name, display name, strategy). Kinde
# publishes no list; these are the sign-in methods its dashboard offers out of the box.
BUILTIN_CONNECTIONS = (
    ("email_password", "Email + password", "email:password"),
    ("email_otp", "Email + code", "email:otp"),
    ("google", "Google", "oauth2:google"),
)


@attrs.frozen
class Client:
    """The M2M client of one environment: the credentials its token endpoint accepts."""

    environment: str
    client_id: str
    client_secret: str


class Store:
    """All emulated data. Every read and write holds one re-entrant lock: simple, and at the
    request rates an emulator sees, never the bottleneck. Invariants (unique keys) are checked and
    applied under that lock, so two concurrent creates of one key cannot both succeed."""

    def __init__(self, backend: persistence.Backend, clients: Sequence[Client], *,
                 secret_generated: bool, token_key: bytes) -> None:
        self.lock = threading.RLock()
        self._closed = False
        self._backend = backend
        self._tables: Tables = {}
        self._indexes: Indexes = {}
        self._seq = 0
        self.clients: tuple[Client, ...] = tuple(clients)
        self.environments: tuple[str, ...] = tuple(c.environment for c in clients)
        self.secret_generated = secret_generated
        self.token_key = token_key
        self._load()
        with self.write() as tx:
            self._ensure_business(tx)
            for client in self.clients:
                self._ensure_environment(tx, client)

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, data: str | None, *, environments: Sequence[str], client_id: str,
             client_secret: str | None) -> Store:
        """A store in memory (``data`` None) or backed by the SQLite file ``data``.

        The first environment's client uses ``client_id``/``client_secret``; every other one
        appends ``-<code>`` to both. A generated secret is kept in the data file so credentials
        (and tokens) stay valid across restarts.
        """
        if not environments:
            raise ValueError("at least one environment is required")
        if len(set(environments)) != len(environments):
            raise ValueError("environment codes must be unique")
        backend: persistence.Backend = (persistence.SqliteBackend(data) if data
                                        else persistence.MemoryBackend())
        try:
            generated = client_secret is None
            if client_secret is None:
                client_secret = backend.get_meta("generated_client_secret")
                if client_secret is None:
                    client_secret = ids.client_secret()
                    backend.set_meta("generated_client_secret", client_secret)
            key_hex = backend.get_meta("token_signing_key")
            if key_hex is None:
                key_hex = secrets.token_hex(32)
                backend.set_meta("token_signing_key", key_hex)
            clients = [
                Client(code, client_id if i == 0 else f"{client_id}-{code}",
                       client_secret if i == 0 else f"{client_secret}-{code}")
                for i, code in enumerate(environments)
            ]
            return cls(backend, clients, secret_generated=generated, token_key=bytes.fromhex(key_hex))
        except BaseException:
            backend.close()
            raise

    def close(self) -> None:
        with self.lock:
            self._closed = True
            self._backend.close()

    # -- transactions ------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[View]:
        with self.lock:
            self._check_open()
            yield View(self._tables, self._indexes)

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A change set, applied and persisted as a whole or not at all: an error raised inside
        the block (a broken rule, a failed disk write) undoes its in-memory changes."""
        with self.lock:
            self._check_open()
            tx = Tx(self._tables, self._next_seq, self._indexes)
            try:
                yield tx
                self._persist(tx)
            except BaseException:
                tx.rollback()
                raise

    def _check_open(self) -> None:
        if self._closed:
            # A request still running while the server stops: answer cleanly, no traceback.
            raise ApiFailure(503, "SERVICE_UNAVAILABLE", "The emulator is shutting down")

    def _persist(self, tx: Tx) -> None:
        records = [((scope, kind, rid), self._tables.get(scope, {}).get(kind, {}).get(rid))
                   for scope, kind, rid in tx.before]
        # Encoded as the backend reads them: the memory backend keeps nothing, so never pays for it.
        puts = ((*key, persistence.dumps(converter.unstructure(record))) for key, record in records
                if record is not None)
        self._backend.save(puts, [key for key, record in records if record is None])

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _load(self) -> None:
        for scope, kind, rid, body in self._backend.load():
            cls = (BUSINESS_KINDS if scope == BUSINESS_SCOPE else ENV_KINDS).get(kind)
            if cls is None:
                continue  # written by a newer emulator: ignore rather than fail to start
            record: Any = converter.structure(json.loads(body), cls)
            self._tables.setdefault(scope, {}).setdefault(kind, {})[rid] = record
            self._seq = max(self._seq, getattr(record, "seq", 0))

    # -- clients -----------------------------------------------------------------------------

    def client(self, environment: str | None = None) -> Client:
        if environment is None:
            return self.clients[0]
        for client in self.clients:
            if client.environment == environment:
                return client
        raise KeyError(environment)

    def client_by_id(self, client_id: str) -> Client | None:
        return next((c for c in self.clients if c.client_id == client_id), None)

    # -- built-in objects ----------------------------------------------------------------------

    def _ensure_business(self, tx: Tx) -> None:
        if not tx.table(BUSINESS_SCOPE, "business"):
            tx.put(BUSINESS_SCOPE, "business",
                   Business(code=ids.business_code(), name="Kinde IaC Emulator", created_on=ids.now_iso()))

    def _ensure_environment(self, tx: Tx, client: Client) -> None:
        code = client.environment
        if code not in tx.table(code, "environment"):
            tx.put(code, "environment", Environment(code=code, name=_env_name(code), created_on=ids.now_iso()))
        apps = tx.table(code, "applications")
        for app in list(apps.values()):
            if app.is_emulator_client and app.id != client.client_id:
                # The emulator was restarted with another --client-id: retire the old client.
                tx.delete(code, "applications", app.id)
        app = apps.get(client.client_id)
        if app is None:
            tx.put(code, "applications", self._fresh_client_app(tx, client))
        elif (app.client_secret, app.is_emulator_client, app.type) != (client.client_secret, True, "m2m"):
            tx.put(code, "applications", attrs.evolve(app, client_secret=client.client_secret,
                                                      is_emulator_client=True, type="m2m"))
        connections = tx.table(code, "connections")
        for name, display_name, strategy in BUILTIN_CONNECTIONS:
            conn_id = ids.builtin_connection_id(code, strategy)
            if conn_id not in connections:
                tx.put(code, "connections", Connection(id=conn_id, name=name, display_name=display_name,
                                                       strategy=strategy, seq=tx.next_seq(), is_builtin=True))
        mgmt = self.management_api(tx, code)
        if mgmt is None:
            tx.put(code, "apis", Api(id=ids.api_id(), name=MANAGEMENT_API_NAME, audience="",
                                     seq=tx.next_seq(), is_management_api=True,
                                     authorized_app_ids=(client.client_id,)))
        else:
            authorized = tuple(a for a in mgmt.authorized_app_ids if a in apps)
            if client.client_id not in authorized:
                authorized += (client.client_id,)
            if authorized != mgmt.authorized_app_ids:
                tx.put(code, "apis", attrs.evolve(mgmt, authorized_app_ids=authorized))

    def _fresh_client_app(self, tx: Tx, client: Client) -> Application:
        return Application(id=client.client_id, name=EMULATOR_CLIENT_NAME, type="m2m", seq=tx.next_seq(),
                           client_secret=client.client_secret, is_emulator_client=True)

    @staticmethod
    def management_api(view: View, environment: str) -> Api | None:
        return next((a for a in view.table(environment, "apis").values() if a.is_management_api), None)

    # -- reset and dump ------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to a fresh emulator: only each environment's M2M client, management API and
        built-in connections (with their ids unchanged, so cached credentials and ids stay valid)
        and the business remain."""
        with self.write() as tx:
            business = next(iter(tx.table(BUSINESS_SCOPE, "business").values()), None)
            for kind in BUSINESS_KINDS:
                for rid in list(tx.table(BUSINESS_SCOPE, kind)):
                    tx.delete(BUSINESS_SCOPE, kind, rid)
            if business is not None:
                tx.put(BUSINESS_SCOPE, "business",
                       Business(code=business.code, name="Kinde IaC Emulator", created_on=business.created_on))
            for client in self.clients:
                code = client.environment
                mgmt = self.management_api(tx, code)
                for kind in ENV_KINDS:
                    if kind == "environment":
                        continue
                    for rid in list(tx.table(code, kind)):
                        tx.delete(code, kind, rid)
                tx.put(code, "applications", self._fresh_client_app(tx, client))
                if mgmt is not None:
                    tx.put(code, "apis", attrs.evolve(mgmt, authorized_app_ids=(client.client_id,),
                                                      app_scope_grants=()))
                self._ensure_environment(tx, client)

    def dump(self) -> dict[str, Any]:
        """Every record, for ``GET /_emulator/state``: business-wide data and each environment."""
        with self.read() as view:
            business = next(iter(view.table(BUSINESS_SCOPE, "business").values()), None)
            return {
                "business": converter.unstructure(business) if business else None,
                "feature_flags": [converter.unstructure(r) for r in view.records(BUSINESS_SCOPE, "feature_flags")],
                "environments": {
                    code: {
                        kind: [converter.unstructure(r) for r in view.records(code, kind)]
                        for kind in ENV_KINDS if kind != "environment"
                    } | {"environment": converter.unstructure(view.table(code, "environment").get(code))}
                    for code in self.environments
                },
            }


def _env_name(code: str) -> str:
    return code.replace("_", " ").replace("-", " ").title()
