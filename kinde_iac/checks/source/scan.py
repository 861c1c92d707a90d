"""Scan source trees for the Kinde keys the code relies on."""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import attrs

from kinde_iac.checks.source.files import source_files
from kinde_iac.checks.source.lexer import Dialect, lex
from kinde_iac.checks.source.patterns import find_uses


@attrs.frozen
class CodeUse:
    """A permission, role or flag key used at ``file:line:column`` through an SDK pattern."""

    kind: str
    key: str
    file: str
    line: int
    column: int
    pattern: str


@attrs.frozen
class ScanResult:
    uses: tuple[CodeUse, ...]
    files: int


def display_path(path: Path, cwd: str | None = None) -> str:
    """Relative to the working directory when inside it (as SARIF viewers and editors expect)."""
    base = cwd or os.getcwd()
    rel = os.path.relpath(path, base)
    return Path(rel).as_posix() if not rel.startswith("..") else path.as_posix()


def scan_text(text: str, dialect: Dialect, file: str) -> list[CodeUse]:
    lexed = lex(text, dialect)
    out = []
    for use in find_uses(lexed, dialect):
        line, column = lexed.line_col(use.offset)
        out.append(CodeUse(kind=use.kind, key=use.key, file=file, line=line, column=column, pattern=use.pattern))
    return out


def scan(paths: Sequence[str]) -> ScanResult:
    files = source_files(paths)
    uses: list[CodeUse] = []
    for path, dialect in files:
        try:
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            continue  # vanished or unreadable since the walk: nothing it could rely on
        uses.extend(scan_text(text, dialect, display_path(path)))
    return ScanResult(uses=tuple(uses), files=len(files))
