"""Entry point of ``make bench``: ``.venv/bin/python bench/run.py [--quick] [--sizes seed,M,L] ...``."""
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, the repository root is not on sys.path; the harness imports itself as ``bench``.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cli import main

if __name__ == "__main__":
    sys.exit(main())
