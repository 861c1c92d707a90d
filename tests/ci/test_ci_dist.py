"""A release installs and runs on its own: `make dist`'s wheel and sdist, built offline, the wheel
installed into a fresh venv (no download), then `kinde-iac --version` and `validate` on the example
workspaces the sdist ships."""
from __future__ import annotations

import os
import re
import subprocess
import tarfile
import zipfile
from pathlib import Path
from typing import Any

from offline_venv import OFFLINE_PIP, REPO, build_dist, copy_source, fresh_venv


def project_version() -> str:
    found = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(), re.MULTILINE)
    assert found
    return found.group(1)


def test_make_dist_builds_what_make_dist_says() -> None:
    assert "python -m build --no-isolation --outdir dist ." in (REPO / "Makefile").read_text()


def test_the_wheel_installs_into_a_fresh_venv_and_runs(tmp_path: Path) -> None:
    wheel, sdist = build_dist(copy_source(tmp_path / "src"), tmp_path / "dist")
    version = project_version()
    assert wheel.name == f"kinde_iac-{version}-py3-none-any.whl" and sdist.name == f"kinde_iac-{version}.tar.gz"
    names = set(zipfile.ZipFile(wheel).namelist())
    # package data the commands read at run time
    assert {"kinde_iac/emulator/spec/management-api.yaml", "kinde_iac/engine/plan.schema.json",
            "kinde_iac/ci/action.py"} <= names
    assert not any(n.startswith(("tests/", "environments/")) for n in names)
    # The "data" filter where this Python has it (3.10.12+, 3.11.4+); the archive is our own anyway.
    safe: dict[str, Any] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path / "release", **safe)
    release = tmp_path / "release" / f"kinde_iac-{version}"
    for shipped in ("environments/dev.json", "environments/common.json", "action.yml", "docs/ci.md", "README.md"):
        assert (release / shipped).is_file(), shipped

    bin_dir = fresh_venv(tmp_path / "venv")
    env = {**os.environ, **OFFLINE_PIP}
    env.pop("VIRTUAL_ENV", None)
    installed = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--no-deps", str(wheel)],
                               cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(bin_dir / "kinde-iac"), *args], cwd=release, capture_output=True, text=True,
                              env={**env, "PAYMENTS_API_KEY": "example-secret"}, timeout=120, check=False)

    assert run("--version").stdout.strip() == f"kinde-iac {version}"
    where = subprocess.run([str(bin_dir / "python"), "-c", "import kinde_iac; print(kinde_iac.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=False)
    assert where.stdout.startswith(str(tmp_path / "venv")), where.stdout + where.stderr
    valid = run("validate", "--workspace", "dev")
    assert valid.returncode == 0 and "environments/dev.json is valid" in valid.stdout, valid.stderr
    everything = run("validate", "--all")
    assert everything.returncode == 0 and "3 workspaces are valid" in everything.stdout, everything.stderr
    broken = release / "environments" / "broken.json"
    broken.write_text('{"roles": [{"key": "admin"}]}')
    bad = run("validate", "--config", str(broken))
    assert bad.returncode == 1 and "broken.json" in bad.stderr and "Traceback" not in bad.stderr
