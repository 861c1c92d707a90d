"""The SDK patterns, one language at a time: what each finds, where, and what it must not find."""
from __future__ import annotations

import pytest

from kinde_iac.checks.source.lexer import lex
from kinde_iac.checks.source.scan import scan_text


def found(text: str, dialect: str) -> list[tuple[int, str, str, str]]:
    return [(u.line, u.kind, u.key, u.pattern) for u in scan_text(text, dialect, "f")]  # type: ignore[arg-type]


# --------------------------------------------------------------------------- JS / TS

@pytest.mark.parametrize(("code", "expected"), [
    ('has({ permissions: ["create:todos"] })', [(1, "permission", "create:todos", "has({ permissions })")]),
    ('has({ roles: ["admin"], featureFlags: ["beta"] })',
     [(1, "role", "admin", "has({ roles })"), (1, "flag", "beta", "has({ featureFlags })")]),
    ('has({ "permissions": ["q:k"] })', [(1, "permission", "q:k", "has({ permissions })")]),
    ('await hasPermissions({ permissions: ["a:b"] })', [(1, "permission", "a:b", "hasPermissions({ permissions })")]),
    ('hasRoles({ roles: [{ role: "owner", condition: (r) => r.x }] })', [(1, "role", "owner", "hasRoles({ roles })")]),
    ('getPermission("read:x")', [(1, "permission", "read:x", "getPermission()")]),
    ("getPermission('read:x')", [(1, "permission", "read:x", "getPermission()")]),
    ('kinde.getFlag("theme", "pink")', [(1, "flag", "theme", "getFlag()")]),
    ('getIntegerFlag("limit", 3)', [(1, "flag", "limit", "getIntegerFlag()")]),
    # The TypeScript SDK passes the session manager first.
    ('client.getBooleanFlag(sessionManager, "dark", false)', [(1, "flag", "dark", "getBooleanFlag()")]),
    ('client.getPermission(session, "a:b")', [(1, "permission", "a:b", "getPermission()")]),
    ('token.permissions.includes("x:y")', [(1, "permission", "x:y", "permissions.includes()")]),
    ('claims?.permissions?.includes("x:y")', [(1, "permission", "x:y", "permissions.includes()")]),
    ('(await getClaim("permissions")).value.includes("x:y")', [(1, "permission", "x:y", "permissions.includes()")]),
    ('userRoles.includes("admin")', [(1, "role", "admin", "roles.includes()")]),
])
def test_js_patterns(code: str, expected: list[tuple[int, str, str, str]]) -> None:
    assert found(code, "js") == expected


@pytest.mark.parametrize("code", [
    "new Map().has('key')",
    'searchParams.has("permissions")',
    'getFlag(name, "fallback", "s")',  # the key is a variable: the literals are a default and a type
    "getFlag(`flag_${suffix}`, false)",
    'audiences.includes("api.example.com")',
    '["admin", "owner"].includes(role)',
    '// getPermission("in:comment")',
    '/* has({ permissions: ["in:block"] }) */',
    'const s = "getPermission(\\"in:string\\")";',
    "const t = `has({ permissions: [\"in:template\"] })`;",
    'getPermissions()',
])
def test_js_non_uses(code: str) -> None:
    assert found(code, "js") == []


def test_js_multi_line_calls_report_the_key_line() -> None:
    code = (
        "const ok = has({\n"
        "  roles: [\n"
        '    "admin",\n'
        "  ],\n"
        "  permissions: [\n"
        '    "manage:users",\n'
        "  ],\n"
        "});\n"
        "const flag = await getBooleanFlag(\n"
        '  "new_checkout",\n'
        "  false,\n"
        ");\n"
        "if (decoded\n"
        "  .permissions\n"
        '  .includes("delete:todos")) {}\n'
    )
    assert found(code, "js") == [
        (3, "role", "admin", "has({ roles })"),
        (6, "permission", "manage:users", "has({ permissions })"),
        (10, "flag", "new_checkout", "getBooleanFlag()"),
        (15, "permission", "delete:todos", "permissions.includes()"),
    ]


