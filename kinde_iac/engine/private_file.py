"""Writing files that hold an environment's inventory (a saved plan, an export): owner-only, whatever
the umask, like the state file that holds the same names and ids (issue 13 point 9).

The text goes to a new 0600 file beside the target, which then replaces the target in one step: a
reader never sees half a plan, and an existing world-readable file is not merely overwritten in
place (its mode would stay). A target that exists but is not a regular file (``/dev/stdout``, a
pipe) is written in place instead, since replacing it would replace the device node.
"""
from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from kinde_iac.errors import KindeIacError

MODE = 0o600


def check_target(path: str | Path, *, what: str) -> None:
    """Fail now, before any work, when ``path`` cannot be written (its directory cannot be made, or it
    is a directory). A missing directory is made, as a CI job's ``plans/`` need not exist yet."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise KindeIacError(f"cannot write the {what} {target}: its directory {target.parent} cannot be made "
                            f"({err.strerror or err})") from None
    if target.is_dir():
        raise KindeIacError(f"cannot write the {what} {target}: it is a directory")


def write_private_file(path: str | Path, text: str, *, what: str) -> None:
    """Write ``text`` to ``path`` with mode 0600; ``what`` ("plan file") names it in errors."""
    check_target(path, what=what)
    target = Path(path)
    folder = target.parent
    data = text.encode("utf-8")
    try:
        if target.exists() and not stat.S_ISREG(target.stat().st_mode):
            with open(target, "wb") as fh:
                fh.write(data)
            return
        tmp = folder / f".{target.name}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, MODE)
        try:
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), MODE)  # the umask can only remove bits; make sure of all of them
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as err:
        raise KindeIacError(f"cannot write the {what} {target}: {err.strerror or err}") from None
