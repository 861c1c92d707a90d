"""``validate`` checks secret references without their values, unless --require-secrets (issue 12)."""
from __future__ import annotations

from e2e_harness import Kinde, Workdir

CONFIG = {"kinde": {"environment": "development"},
          "env_vars": [{"key": "PAYMENTS_API_KEY", "value": "${env:KINDE_IAC_TEST_SECRET}", "is_secret": True},
                       {"key": "GATEWAY", "value": "sandbox"}]}


def test_validate_needs_no_secret_values(work: Workdir, kinde: Kinde) -> None:
    args = work.ws_args(CONFIG)
    result = work.run("validate", *args)
    assert result.exit_code == 0, result.stderr
    assert "is valid (2 objects)" in result.output
    assert "KINDE_IAC_TEST_SECRET" in result.output and "references only" in result.output
    strict = work.run("validate", *args, "--require-secrets")
    assert strict.exit_code == 1
    assert 'environment variable "KINDE_IAC_TEST_SECRET" is not set' in strict.stderr
    assert "$.env_vars[0].value" in strict.stderr
    assert work.run("validate", *args, "--require-secrets", env={"KINDE_IAC_TEST_SECRET": "x"}).exit_code == 0
    # plan needs the value: it compares it with what was applied
    plan = work.run("plan", *args)
    assert plan.exit_code == 1 and "KINDE_IAC_TEST_SECRET" in plan.stderr


def test_a_reference_outside_secret_values_must_be_set(work: Workdir, kinde: Kinde) -> None:
    config = {**CONFIG, "applications": [{"key": "web", "name": "Web",
                                          "redirect_urls": ["${env:KINDE_IAC_TEST_URL}/cb"]}]}
    result = work.run("validate", *work.ws_args(config))
    assert result.exit_code == 1
    assert 'environment variable "KINDE_IAC_TEST_URL" is not set' in result.stderr
    assert "$.applications[0].redirect_urls[0]" in result.stderr
    assert "KINDE_IAC_TEST_SECRET" not in result.stderr
