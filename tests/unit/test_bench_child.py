"""bench/child.py, which spawns and measures every process the benchmark times: a child's peak RSS
must be its own, not the RSS of the (large) process that started the measurement."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CHILD = Path(__file__).resolve().parents[2] / "bench" / "child.py"
BALLAST_MB = 128


def measure(tmp_path: Path, timeout_s: float, *argv: str) -> dict:
    result = tmp_path / "result.json"
    subprocess.run([sys.executable, "-S", str(CHILD), str(result), str(timeout_s), sys.executable, *argv],
                   check=True, stdin=subprocess.DEVNULL)
    return json.loads(result.read_text(encoding="utf-8"))


def test_peak_rss_is_the_childs_own_not_its_launchers(tmp_path: Path) -> None:
    # Touch every page so the ballast counts in this process's RSS: spawned straight from here, a
    # bare interpreter would report at least this much.
    ballast = bytearray(BALLAST_MB * 1024 * 1024)
    ballast[::4096] = b"\x01" * len(range(0, len(ballast), 4096))
    measured = measure(tmp_path, 60, "-c", "pass")
    assert measured["exit_code"] == 0
    assert 0 < measured["rss_mb"] < BALLAST_MB / 2
    assert measured["wall_s"] > 0 and measured["cpu_s"] > 0
    del ballast


def test_a_stuck_child_is_killed_at_the_timeout(tmp_path: Path) -> None:
    measured = measure(tmp_path, 0.5, "-c", "import time; time.sleep(120)")
    assert measured["exit_code"] == -9  # SIGKILL from the alarm, not a normal exit
    assert measured["wall_s"] < 60


def test_the_childs_exit_code_is_reported(tmp_path: Path) -> None:
    assert measure(tmp_path, 60, "-c", "raise SystemExit(3)")["exit_code"] == 3
