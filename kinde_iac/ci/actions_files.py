"""The files GitHub Actions gives every step: ``GITHUB_OUTPUT`` (step outputs, ``name=value`` lines)
and ``GITHUB_STEP_SUMMARY`` (markdown shown on the run's page). kinde-iac appends to them whenever
they are set, so any workflow can branch on a plan's counts without parsing its output."""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping

from kinde_iac.errors import KindeIacError

#: GitHub shows at most 1 MiB of summary per step; a larger one fails the step.
SUMMARY_LIMIT = 1024 * 1024


def _append(path: str, text: str, what: str) -> None:
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as err:
        raise KindeIacError(f"cannot append to {what} ({path}): {err.strerror or err}") from err


def output_lines(values: Mapping[str, str]) -> str:
    """``name=value`` lines; a value with a line break uses the ``name<<DELIMITER`` form GitHub
    documents, with a random delimiter no value can contain by accident or on purpose."""
    out = []
    for name, value in values.items():
        if "\n" in value or "\r" in value:
            delimiter = f"kinde_iac_{secrets.token_hex(8)}"
            while delimiter in value:
                delimiter = f"kinde_iac_{secrets.token_hex(8)}"
            out.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        else:
            out.append(f"{name}={value}\n")
    return "".join(out)


def write_outputs(values: Mapping[str, str], environ: Mapping[str, str] | None = None) -> bool:
    """Append step outputs when ``GITHUB_OUTPUT`` is set; True if written."""
    path = (os.environ if environ is None else environ).get("GITHUB_OUTPUT")
    if not path:
        return False
    _append(path, output_lines(values), "GITHUB_OUTPUT")
    return True


def write_summary(markdown: str | Callable[[], str], environ: Mapping[str, str] | None = None) -> bool:
    """Append markdown to the job summary when ``GITHUB_STEP_SUMMARY`` is set; True if written. A
    callable is rendered only then."""
    path = (os.environ if environ is None else environ).get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    if callable(markdown):
        markdown = markdown()
    text = markdown if markdown.endswith("\n") else markdown + "\n"
    try:
        used = os.path.getsize(path)
    except OSError:
        used = 0
    room = SUMMARY_LIMIT - used - 200
    if len(text.encode("utf-8")) > room:
        text = text.encode("utf-8")[: max(room, 0)].decode("utf-8", "ignore")
        text += "\n\n… (cut at GitHub's step summary size limit)\n"
    _append(path, text + "\n", "GITHUB_STEP_SUMMARY")
    return True
