"""`make demo`: the main job end to end against the bundled emulator on loopback.

Starts the emulator with the development, staging and production environments, plans and applies
dev and then staging, shows that dev has converged, changes a role behind kinde-iac's back through
the emulator's API, plans again to show the drift, and stops the emulator.
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "state" / "demo"
CLIENT_ID = "demo-m2m"


def banner(text: str) -> None:
    print(f"\n\033[1m=== {text}\033[0m" if sys.stdout.isatty() else f"\n=== {text}", flush=True)


def kinde_iac(args: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> int:
    print("$ kinde-iac " + " ".join(args), flush=True)
    code = subprocess.call([sys.executable, "-m", "kinde_iac", *args], env=env, cwd=ROOT)
    if code not in ok:
        raise SystemExit(f"demo: `kinde-iac {' '.join(args)}` exited {code}")
    return code


def main() -> None:
    client_secret = secrets.token_hex(16)
    shutil.rmtree(STATE, ignore_errors=True)
    STATE.mkdir(parents=True)
    emulator = subprocess.Popen(
        [sys.executable, "-m", "kinde_iac", "emulator", "--port", "0", "--client-id", CLIENT_ID,
         "--client-secret", client_secret, "--environment", "development", "--environment", "staging",
         "--environment", "production"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert emulator.stdout is not None
        first = emulator.stdout.readline().strip()
        if "listening on" not in first:
            raise SystemExit(f"demo: the emulator did not start: {first!r}")
        url = first.rsplit(" ", 1)[-1]
        banner(f"Kinde emulator at {url} (environments development, staging, production)")
        base_env = {**os.environ, "KINDE_DOMAIN": url, "KINDE_CLIENT_SECRET": client_secret,
                    "PAYMENTS_API_KEY": "demo-" + secrets.token_hex(8), "NO_COLOR": "1"}
        envs = {
            "dev": {**base_env, "KINDE_CLIENT_ID": CLIENT_ID},
            # Each further emulated environment has its own M2M app: id and secret get "-<code>".
            "staging": {**base_env, "KINDE_CLIENT_ID": f"{CLIENT_ID}-staging",
                        "KINDE_CLIENT_SECRET": f"{client_secret}-staging"},
        }

        def ws(name: str) -> list[str]:
            return ["--workspace", name, "--state", str(STATE / f"{name}.db")]

        banner("Validate every workspace (no network)")
        kinde_iac(["validate", "--all"], base_env)
        banner("Plan dev")
        kinde_iac(["plan", *ws("dev")], envs["dev"])
        banner("Apply dev")
        kinde_iac(["apply", *ws("dev"), "--auto-approve"], envs["dev"])
        banner("Apply staging: the same definitions land in a second environment")
        kinde_iac(["apply", *ws("staging"), "--auto-approve"], envs["staging"])
        banner("Plan dev again: converged")
        kinde_iac(["plan", *ws("dev"), "--detailed-exitcode"], envs["dev"])

        banner("Someone renames the admin role in the dev dashboard")
        token = requests.post(f"{url}/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": client_secret,
            "audience": f"{url}/api"}, timeout=10).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        roles = requests.get(f"{url}/api/v1/roles", headers=headers, timeout=10).json()["roles"]
        admin = next(r for r in roles if r["key"] == "admin")
        requests.patch(f"{url}/api/v1/roles/{admin['id']}", headers=headers, timeout=10,
                       json={"key": "admin", "name": "Super Admin"}).raise_for_status()
        print(f"PATCH /api/v1/roles/{admin['id']} name -> 'Super Admin'")

        banner("Plan dev: the drift is detected")
        code = kinde_iac(["plan", *ws("dev"), "--detailed-exitcode"], envs["dev"], ok=(2,))
        print(f"(exit code {code}: changes present)")
        banner("Drift report for dev: only what moved outside kinde-iac")
        code = kinde_iac(["drift", *ws("dev")], envs["dev"], ok=(2,))
        print(f"(exit code {code}: drift found)")
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    banner("Demo complete; the emulator is stopped")


if __name__ == "__main__":
    main()
