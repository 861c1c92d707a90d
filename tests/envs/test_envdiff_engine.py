"""The comparison itself: secrets by hash, values no side can know, variables through variables."""
from __future__ import annotations

import json
from pathlib import Path

from kinde_iac.engine.envdiff import SENSITIVE_DIFFERS, compare, same_secret
from kinde_iac.engine.envsides import Side, config_side, load_config, parse_side
from kinde_iac.resources import Resource
from kinde_iac.state import hash_secret


def _side(name: str, resources: list[Resource], unknown: dict[str, frozenset[str]] | None = None) -> Side:
    return Side(name=name, live=True, resources={r.address: r for r in resources}, unknown=unknown or {},
                written={}, variables={})


def _var(value: object, secret: bool = True) -> Resource:
    return Resource(kind="env_var", key="API_KEY", natural=("API_KEY",), attributes={"value": value, "is_secret": secret})


def test_secrets_compare_by_hash_and_two_salted_hashes_cannot_be_told() -> None:
    salted = hash_secret("s3cret")
    assert same_secret("s3cret", salted) is True and same_secret(salted, "other") is False
    assert same_secret(salted, hash_secret("s3cret")) is None
    assert same_secret("a", "a") is True and same_secret("a", "b") is False

    differs = compare(_side("a", [_var("s3cret")]), _side("b", [_var(hash_secret("other"))]))
    (field,) = differs.objects[0].fields
    assert (field.a, field.b, field.sensitive) == (SENSITIVE_DIFFERS, SENSITIVE_DIFFERS, True)
    unknowable = compare(_side("a", [_var(hash_secret("x"))]), _side("b", [_var(hash_secret("y"))]))
    assert unknowable.same and unknowable.not_compared == (("env_var.API_KEY", "value"),)


def test_values_kinde_does_not_return_are_not_compared() -> None:
    flag = Resource(kind="feature_flag", key="beta", natural=("beta",),
                    attributes={"name": None, "description": None, "type": "bool", "allow_override_level": None,
                                "default_value": None, "value": "true"})
    known = Resource(kind="feature_flag", key="beta", natural=("beta",),
                     attributes={**flag.attributes, "name": "Beta", "default_value": "false", "value": "false"})
    result = compare(_side("a", [flag], {"feature_flag.beta": frozenset({"name", "default_value"})}),
                     _side("b", [known]))
    assert [(f.name, f.a, f.b) for f in result.objects[0].fields] == [("value", "true", "false")]
    assert set(result.not_compared) == {("feature_flag.beta", "name"), ("feature_flag.beta", "default_value")}


def test_a_variable_is_traced_through_the_variables_it_uses(tmp_path: Path) -> None:
    for name, host in (("a", "one.example"), ("b", "two.example")):
        doc = {"variables": {"host": host, "app_url": "https://${var.host}", "same": "x"},
               "roles": [{"key": "r", "name": "R ${var.same}", "description": "at ${var.app_url}"}]}
        (tmp_path / f"{name}.json").write_text(json.dumps(doc))
    sides = [config_side(load_config(parse_side(str(tmp_path / f"{n}.json")))) for n in "ab"]
    (field,) = compare(*sides).objects[0].fields
    assert (field.name, field.a, field.b) == ("description", "at https://one.example", "at https://two.example")
    assert field.variables == ("host",)
    assert compare(*sides, ignore_variables=True).same
