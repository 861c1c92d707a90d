"""Plan and export files hold the same inventory as the 0600 state, so they are written 0600 too,
whatever the umask and whatever mode an earlier file had (issue 13 point 9)."""
from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator

import pytest
from e2e_harness import Kinde, Workdir

CONFIG = {"kinde": {"environment": "development"}, "permissions": [{"key": "p1", "name": "P1"}]}


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the usual default, which gives 0644 files
    yield
    os.umask(old)


@pytest.mark.parametrize("command", ["plan", "export"])
@pytest.mark.parametrize("existing", [False, True], ids=["new-file", "over-a-0644-file"])
def test_out_files_are_owner_only(work: Workdir, kinde: Kinde, open_umask: None, command: str, existing: bool,
                                  figures: dict) -> None:
    work.apply(CONFIG)
    out = work.root / f"{command}.json"
    if existing:
        out.write_text("{}")
        out.chmod(0o644)
    result = work.run(command, *work.ws_args(CONFIG), "--out", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text())  # a whole document, not a torn one
    assert [p.name for p in work.root.iterdir() if p.name.endswith(".tmp")] == []
    figures[f"{command} --out file mode"] = oct(stat.S_IMODE(out.stat().st_mode))
