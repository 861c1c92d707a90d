"""Line numbers of config values, for findings that point into JSON files."""
from __future__ import annotations

from kinde_iac.checks.json_lines import JsonIndex, parse_path

DOC = '\ufeff{\n  "roles": [\n    {"key": "a", "name": "A"},\n    {\n      "key": "b",\n      "x.y": ["u", "v"]\n    }\n  ],\n  "n": -1.5e3, "t": true\n}\n'


def test_paths_written_by_the_loader_parse_back() -> None:
    assert parse_path("$.roles[1].key") == ("roles", 1, "key")
    assert parse_path('$.roles[1]["x.y"][0]') == ("roles", 1, "x.y", 0)
    assert parse_path("$") == ()


def test_lines_of_values_and_strings_inside_entries() -> None:
    index = JsonIndex(DOC)
    assert index.line_of(("roles", 0)) == 3
    assert index.line_of(("roles", 1)) == 4
    assert index.line_of(("roles", 1, "x.y", 1)) == 6
    assert index.line_of(("n",)) == 9
    assert index.line_of(("roles", 7, "nope")) == 2  # the deepest written ancestor
    assert index.find_string(("roles", 1), "b") == 5
    assert index.find_string(("roles", 1), "v") == 6
    assert index.find_string(("roles", 0), "b") is None


def test_broken_json_keeps_what_was_read() -> None:
    index = JsonIndex('{\n "a": 1,\n "b": [\n')
    assert index.line_of(("a",)) == 2
