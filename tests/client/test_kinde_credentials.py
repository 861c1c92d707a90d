"""Credential resolution: which variable is missing, which domain wins, scheme defaulting."""
from __future__ import annotations

import pytest
from kinde_fakes import SECRET

from kinde_iac.errors import KindeIacError
from kinde_iac.kinde import Credentials, resolve_credentials

FULL = {"KINDE_CLIENT_ID": "cid", "KINDE_CLIENT_SECRET": SECRET, "KINDE_DOMAIN": "acme.kinde.com"}


def env_without(*names: str) -> dict[str, str]:
    return {k: v for k, v in FULL.items() if k not in names}


def test_all_present_resolves_with_https_default() -> None:
    creds = resolve_credentials(None, FULL)
    assert creds == Credentials(domain="https://acme.kinde.com", client_id="cid", client_secret=SECRET)


def test_missing_secret_names_only_the_secret() -> None:
    with pytest.raises(KindeIacError) as exc:
        resolve_credentials("acme.kinde.com", env_without("KINDE_CLIENT_SECRET"))
    msg = str(exc.value)
    assert msg.startswith("KINDE_CLIENT_SECRET is not set")
    assert "KINDE_CLIENT_ID" not in msg


def test_missing_id_names_only_the_id_and_never_echoes_the_secret() -> None:
    with pytest.raises(KindeIacError) as exc:
        resolve_credentials("acme.kinde.com", env_without("KINDE_CLIENT_ID"))
    msg = str(exc.value)
    assert "KINDE_CLIENT_ID is not set" in msg
    assert "KINDE_CLIENT_SECRET" not in msg
    assert SECRET not in msg and SECRET not in repr(exc.value)


def test_both_missing_are_named_together() -> None:
    with pytest.raises(KindeIacError) as exc:
        resolve_credentials("acme.kinde.com", env_without("KINDE_CLIENT_ID", "KINDE_CLIENT_SECRET"))
    assert "KINDE_CLIENT_ID and KINDE_CLIENT_SECRET are not set" in str(exc.value)


def test_empty_string_counts_as_missing() -> None:
    env = dict(FULL, KINDE_CLIENT_SECRET="  ")
    with pytest.raises(KindeIacError, match="KINDE_CLIENT_SECRET is not set"):
        resolve_credentials(None, env)


def test_no_domain_anywhere_names_kinde_domain() -> None:
    with pytest.raises(KindeIacError, match="KINDE_DOMAIN"):
        resolve_credentials(None, env_without("KINDE_DOMAIN"))


def test_kinde_domain_wins_over_config() -> None:
    creds = resolve_credentials("config.kinde.com", dict(FULL, KINDE_DOMAIN="override.kinde.com"))
    assert creds.domain == "https://override.kinde.com"


def test_config_domain_used_when_env_has_none() -> None:
    creds = resolve_credentials("config.kinde.com", env_without("KINDE_DOMAIN"))
    assert creds.domain == "https://config.kinde.com"


def test_explicit_scheme_kept_and_trailing_slash_dropped() -> None:
    creds = resolve_credentials("http://127.0.0.1:8787/", env_without("KINDE_DOMAIN"))
    assert creds.domain == "http://127.0.0.1:8787"


def test_env_argument_is_used_instead_of_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in FULL.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(KindeIacError, match="KINDE_CLIENT_ID and KINDE_CLIENT_SECRET"):
        resolve_credentials("acme.kinde.com", {})


def test_kinde_scopes_become_the_requested_scope() -> None:
    creds = resolve_credentials(None, dict(FULL, KINDE_SCOPES="read:roles  read:permissions"))
    assert creds.scope == "read:roles read:permissions"
    assert resolve_credentials(None, FULL).scope is None


def test_secret_not_in_repr() -> None:
    creds = resolve_credentials(None, FULL)
    assert SECRET not in repr(creds)
    assert "cid" in repr(creds)
