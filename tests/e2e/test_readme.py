"""The README's "Try it locally" walkthrough runs as written on a fresh copy of the repository's
workspaces: the emulator command it gives, then every line of the session, each exiting 0.

Only the port differs (a free one instead of 8787, in the commands and in the copied workspace
files), so the test never collides with an emulator someone is running."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from e2e_harness import assert_clean_exit

from kinde_iac.cli import main

ROOT = Path(__file__).resolve().parents[2]
README_PORT = "8787"


def walkthrough() -> list[str]:
    """The shell lines of the README's "Try it locally" section, comments and blank lines dropped."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Try it locally", 1)[1].split("\n## ", 1)[0]
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def _free_port() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def test_readme_walkthrough_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = walkthrough()
    assert lines and "emulator" in lines[0], lines
    assert any(line.startswith("kinde-iac validate --workspace dev") for line in lines)
    port = _free_port()
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    for config in (tmp_path / "environments").glob("*.json"):
        config.write_text(config.read_text().replace(f":{README_PORT}", f":{port}"))
    monkeypatch.chdir(tmp_path)

    emulator_args = shlex.split(lines[0].replace(README_PORT, port))
    assert emulator_args[0].endswith("kinde-iac") and emulator_args[1] == "emulator"
    emulator = subprocess.Popen([sys.executable, "-m", "kinde_iac", *emulator_args[1:]], stdout=subprocess.PIPE,
                                text=True, cwd=tmp_path)
    try:
        assert emulator.stdout is not None
        first = emulator.stdout.readline()
        assert f"listening on http://127.0.0.1:{port}" in first, first
        # Only what the README exports: no credentials or secrets from the test's own environment.
        env = {k: v for k, v in os.environ.items() if not k.startswith("KINDE_") and k != "PAYMENTS_API_KEY"}
        env["NO_COLOR"] = "1"
        runner = CliRunner()
        outputs = []
        for line in lines[1:]:
            words = shlex.split(line)
            if words[0] == "export":
                for assignment in words[1:]:
                    name, _, value = assignment.partition("=")
                    env[name] = value.replace("$PWD", str(tmp_path)).replace("$PATH", env.get("PATH", ""))
                continue
            assert words[0] == "kinde-iac", line
            result = runner.invoke(main, words[1:], env=env)
            assert_clean_exit(result, words[1:])
            assert result.exit_code == 0, f"$ {line}\n{result.output}\n{result.stderr}"
            outputs.append((" ".join(words), result.output))
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    by_line = dict(outputs)
    assert "No changes." in by_line["kinde-iac plan --workspace dev --detailed-exitcode"]
    assert "Apply complete!" in by_line["kinde-iac apply --workspace staging --auto-approve"]
    assert "role.admin" in by_line["kinde-iac state list --workspace staging"]
    assert (tmp_path / "state" / "dev.db").exists() and (tmp_path / "state" / "staging.db").exists()
