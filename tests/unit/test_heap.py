"""``kinde_iac.heap``: the cyclic collector paused while a workspace loads, back as it was after,
and (only in the console script's own process) what the load built frozen out of later collections."""
from __future__ import annotations

import gc
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kinde_iac import heap
from kinde_iac.config.loader import load_workspace


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of every collection that starts while the test runs."""
    seen: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(count)
    try:
        yield seen
    finally:
        gc.callbacks.remove(count)


def test_a_big_workspace_loads_without_the_collector_running(tmp_path: Path, collections: list[int]) -> None:
    doc = {"permissions": [{"key": f"p{i}", "name": f"P {i}"} for i in range(2000)],
           "roles": [{"key": f"r{i}", "name": f"R {i}", "permissions": [f"p{i}", f"p{i + 1}"]} for i in range(500)]}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert gc.isenabled()
    gc.collect()  # so that what the test itself allocated cannot start one just before the load
    before = len(collections)
    ws = load_workspace(path, env={})
    after = len(collections)
    assert len(ws.sections["permissions"]) == 2000
    # Tens of thousands of containers: unpaused, the collector runs dozens of times (74 here). Paused,
    # none runs inside the load; the young generation it held back may be collected once as the
    # collector comes back.
    assert after - before <= 1
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # not the console script's process: nothing frozen


def test_the_collector_is_back_after_an_error_and_stays_off_if_it_was() -> None:
    with pytest.raises(ValueError), heap.bulk():
        assert not gc.isenabled()
        raise ValueError("boom")
    assert gc.isenabled()

    gc.disable()
    try:
        with heap.bulk():
            pass
        assert not gc.isenabled()  # the caller turned it off; a phase does not turn it on
    finally:
        gc.enable()


def test_overlapping_blocks_resume_once_the_last_ends() -> None:
    inside, release, done = threading.Event(), threading.Event(), threading.Event()

    def other() -> None:
        with heap.bulk():
            inside.set()
            release.wait(10)
        done.set()

    thread = threading.Thread(target=other)
    with heap.bulk():
        thread.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other thread's block is still running
    release.set()
    assert done.wait(10)
    thread.join(10)
    assert gc.isenabled()


PROBE = """
import gc, sys
from kinde_iac import heap
if sys.argv[1] == "console":
    heap.console_process()
kept = []
with heap.bulk():
    kept.extend([i] for i in range(5000))
print(gc.get_freeze_count(), gc.isenabled(), gc.get_threshold()[0])
"""


@pytest.mark.parametrize(("mode", "frozen"), [("console", True), ("library", False)])
def test_only_the_console_process_freezes_what_a_phase_built_and_collects_less_often(mode: str, frozen: bool) -> None:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True,
                         timeout=60).stdout.split()
    assert (int(out[0]) >= 5000) is frozen
    assert out[1] == "True"
    # The console process collects its young generation far less often; anyone else keeps Python's 700.
    assert int(out[2]) == (heap.CONSOLE_YOUNG_THRESHOLD if frozen else 700)


def test_python_m_runs_the_console_entry(tmp_path: Path) -> None:
    config = tmp_path / "dev.json"
    config.write_text(json.dumps({"permissions": [{"key": "p1", "name": "P1"}]}), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "kinde_iac", "validate", "--config", str(config)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "is valid (1 objects)" in proc.stdout
