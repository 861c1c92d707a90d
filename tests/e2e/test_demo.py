"""``make demo`` runs the real CLI against the bundled emulator and leaves ``git status`` as it was:
its state files live under ``state/demo/``, which git ignores (issue 12)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout")
def test_demo_runs_and_leaves_git_status_clean() -> None:
    tracked = subprocess.run(["git", "ls-files", "state"], cwd=ROOT, check=True, capture_output=True, text=True)
    assert tracked.stdout == ""
    before = _status()
    demo = subprocess.run([sys.executable, "scripts/demo.py"], cwd=ROOT, check=False, capture_output=True, text=True,
                          timeout=300)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "Plan dev again: converged" in demo.stdout and "No changes." in demo.stdout
    assert "Demo complete" in demo.stdout
    assert (ROOT / "state" / "demo" / "dev.db").exists()
    assert _status() == before
