"""Where one-time secrets go (``--secrets-out FILE``): the only place kinde-iac ever writes one."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from kinde_iac.errors import KindeIacError


class SecretsFile:
    """A JSON file of one-time secrets keyed by address, mode 0600, written atomically per secret."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def check_writable(self) -> None:
        """Fail before Kinde shows a secret once (a create or a rotate), not after."""
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise KindeIacError(f"cannot write the secrets file {self.path}: {folder} is not a writable directory")
        if self.path.is_dir() or (self.path.exists() and not os.access(self.path, os.W_OK)):
            raise KindeIacError(f"cannot write the secrets file {self.path}: it is not a writable file")
        self.read()

    def read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:
            raise KindeIacError(f"cannot read the secrets file {self.path}: {err}") from None
        if not isinstance(data, dict):
            raise KindeIacError(f"cannot read the secrets file {self.path}: it is not a JSON object")
        return data

    def write(self, address: str, secret: str) -> None:
        with self._lock:
            data = {**self.read(), address: secret}
            tmp = self.path.with_name(self.path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2, sort_keys=True)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)


def secrets_file(path: str | None) -> SecretsFile | None:
    """The ``--secrets-out`` file, checked writable now (before Kinde shows any secret), or None."""
    if not path:
        return None
    out = SecretsFile(path)
    out.check_writable()
    return out
