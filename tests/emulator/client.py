"""The emulator suite's names for the shared test client (``tests/emulator_client.py``), which the
end-to-end suite uses too."""
from __future__ import annotations

from emulator_client import ApiClient as KindeClient
from emulator_client import fetch_token

__all__ = ["KindeClient", "fetch_token"]
