"""Every command and output format, run with sentinel secrets (a secret env var, the client secret,
the bearer tokens actually issued): none of them appears in stdout, stderr, plan files, exported
configs or the raw bytes of the state database."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from e2e_harness import Kinde, Workdir

from kinde_iac.kinde import client as client_module
from kinde_iac.state import StateStore

SECRET_VALUE = "SENTINEL-ENV-SECRET-5c1d"
ROTATED_VALUE = "SENTINEL-ENV-SECRET-ROTATED-77aa"
CONFIG = {"kinde": {"environment": "development"},
          "permissions": [{"key": "orders:read", "name": "Read"}],
          "roles": [{"key": "admin", "name": "Admin", "permissions": ["orders:read"]}],
          "env_vars": [{"key": "PAYMENT_KEY", "value": "${env:PAYMENT_KEY}", "is_secret": True},
                       {"key": "GATEWAY", "value": "sandbox"}]}
CONNECTION_SECRET = "SENTINEL-CONNECTION-SECRET-0e9b"
CONNECTION_ROTATED = "SENTINEL-CONNECTION-SECRET-ROTATED-41c2"
#: CONFIG plus a connection whose client secret is write-only, used by an application.
SCANNED = {**CONFIG,
           "connections": [{"key": "github", "name": "github-corp", "display_name": "GitHub",
                            "strategy": "oauth2:github",
                            "options": {"client_id": "Iv1.scan", "client_secret": "${env:GITHUB_SECRET}"}}],
           "applications": [{"key": "web", "name": "Web", "connections": ["github", "email_password"]}]}


@pytest.fixture
def issued_tokens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Bearer tokens the CLI's clients obtained, read from the clients themselves (observation only)."""
    clients: list[Any] = []
    original = client_module.KindeClient.__init__

    def record(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        clients.append(self)

    monkeypatch.setattr(client_module.KindeClient, "__init__", record)
    tokens: list[str] = []

    class View(list):  # a live view: tokens issued so far by every recorded client
        def __iter__(self):  # type: ignore[no-untyped-def]
            tokens[:] = [t for c in clients for t in c._issued_tokens]
            return iter(tokens)

    return View()


def test_no_secret_in_any_output_file_or_state(work: Workdir, kinde: Kinde, issued_tokens: list[str],
                                              figures: dict) -> None:
    client_secret = kinde.env()["KINDE_CLIENT_SECRET"]
    outputs: list[str] = []
    env = {"PAYMENT_KEY": SECRET_VALUE, "GITHUB_SECRET": CONNECTION_SECRET}

    def run(*args: str, expect: int | None = 0, **extra: str) -> None:
        result = work.run(*args, env={**env, **extra})
        outputs.append(f"$ {' '.join(args)}\n{result.output}\n{result.stderr}")
        if expect is not None:
            assert result.exit_code == expect, result.output + result.stderr

    args = work.ws_args(SCANNED)
    plan_file = str(work.root / "plan.json")
    run("validate", *args)
    run("plan", *args)
    run("plan", *args, "--format", "json")
    run("plan", *args, "--format", "markdown")
    run("plan", *args, "--out", plan_file)
    run("show", plan_file, "--format", "json")
    run("show", plan_file, "--format", "markdown")
    run("apply", plan_file, *args)
    run("plan", *args, "--detailed-exitcode")
    # a changed secret: plan, saved plan and apply of the replacement
    env["PAYMENT_KEY"] = ROTATED_VALUE
    env["GITHUB_SECRET"] = CONNECTION_ROTATED
    run("plan", *args, "--detailed-exitcode", expect=2)
    run("plan", *args, "--format", "json")
    run("plan", *args, "--format", "markdown")
    run("plan", *args, "--out", str(work.root / "plan2.json"))
    run("apply", *args, "--auto-approve")
    for fmt in ("text", "json", "markdown"):
        run("drift", *args, "--format", fmt)
    run("export", *args, "--out", str(work.root / "export.json"))
    run("export", *args)
    run("import", *args, "--all")
    run("state", "list", *args)
    run("state", "show", *args, "env_var.PAYMENT_KEY")
    run("state", "show", *args, "connection.github")
    run("state", "journal", *args)
    # error paths, with and without --debug
    run("plan", *args, expect=1, KINDE_SCOPES="read:environments")
    run("plan", *args, expect=1, KINDE_CLIENT_SECRET=client_secret + "-wrong")
    result = work.runner.invoke(__import__("kinde_iac.cli").cli.main, ["--debug", "plan", *args],
                                env={**kinde.env(), **env, "KINDE_SCOPES": "read:environments"})
    outputs.append(f"{result.output}{result.stderr}{result.exception!r}")

    # The connection secret did reach Kinde (so the scan below looks for something that flowed).
    live = kinde.control("GET", "state")["environments"]["development"]["connections"]
    assert next(c for c in live if c["name"] == "github-corp")["options"]["client_secret"] == CONNECTION_ROTATED

    tokens = list(issued_tokens)
    assert tokens, "the test must see the bearer tokens it scans for"
    files = [work.root / "plan.json", work.root / "plan2.json", work.root / "export.json"]
    state_bytes = b"".join(p.read_bytes() for p in work.root.glob("dev.db*"))
    store = StateStore.open(work.root / "dev.db", workspace="dev")
    stored = store.get("env_var.PAYMENT_KEY")
    connection = store.get("connection.github")
    store.close()
    assert stored is not None and str(stored.attributes["value"]).startswith("sha256$")  # salted hash only
    assert connection is not None and str(connection.attributes["options.client_secret"]).startswith("sha256$")

    haystacks = {"outputs": "\n".join(outputs), **{p.name: p.read_text() for p in files}}
    sentinels = {"secret env var": SECRET_VALUE, "rotated secret": ROTATED_VALUE, "client secret": client_secret,
                 "connection secret": CONNECTION_SECRET, "rotated connection secret": CONNECTION_ROTATED,
                 **{f"bearer token {i}": t for i, t in enumerate(tokens)}}
    found = [(name, where) for name, value in sentinels.items() for where, text in haystacks.items()
             if value in text]
    found += [(name, "state database bytes") for name, value in sentinels.items() if value.encode() in state_bytes]
    assert found == []
    assert json.loads((work.root / "export.json").read_text())["env_vars"][1]["value"] == "${env:PAYMENT_KEY}"
    figures["secrets scan: commands run / sentinels / occurrences"] = f"{len(outputs)} / {len(sentinels)} / 0"


def test_secret_hashes_are_salted_per_value(work: Workdir, kinde: Kinde) -> None:
    two = {**CONFIG, "env_vars": [{"key": "A", "value": "same", "is_secret": True},
                                  {"key": "B", "value": "same", "is_secret": True}]}
    work.apply(two)
    store = StateStore.open(Path(work.root / "dev.db"), workspace="dev")
    a, b = store.get("env_var.A"), store.get("env_var.B")
    store.close()
    assert a is not None and b is not None
    assert a.attributes["value"] != b.attributes["value"]
