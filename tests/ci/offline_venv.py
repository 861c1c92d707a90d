"""Fresh virtual environments that install kinde-iac without any network: the test venv's installed
dependencies are lent to them through a ``.pth`` file (a directory of links to everything in the test
venv's site-packages except kinde-iac itself), and pip is told never to reach an index."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: pip settings for a run that must not download anything, nor build in an isolated environment.
OFFLINE_PIP = {"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
               "PIP_NO_INPUT": "1"}
_SKIP = (".git", ".venv", "dist", "build", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
         ".hypothesis", "*.egg-info", "*.db", "*.db-*")


def copy_source(target: Path) -> Path:
    """The project's source tree without build output or local state (a checkout, as an Action has)."""
    shutil.copytree(REPO, target, ignore=shutil.ignore_patterns(*_SKIP))
    return target


def build_dist(source: Path, out: Path) -> tuple[Path, Path]:
    """What `make dist` does: a wheel and an sdist, offline."""
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, text=True, env={**os.environ, **OFFLINE_PIP})
    return next(out.glob("*.whl")), next(out.glob("*.tar.gz"))


def _lent_dependencies(root: Path) -> Path:
    site = Path(sysconfig.get_paths()["purelib"])
    lent = root / "lent-site-packages"
    lent.mkdir(exist_ok=True)
    for entry in site.iterdir():
        name = entry.name.lower()
        if name.startswith(("kinde_iac", "__editable__", "_kinde")) or name.endswith(".pth"):
            continue
        link = lent / entry.name
        if not link.exists():
            link.symlink_to(entry)
    return lent


def fresh_venv(path: Path) -> Path:
    """A new venv with no kinde-iac, whose python sees the test venv's dependencies (pip, setuptools
    and build among them). Returns its bin directory."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    bin_dir = path / "bin"
    python = bin_dir / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "lent_dependencies.pth").write_text(str(_lent_dependencies(path.parent)) + "\n")
    return bin_dir
