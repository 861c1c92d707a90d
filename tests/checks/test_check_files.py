"""Which files `check` reads: extensions, skipped directories, .gitignore rules as git applies them."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kinde_iac.checks.source.files import source_files
from kinde_iac.errors import KindeIacError


def tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def names(root: Path, *paths: str) -> list[str]:
    return [p.relative_to(root).as_posix() for p, _ in source_files([str(root / p) for p in paths or ("",)])]


def test_extensions_and_dialects(tmp_path: Path) -> None:
    tree(tmp_path, {"a.ts": "", "b.tsx": "", "c.jsx": "", "d.mjs": "", "e.py": "", "f.go": "", "g.rb": "",
                    "h.json": "", "i.md": "", "j.min.js": "", "k.d.ts": ""})
    got = {p.name: d for p, d in source_files([str(tmp_path)])}
    assert got == {"a.ts": "js", "b.tsx": "js", "c.jsx": "js", "d.mjs": "js", "e.py": "python", "f.go": "go",
                   "g.rb": "ruby"}


def test_dependency_and_build_directories_are_skipped_anywhere(tmp_path: Path) -> None:
    tree(tmp_path, {"src/a.ts": "", "node_modules/x/index.js": "", "web/node_modules/y.js": "",
                    "web/.next/z.js": "", "api/venv/lib/w.py": "", "api/__pycache__/v.py": "",
                    "vendor/github.com/u/u.go": "", "web/build/t.js": "", "web/src/s.tsx": ""})
    assert names(tmp_path) == ["src/a.ts", "web/src/s.tsx"]


def test_gitignore_files_apply_like_git(tmp_path: Path) -> None:
    tree(tmp_path, {
        ".gitignore": "generated/\n*.gen.ts\n",
        "src/.gitignore": "!keep.gen.ts\nscratch.py\n",
        "src/a.ts": "", "src/b.gen.ts": "", "src/keep.gen.ts": "", "src/scratch.py": "",
        "generated/c.ts": "", "lib/scratch.py": "",
    })
    assert names(tmp_path) == ["lib/scratch.py", "src/a.ts", "src/keep.gen.ts"]


def test_repository_gitignore_applies_to_a_scanned_subdirectory(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    tree(tmp_path, {".gitignore": "app/legacy/\n", "app/src/a.ts": "", "app/legacy/b.ts": ""})
    assert names(tmp_path, "app") == ["app/src/a.ts"]
    # Without a repository around it, a parent directory's .gitignore is not this tree's business.
    os.rmdir(tmp_path / ".git")
    assert names(tmp_path, "app") == ["app/legacy/b.ts", "app/src/a.ts"]


def test_a_named_directory_is_read_even_if_the_repository_ignores_it(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    tree(tmp_path, {".gitignore": "legacy/\n*.gen.ts\n", "legacy/a.ts": "", "legacy/b.gen.ts": "",
                    "legacy/.gitignore": "c.ts\n", "legacy/c.ts": ""})
    assert names(tmp_path) == []
    assert names(tmp_path, "legacy") == ["legacy/a.ts", "legacy/b.gen.ts"]


def test_relative_paths_find_the_repository_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    tree(tmp_path, {".gitignore": "app/legacy/\n", "app/src/a.ts": "", "app/legacy/b.ts": ""})
    monkeypatch.chdir(tmp_path / "app")
    assert [p.name for p, _ in source_files(["."])] == ["a.ts"]


def test_named_files_are_read_even_where_a_walk_would_skip_them(tmp_path: Path) -> None:
    tree(tmp_path, {".gitignore": "gen/\n", "gen/a.ts": "", "b.ts": ""})
    assert names(tmp_path, "gen/a.ts", "b.ts", "b.ts", "") == ["gen/a.ts", "b.ts"]


def test_missing_and_unsupported_paths_are_errors(tmp_path: Path) -> None:
    with pytest.raises(KindeIacError, match="no such file or directory"):
        source_files([str(tmp_path / "nope")])
    (tmp_path / "x.txt").write_text("")
    with pytest.raises(KindeIacError, match="not a source file"):
        source_files([str(tmp_path / "x.txt")])
