"""Runs action.yml as GitHub's runner would run a composite Action's ``run:`` steps: in order, in bash
(``bash --noprofile --norc -eo pipefail``), each with its ``env`` and ``working-directory``, ``${{ }}``
expressions evaluated from the inputs (and their declared defaults), each step with its own
GITHUB_OUTPUT file; then the Action's outputs from the steps' outputs. ``uses:`` steps (setup-python)
are not run: the test's python stands in for the one they would install."""
from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml
from ci_project import read_outputs

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@attrs.define
class StepRun:
    id: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


@attrs.define
class ActionRun:
    steps: list[StepRun]
    outputs: dict[str, str]

    @property
    def failed(self) -> StepRun | None:
        return next((s for s in self.steps if s.returncode != 0), None)

    def log(self) -> str:
        return "\n".join(f"--- {s.id} ({s.returncode})\n{s.stdout}\n{s.stderr}" for s in self.steps)


class Action:
    def __init__(self, path: Path, github: Mapping[str, str]) -> None:
        self.path = path
        self.spec: dict[str, Any] = yaml.safe_load(path.read_text())
        self.github = dict(github)

    def _evaluate(self, text: str, inputs: Mapping[str, str], steps: Mapping[str, StepRun]) -> str:
        def value(match: re.Match[str]) -> str:
            expr = match.group(1)
            if m := re.fullmatch(r"inputs\.([\w-]+)", expr):
                return inputs[m.group(1)]
            if m := re.fullmatch(r"github\.([\w]+)", expr):
                return self.github[m.group(1)]
            if m := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr):
                return steps[m.group(1)].outputs.get(m.group(2), "") if m.group(1) in steps else ""
            raise AssertionError(f"action.yml uses an expression this runner does not know: {expr}")
        return EXPRESSION.sub(value, str(text))

    def inputs(self, given: Mapping[str, str]) -> dict[str, str]:
        declared = self.spec["inputs"]
        unknown = set(given) - set(declared)
        assert not unknown, f"not inputs of the Action: {unknown}"
        out = {}
        for name, spec in declared.items():
            if name in given:
                out[name] = given[name]
            else:
                assert not spec.get("required") or "default" in spec, f"required input {name} missing"
                out[name] = self._evaluate(spec.get("default", ""), {}, {})
        return out

    def run(self, given: Mapping[str, str], env: Mapping[str, str], workspace: Path, temp: Path) -> ActionRun:
        inputs = self.inputs(given)
        done: dict[str, StepRun] = {}
        runs: list[StepRun] = []
        for index, step in enumerate(self.spec["runs"]["steps"]):
            if "uses" in step:
                assert step["uses"].startswith("actions/setup-python@"), step["uses"]
                continue
            script = step["run"]
            # Inputs reach scripts only through env: an expression inside a script is an injection.
            assert "${{" not in script, f"expression inside the run script of step {step.get('id')}"
            assert step.get("shell") == "bash"
            step_id = step.get("id", f"step{index}")
            outputs_file = temp / f"output-{step_id}-{len(runs)}"
            outputs_file.write_text("")
            step_env = {k: self._evaluate(v, inputs, done) for k, v in (step.get("env") or {}).items()}
            cwd = workspace / self._evaluate(step.get("working-directory", "."), inputs, done)
            proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                                  env={**os.environ, **env, **step_env, "GITHUB_OUTPUT": str(outputs_file)},
                                  capture_output=True, text=True, timeout=600, check=False)
            result = StepRun(step_id, proc.returncode, proc.stdout, proc.stderr, read_outputs(outputs_file))
            runs.append(result)
            done[step_id] = result
            if proc.returncode != 0:
                break
        outputs = {name: self._evaluate(spec["value"], inputs, done) for name, spec in self.spec["outputs"].items()}
        return ActionRun(runs, outputs)
