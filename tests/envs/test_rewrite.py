"""Editing a JSON file in place: only the edited value's text changes."""
from __future__ import annotations

import json

import pytest

from kinde_iac.config.rewrite import JsonFile, format_value, parse_spans

TEXT = """{
  "$extends": "common.json",
  "kinde": {"environment": "staging"},

  "roles": [
    {"key": "admin",   "name": "Admin"},
    {"key": "viewer", "name": "Viewer"}
  ],
  "tags": ["a", "b"],
  "empty": []
}
"""


def test_spans_locate_every_value() -> None:
    root = parse_spans(TEXT)
    admin = root.children["roles"].children[0]
    assert TEXT[admin.start:admin.end] == '{"key": "admin",   "name": "Admin"}'
    assert TEXT[root.children["kinde"].children["environment"].start:][:9] == '"staging"'
    escaped = '{"a\\"b": "x\\u00e9\\\\", "c": [1.5e3, true, null]}'
    spans = parse_spans(escaped)
    assert escaped[spans.children['a"b'].start:spans.children['a"b'].end] == '"x\\u00e9\\\\"'
    assert escaped[spans.children["c"].children[0].start:][:5] == "1.5e3"
    for bad in ('{"a": [1, 2,]}', '{"a": 1} x', '{"a" 1}'):
        with pytest.raises(ValueError):
            parse_spans(bad)


def test_replace_keeps_every_other_byte() -> None:
    f = JsonFile(TEXT)
    f.replace(("roles", 1), {"key": "viewer", "name": "Readers"})
    assert f.rendered() == TEXT.replace('{"key": "viewer", "name": "Viewer"}', '{"key": "viewer", "name": "Readers"}')


def test_append_follows_the_list_layout() -> None:
    f = JsonFile(TEXT)
    f.append(("roles",), {"key": "support", "name": "Support"})
    f.append(("tags",), "c")
    f.append(("empty",), 1)
    assert f.rendered() == TEXT.replace(
        '{"key": "viewer", "name": "Viewer"}\n', '{"key": "viewer", "name": "Viewer"},\n    {"key": "support", "name": "Support"}\n'
    ).replace('["a", "b"]', '["a", "b", "c"]').replace('"empty": []', '"empty": [\n    1\n  ]')
    # an object added to a list written on one line puts one item per line, the others as written
    g = JsonFile('{"roles": [{"key":"a"}]}')
    g.append(("roles",), {"key": "b"})
    assert g.rendered() == '{"roles": [\n  {"key":"a"},\n  {"key": "b"}\n]}'


def test_add_member_and_remove() -> None:
    f = JsonFile(TEXT)
    f.add_member((), "permissions", [{"key": "orders:read"}])
    f.remove(("roles", 0))
    f.remove(("tags", 1))
    assert json.loads(f.rendered()) == {
        "$extends": "common.json", "kinde": {"environment": "staging"}, "roles": [{"key": "viewer", "name": "Viewer"}],
        "tags": ["a"], "empty": [], "permissions": [{"key": "orders:read"}]}
    assert f.rendered().endswith('  "empty": [],\n  "permissions": [\n    {"key": "orders:read"}\n  ]\n}\n')
    assert '  "roles": [\n    {"key": "viewer", "name": "Viewer"}\n  ],' in f.rendered()
    f.remove(("roles", 0))
    assert '"roles": [],' in f.rendered()


def test_bom_and_crlf_are_kept() -> None:
    text = "\ufeff" + TEXT.replace("\n", "\r\n")
    f = JsonFile(text)
    f.append(("roles",), {"key": "x"})
    out = f.rendered()
    assert out.startswith("\ufeff{\r\n") and "\n" not in out.replace("\r\n", "")
    assert '    {"key": "x"}\r\n  ],' in out


def test_format_value_uses_two_spaces_and_keeps_key_order() -> None:
    assert format_value({"z": 1, "a": [1, 2]}) == '{"z": 1, "a": [1, 2]}'
    long = {"key": "support", "description": "x" * 90, "permissions": ["orders:read"]}
    assert format_value(long, 2) == (
        '{\n    "key": "support",\n    "description": "' + "x" * 90 + '",\n    "permissions": ["orders:read"]\n  }')
    assert format_value([{"key": "a"}]) == '[\n  {"key": "a"}\n]'
