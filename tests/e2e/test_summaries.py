"""The plan line and the apply summary of the same run agree, for every action: a replacement is one
add and one destroy in both, an adoption one import in both (also when the adopted object is
replaced at once), and every step the progress reports finishes."""
from __future__ import annotations

import re

from e2e_harness import Kinde, Workdir
from replacement_scenario import AFTER, BEFORE, LIVE_API, LIVE_PERMISSION


def numbers(pattern: str, text: str) -> tuple[int, ...]:
    found = re.search(pattern, text)
    assert found, text[-3000:]
    return tuple(int(n) for n in found.groups())


def test_plan_and_apply_summaries_agree_with_a_replacement_and_imports(work: Workdir, kinde: Kinde) -> None:
    work.apply(BEFORE)
    kinde.call("POST", LIVE_PERMISSION[0], json=LIVE_PERMISSION[1])
    kinde.call("POST", LIVE_API[0], json=LIVE_API[1])

    plan = work.plan(AFTER)
    assert plan.exit_code == 2, plan.output
    planned = numbers(r"Plan: (\d+) to add, (\d+) to change, (\d+) to destroy, (\d+) to import\.", plan.output)
    # add: web (replaced), api (replaced), viewer; change: p1, admin; destroy: web, api, p2; import: p3, api
    assert planned == (3, 2, 3, 2)

    result = work.apply(AFTER)
    applied = numbers(r"Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed, (\d+) imported\.",
                      result.stdout)
    assert applied == planned
    progress = result.stderr
    assert "permission.p3: Import complete" in progress and "api.orders: Import complete" in progress
    assert "application.web: Destruction complete" in progress and "application.web: Creation complete" in progress
    work.assert_converged(AFTER)
    assert [a["name"] for a in kinde.call("GET", "/api/v1/apis")["apis"]
            if a["audience"] == "https://orders.example"] == ["Orders"]


def test_json_and_markdown_summaries_say_what_the_text_plan_says(work: Workdir, kinde: Kinde) -> None:
    work.apply(BEFORE)
    kinde.call("POST", LIVE_PERMISSION[0], json=LIVE_PERMISSION[1])
    args = work.ws_args(AFTER)
    text = work.run("plan", *args).output
    summary = work.run("plan", *args, "--format", "json").stdout
    markdown = work.run("plan", *args, "--format", "markdown").stdout
    planned = numbers(r"Plan: (\d+) to add, (\d+) to change, (\d+) to destroy, (\d+) to import\.", text)
    assert numbers(r'"add": (\d+),\s+"change": (\d+),\s+"destroy": (\d+),\s+"import": (\d+)', summary) == planned
    assert numbers(r"\*\*Plan: (\d+) to add, (\d+) to change, (\d+) to destroy, (\d+) to import\.\*\*",
                   markdown) == planned