def test_protected_route_attribute_across_lines() -> None:
    code = (
        "<ProtectedRoute\n"
        '  fallbackPath="/unauthorized"\n'
        "  has={{\n"
        '    permissions: ["manage:users"],\n'
        '    featureFlags: ["admin_ui"],\n'
        "  }}\n"
        ">\n"
        "  <Admin />\n"
        "</ProtectedRoute>\n"
    )
    assert found(code, "js") == [
        (4, "permission", "manage:users", "<ProtectedRoute has={{ permissions }}>"),
        (5, "flag", "admin_ui", "<ProtectedRoute has={{ featureFlags }}>"),
    ]


def test_js_lexing_survives_regexes_apostrophes_and_jsx() -> None:
    code = (
        'const re = /["\')]/g;\n'
        "const half = total / 2; const q = a / b;\n"
        "const x = <p>Don't stop</p>;\n"
        "const y = <Foo bar={1} />;\n"
        'getPermission("after:all")\n'
    )
    assert found(code, "js") == [(5, "permission", "after:all", "getPermission()")]


def test_column_is_that_of_the_key() -> None:
    [use] = scan_text('  x = has({ permissions: ["a:b"] })', "js", "f")
    assert (use.line, use.column) == (1, 27)


# --------------------------------------------------------------------------- Python, Ruby, Go

def test_python_patterns() -> None:
    code = (
        "# kinde_client.get_permission('in:comment')\n"
        'granted = kinde_client.get_permission("create:todos")\n'
        "flag = await feature_flags.get_flag('dark_mode', default_value=False)\n"
        'beta = kinde_client.get_boolean_flag(code="beta", default_value=False)\n'
        'other = kinde_client.get_flag(code_var, "not_a_key")\n'
        'if "manage:users" in claims["permissions"]:\n'
        "    pass\n"
        "if 'admin' not in roles:\n"
        "    pass\n"
        'doc = """get_permission("in:docstring")"""\n'
        'dynamic = kinde_client.get_flag(f"flag_{name}")\n'
        'if "x" in audiences: pass\n'
    )
    assert found(code, "python") == [
        (2, "permission", "create:todos", "get_permission()"),
        (3, "flag", "dark_mode", "get_flag()"),
        (4, "flag", "beta", "get_boolean_flag()"),
        (6, "permission", "manage:users", '"..." in permissions'),
        (8, "role", "admin", '"..." in roles'),
    ]


def test_ruby_patterns() -> None:
    code = (
        '# client.permission_granted?("in:comment")\n'
        'if client.permission_granted?("create:todos")\n'
        'client.permission_granted? "update:todos"\n'
        'theme = client.get_flag("theme", { default_value: "pink" })\n'
        'dark = client.get_boolean_flag("dark_mode", false)\n'
        'token["permissions"].include?("manage:users")\n'
        'x = "#{a}".include?("y")\n'
        '=begin\nclient.get_flag("in:block")\n=end\n'
    )
    assert found(code, "ruby") == [
        (2, "permission", "create:todos", "permission_granted?()"),
        (3, "permission", "update:todos", "permission_granted?()"),
        (4, "flag", "theme", "get_flag()"),
        (5, "flag", "dark_mode", "get_boolean_flag()"),
        (6, "permission", "manage:users", "permissions.include?()"),
    ]


def test_go_patterns() -> None:
    code = (
        '// slices.Contains(permissions, "in:comment")\n'
        'if slices.Contains(token.GetPermissions(), "create:todos") {}\n'
        'if slices.Contains(claims.Roles, "admin") {}\n'
        'if slices.Contains(names, "bob") {}\n'
        'raw := `slices.Contains(permissions, "in:raw")`\n'
    )
    assert found(code, "go") == [
        (2, "permission", "create:todos", "slices.Contains(permissions, ...)"),
        (3, "role", "admin", "slices.Contains(roles, ...)"),
    ]


def test_lexer_keeps_offsets_and_blanks_only_comments_and_string_contents() -> None:
    text = 'a("x)") // c(\nb'
    lexed = lex(text, "js")
    assert len(lexed.code) == len(text)
    assert lexed.code == 'a("  ")' + ' ' * 6 + '\nb'
    assert [(s.start, s.value) for s in lexed.strings] == [(2, "x)")]
