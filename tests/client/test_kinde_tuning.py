"""Numeric client settings are range-checked with one readable KindeIacError (issue 13 point 8)."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from kinde_iac.errors import KindeIacError
from kinde_iac.kinde import KindeClient, check_tuning, tuning_from_env

GOOD = {"timeout": 30.0, "max_retries": 6, "max_concurrency": 8, "max_rps": None,
        "backoff_base": 0.25, "backoff_max": 20.0}


@pytest.mark.parametrize(("setting", "value", "words"), [
    ("timeout", 0, "timeout (KINDE_IAC_TIMEOUT) must be a finite number of seconds greater than 0, got 0"),
    ("timeout", -1.0, "got -1.0"),
    ("timeout", math.nan, "got nan"),
    ("timeout", math.inf, "got inf"),
    ("timeout", "30", "got '30'"),
    ("timeout", True, "got True"),
    ("max_retries", -5, "max_retries (KINDE_IAC_MAX_RETRIES) must be a whole number of 0 or more, got -5"),
    ("max_retries", 2.5, "got 2.5"),
    ("max_retries", False, "got False"),
    ("max_concurrency", 0, "max_concurrency (--parallelism) must be a whole number of at least 1, got 0"),
    ("max_concurrency", -3, "got -3"),
    ("max_rps", -1.0, "max_rps (--max-rps) must be a finite number greater than 0, got -1.0"),
    ("max_rps", 0, "got 0"),
    ("max_rps", math.nan, "got nan"),
    ("max_rps", math.inf, "got inf"),
    ("backoff_base", -0.1, "backoff_base must be a finite number of seconds of 0 or more"),
    ("backoff_max", math.nan, "backoff_max must be"),
])
def test_bad_setting_is_one_readable_error(make_client: Callable[..., KindeClient], setting: str, value: Any,
                                           words: str) -> None:
    with pytest.raises(KindeIacError) as exc:
        make_client(**{setting: value})
    message = str(exc.value)
    assert message.startswith("invalid Kinde client settings: ")
    assert words in message


def test_every_bad_setting_is_named_at_once() -> None:
    with pytest.raises(KindeIacError) as exc:
        check_tuning(**{**GOOD, "timeout": 0, "max_retries": -1, "max_concurrency": 0, "max_rps": -1})
    message = str(exc.value)
    assert all(name in message for name in ("timeout", "max_retries", "max_concurrency", "max_rps"))


@pytest.mark.parametrize("settings", [
    GOOD,
    {**GOOD, "timeout": 0.001, "max_retries": 0, "max_concurrency": 1, "max_rps": 0.5},
    {**GOOD, "timeout": 5, "max_rps": 20, "backoff_base": 0, "backoff_max": 0},
])
def test_good_settings_pass(settings: dict[str, Any]) -> None:
    check_tuning(**settings)


def test_zero_retries_is_allowed_and_means_one_attempt(make_client: Callable[..., KindeClient]) -> None:
    assert make_client(max_retries=0).max_retries == 0


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, {}),
    ({"KINDE_IAC_TIMEOUT": "", "KINDE_IAC_MAX_RETRIES": "  "}, {}),
    ({"KINDE_IAC_TIMEOUT": "2.5"}, {"timeout": 2.5}),
    ({"KINDE_IAC_TIMEOUT": " 10 ", "KINDE_IAC_MAX_RETRIES": "0"}, {"timeout": 10.0, "max_retries": 0}),
    ({"KINDE_IAC_MAX_RETRIES": "8"}, {"max_retries": 8}),
])
def test_tuning_from_env(environ: dict[str, str], expected: dict[str, Any]) -> None:
    assert tuning_from_env(environ) == expected


@pytest.mark.parametrize(("name", "raw", "words"), [
    ("KINDE_IAC_TIMEOUT", "0", "expected a finite number of seconds greater than 0"),
    ("KINDE_IAC_TIMEOUT", "-1", "greater than 0"),
    ("KINDE_IAC_TIMEOUT", "nan", "greater than 0"),
    ("KINDE_IAC_TIMEOUT", "inf", "finite"),
    ("KINDE_IAC_TIMEOUT", "soon", "finite"),
    ("KINDE_IAC_MAX_RETRIES", "-5", "expected a whole number of 0 or more"),
    ("KINDE_IAC_MAX_RETRIES", "many", "whole number"),
    ("KINDE_IAC_MAX_RETRIES", "2.5", "whole number"),
])
def test_bad_environment_value_names_the_variable(name: str, raw: str, words: str) -> None:
    with pytest.raises(KindeIacError) as exc:
        tuning_from_env({name: raw})
    assert str(exc.value).startswith(f"{name}={raw!r}: ")
    assert words in str(exc.value)


def test_environment_tuning_reaches_the_client(make_client: Callable[..., KindeClient]) -> None:
    client = make_client(**tuning_from_env({"KINDE_IAC_TIMEOUT": "3", "KINDE_IAC_MAX_RETRIES": "1"}))
    assert (client.timeout, client.max_retries) == (3.0, 1)
