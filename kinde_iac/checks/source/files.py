"""Which files ``check`` reads: sources by extension, never dependencies, build output or anything
a ``.gitignore`` excludes."""
from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pathspec

from kinde_iac.checks.source.lexer import Dialect
from kinde_iac.errors import KindeIacError

DIALECTS: dict[str, Dialect] = {
    ".js": "js", ".jsx": "js", ".mjs": "js", ".cjs": "js",
    ".ts": "js", ".tsx": "js", ".mts": "js", ".cts": "js",
    ".py": "python",
    ".go": "go",
    ".rb": "ruby",
}
#: Dependencies, build output, caches and tool directories, skipped wherever they are.
SKIP_DIRS = frozenset({
    "node_modules", "bower_components", "jspm_packages", ".git", ".hg", ".svn",
    ".next", ".nuxt", ".svelte-kit", ".turbo", ".vercel", ".netlify", ".output", ".expo", ".parcel-cache",
    "dist", "build", "out", "coverage", "storybook-static",
    "__pycache__", ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    "site-packages", "vendor", ".bundle",
})
#: Generated or bundled files, whose keys belong to whatever they were built from.
SKIP_SUFFIXES = (".min.js", ".bundle.js", ".d.ts", ".d.mts", ".d.cts")
#: Larger files are bundles, not code anyone reviews.
MAX_BYTES = 2_000_000


def dialect_of(path: Path) -> Dialect | None:
    name = path.name.lower()
    if name.endswith(SKIP_SUFFIXES):
        return None
    return DIALECTS.get(path.suffix.lower())


class _Ignores:
    """The ``.gitignore`` files that apply below a directory: the repository's (up to the directory
    holding ``.git``) and each scanned directory's own. A deeper file's match wins, as in git."""

    def __init__(self) -> None:
        self.specs: list[tuple[Path, pathspec.PathSpec]] = []

    def add(self, directory: Path) -> None:
        file = directory / ".gitignore"
        if file.is_file():
            try:
                lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                return
            self.specs.append((directory, pathspec.GitIgnoreSpec.from_lines(lines)))

    def ignored(self, path: Path, is_dir: bool) -> bool:
        verdict: bool | None = None
        for base, spec in self.specs:
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            result = spec.check_file(rel + "/" if is_dir else rel)
            if result.include is not None:
                verdict = result.include
        return bool(verdict)

    def scoped(self) -> _Ignores:
        copy = _Ignores()
        copy.specs = list(self.specs)
        return copy


def _repository_ignores(directory: Path) -> _Ignores:
    ignores = _Ignores()
    ancestors = list(directory.parents)
    root = next((a for a in [directory, *ancestors] if (a / ".git").exists()), None)
    if root is not None and root != directory:
        for a in reversed(ancestors[: ancestors.index(root) + 1]):
            ignores.add(a)
    # A directory named on the command line is read even if the repository ignores it as a whole.
    return _Ignores() if ignores.ignored(directory, True) else ignores


def _walk(top: Path) -> Iterator[tuple[Path, Dialect]]:
    """Files under the absolute directory ``top``, depth first in name order."""
    stack = [(top, _repository_ignores(top))]
    while stack:
        directory, inherited = stack.pop()
        ignores = inherited.scoped()
        ignores.add(directory)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            raise KindeIacError(f"{directory}: cannot read directory: {exc.strerror or exc}") from None
        subdirs = []
        for entry in entries:
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in SKIP_DIRS and not ignores.ignored(path, True):
                    subdirs.append((path, ignores))
            elif entry.is_file() and not ignores.ignored(path, False):
                dialect = dialect_of(path)
                if dialect is not None and entry.stat().st_size <= MAX_BYTES:
                    yield path, dialect
        stack.extend(reversed(subdirs))


def source_files(paths: Sequence[str]) -> list[tuple[Path, Dialect]]:
    """Every source file under ``paths`` once (as absolute paths), in a stable order. A file named
    on the command line is read even where a directory walk would skip it; a missing path is an
    error."""
    out: dict[Path, Dialect] = {}
    for given in paths:
        # Absolute without resolving symlinks, so .gitignore files above a relative path apply.
        path = Path(os.path.abspath(given))
        if path.is_dir():
            for file, dialect in _walk(path):
                out.setdefault(file, dialect)
        elif path.is_file():
            named = DIALECTS.get(path.suffix.lower())
            if named is None:
                known = ", ".join(sorted(DIALECTS))
                raise KindeIacError(f"{given}: not a source file check reads (expected one of {known})")
            out.setdefault(path, named)
        else:
            raise KindeIacError(f"{given}: no such file or directory")
    return list(out.items())
