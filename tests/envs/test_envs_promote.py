"""`kinde-iac promote --from A --to B`: B's file gets A's definitions, and nothing else changes."""
from __future__ import annotations

import json

from envs_harness import COMMON, Project

PROMOTED = ("role.admin", "role.support", "permission.orders:refund")


def test_promoting_two_roles_makes_the_next_diff_silent(project: Project) -> None:
    before = project.text("prod")
    result = project.run("promote", "--from", "staging", "--to", "prod", *PROMOTED)
    assert result.exit_code == 0, result.output + result.stderr
    assert "--- a/environments/prod.json\n+++ b/environments/prod.json\n" in result.output
    assert '+      "name": "Administrators",' in result.output
    for address in PROMOTED:
        assert f"{address}: promoted from staging" in result.output

    after = project.run("diff", "staging", "prod", *PROMOTED)
    assert after.exit_code == 0 and "No differences" in after.output, after.output
    assert project.run("validate", "-w", "prod").exit_code == 0
    prod = project.read("prod")
    assert prod["$extends"] == "common.json"
    assert prod["variables"]["app_url"] == "https://acme.example"
    # the admin role keeps its protect flag and gets only what common.json does not already give
    assert prod["roles"][0] == {"key": "admin", "protect": True, "name": "Administrators",
                                "permissions": ["orders:read", "orders:write", "orders:refund"]}
    assert [r["key"] for r in prod["roles"]] == ["admin", "support"]
    assert "viewer" not in project.text("prod")
    # the lines before the first change are untouched
    head = before.split('"roles"')[0]
    assert project.text("prod").startswith(head)
    # the rest of the differences are still there
    rest = project.run("diff", "staging", "prod", "--ignore-variables")
    assert rest.exit_code == 2 and "feature_flag.new_checkout" in rest.output and "role." not in rest.output


def test_a_missing_dependency_is_refused_and_nothing_is_written(project: Project) -> None:
    before = project.path("prod").read_bytes()
    result = project.run("promote", "--from", "staging", "--to", "prod", "role.admin")
    assert result.exit_code == 1
    assert ("Error: cannot promote role.admin: it needs permission.orders:refund, which prod does not define; "
            "promote it too") in result.stderr
    assert project.path("prod").read_bytes() == before


def test_variable_references_stay_references_and_missing_variables_are_refused(project: Project) -> None:
    staging = project.read("staging")
    staging["variables"]["support_email"] = "help@staging.acme.example"
    staging["roles"].append({"key": "ops", "name": "Ops", "description": "Ops at ${var.app_url}"})
    staging["roles"].append({"key": "desk", "name": "Desk", "description": "Mail ${var.support_email}"})
    project.write("staging", staging)
    ok = project.run("promote", "--from", "staging", "--to", "prod", "role.ops")
    assert ok.exit_code == 0, ok.output + ok.stderr
    assert project.read("prod")["roles"][-1] == {"key": "ops", "name": "Ops", "description": "Ops at ${var.app_url}"}
    before = project.path("prod").read_bytes()
    refused = project.run("promote", "--from", "staging", "--to", "prod", "role.desk")
    assert refused.exit_code == 1
    assert ("cannot promote role.desk: its definition in staging uses variable 'support_email', which prod does "
            'not define; add it to prod\'s "variables" first') in refused.stderr
    assert project.path("prod").read_bytes() == before


def test_secret_values_are_never_copied(project: Project) -> None:
    staging = project.read("staging")
    staging["env_vars"] = [{"key": "WEBHOOK_SECRET", "value": "whsec_SENTINEL_55", "is_secret": True},
                           {"key": "SIGNING_KEY", "value": "${env:SIGNING_KEY}", "is_secret": True}]
    project.write("staging", staging)
    refused = project.run("promote", "--from", "staging", "--to", "prod", "env_var.WEBHOOK_SECRET")
    assert refused.exit_code == 1
    assert "writes its secret 'value' as a literal value, and promote never copies secret values" in refused.stderr
    assert "whsec_" not in refused.output + refused.stderr and "whsec_" not in project.text("prod")
    copied = project.run("promote", "--from", "staging", "--to", "prod", "env_var.SIGNING_KEY")
    assert copied.exit_code == 0, copied.output + copied.stderr
    assert {"key": "SIGNING_KEY", "value": "${env:SIGNING_KEY}", "is_secret": True} in project.read("prod")["env_vars"]


def test_dry_run_prints_the_change_and_writes_nothing(project: Project) -> None:
    before = project.path("prod").read_bytes()
    result = project.run("promote", "--from", "staging", "--to", "prod", *PROMOTED, "--dry-run")
    assert result.exit_code == 0
    assert '+      "key": "support",' in result.output and "Dry run: environments/prod.json was not written." in result.output
    assert project.path("prod").read_bytes() == before
    assert not [p.name for p in project.path("prod").parent.iterdir() if p.name.startswith(".")]


def test_all_promotes_every_real_difference_and_keeps_target_only_objects(project: Project) -> None:
    prod = project.read("prod")
    prod["roles"].append({"key": "auditor", "name": "Auditor"})
    project.write("prod", prod)
    result = project.run("promote", "--from", "staging", "--to", "prod", "--all")
    assert result.exit_code == 0, result.output + result.stderr
    assert "feature_flag.new_checkout: promoted from staging" in result.output
    assert "role.auditor: only in prod, kept (name it to remove it)" in result.output
    # differences that come only from variables are each workspace's own
    assert "application.web" not in result.output and "env_var.STRIPE_KEY" not in result.output
    left = project.run("diff", "staging", "prod", "--ignore-variables")
    assert left.exit_code == 2 and "+ role.auditor  (only in prod)" in left.output
    assert "Diff: 0 only in staging, 1 only in prod, 0 differ." in left.output
    removed = project.run("promote", "--from", "staging", "--to", "prod", "role.auditor")
    assert removed.exit_code == 0 and "role.auditor: removed (not defined in staging)" in removed.output
    assert project.run("diff", "staging", "prod", "--ignore-variables").exit_code == 0


def test_a_difference_by_variable_needs_no_promotion(project: Project) -> None:
    before = project.path("prod").read_bytes()
    result = project.run("promote", "--from", "staging", "--to", "prod", "application.web", "env_var.*")
    assert result.exit_code == 0, result.output + result.stderr
    assert ("application.web: nothing to promote (differs only by variable app_url: each workspace keeps its "
            "own value)") in result.output
    assert "env_var.STRIPE_KEY: nothing to promote (differs only by variable stripe_key" in result.output
    assert project.path("prod").read_bytes() == before


def test_objects_of_a_shared_part_are_neither_duplicated_nor_removed(project: Project) -> None:
    qa = {"kinde": {"environment": "staging"}, "variables": {},
          "permissions": [{"key": "orders:read", "name": "Read orders"}],
          "roles": [{"key": "viewer", "name": "Viewer", "permissions": ["orders:read"]}]}
    project.write("qa", qa)
    same = project.run("promote", "--from", "qa", "--to", "prod", "role.viewer")
    assert same.exit_code == 0 and "role.viewer: nothing to promote (already the same)" in same.output
    assert "environments/prod.json is unchanged." in same.output
    refused = project.run("promote", "--from", "qa", "--to", "prod", "role.admin")
    assert refused.exit_code == 1
    assert "role.admin is defined in a shared part of environments/prod.json" in refused.stderr


def test_a_nested_object_is_promoted_through_its_parent(project: Project) -> None:
    staging = project.read("staging")
    scopes = [*COMMON["apis"][0]["scopes"], {"key": "orders:write", "description": "Write orders"}]
    staging["apis"] = [{"key": "orders-api", "scopes": scopes}]
    project.write("staging", staging)
    result = project.run("promote", "--from", "staging", "--to", "prod", "api_scope.orders-api/orders:write")
    assert result.exit_code == 0, result.output + result.stderr
    assert project.read("prod")["apis"] == [{"key": "orders-api", "scopes": scopes}]
    assert project.run("diff", "staging", "prod", "api*").exit_code == 0


def test_a_seed_format_target_is_edited_where_it_defines_the_object(project: Project) -> None:
    prod = project.read("prod")
    prod["envVars"] = [{"key": "REGION", "value": "eu", "sensitive": False}]
    project.write("prod", prod)
    staging = project.read("staging")
    staging["env_vars"] = [{"key": "REGION", "value": "us"}]
    project.write("staging", staging)
    result = project.run("promote", "--from", "staging", "--to", "prod", "env_var.REGION")
    assert result.exit_code == 0, result.output + result.stderr
    assert project.read("prod")["envVars"] == [{"key": "REGION", "value": "us"}]
    assert "env_vars" not in project.read("prod")


def test_usage_errors(project: Project) -> None:
    cases = {
        ("promote", "--from", "staging", "--to", "prod"): "name the objects to promote (ADDRESS...), or give --all",
        ("promote", "--from", "staging", "--to", "prod", "role.admin", "--all"): "or give --all",
        ("promote", "--from", "prod", "--to", "prod", "role.admin"): "--from and --to name the same file",
        ("promote", "--from", "staging", "--to", "qa", "role.admin"): "environments/qa.json: file not found",
        ("promote", "--from", "staging:live", "--to", "prod", "role.admin"): "it does not take :live",
        ("promote", "--to", "prod", "role.admin"): "Missing option '--from'",
        ("promote", "--from", "staging", "--to", "prod", "role.nope"): "no object matches 'role.nope'",
    }
    for args, message in cases.items():
        result = project.run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.stderr, (args, result.stderr)


def test_the_plan_after_promote_shows_exactly_the_promoted_change(project: Project) -> None:
    applied = project.run("apply", "-w", "prod", "--auto-approve")
    assert applied.exit_code == 0, applied.output + applied.stderr
    assert project.run("promote", "--from", "staging", "--to", "prod", *PROMOTED).exit_code == 0
    plan = project.run("plan", "-w", "prod", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output + plan.stderr
    headlines = sorted(line.strip() for line in plan.output.splitlines() if line.strip().startswith("# "))
    assert headlines == ["# permission.orders:refund will be created", "# role.admin will be updated in-place",
                         "# role.support will be created"]
    assert "Plan: 2 to add, 1 to change, 0 to destroy, 0 to import." in plan.output
    assert json.loads(project.text("prod"))["roles"][0]["protect"] is True


def test_generated_objects_come_with_their_parent_and_file_paths_are_rebased(project: Project) -> None:
    (project.root / "specs").mkdir()
    spec = {"openapi": "3.0.0", "info": {"title": "Billing", "version": "1"},
            "paths": {"/invoices": {"get": {"summary": "List invoices"}}}}
    (project.root / "specs" / "billing.json").write_text(json.dumps(spec))
    (project.root / "environments" / "shared").mkdir()
    project.write("shared/apis", {"apis": [{"key": "billing-api", "name": "Billing", "audience": "https://billing.example",
                                            "openapi": "../../specs/billing.json"}]})
    staging = project.read("staging")
    staging["$extends"] = ["common.json", "shared/apis.json"]
    staging["roles"].append({"key": "billing", "name": "Billing", "scopes": ["billing-api/get:invoices"]})
    project.write("staging", staging)
    alone = project.run("promote", "--from", "staging", "--to", "prod", "api_scope.billing-api/get:invoices")
    assert alone.exit_code == 1
    assert ("api_scope.billing-api/get:invoices is generated from a document api.billing-api names in staging's "
            "configuration, not written there: promote api.billing-api") in alone.stderr
    result = project.run("promote", "--from", "staging", "--to", "prod", "role.billing", "api.billing-api",
                         "api_scope.billing-api/*")
    assert result.exit_code == 0, result.output + result.stderr
    assert ("api_scope.billing-api/get:invoices: nothing to promote (generated from a document api.billing-api "
            "names; it comes with api.billing-api)") in result.output
    assert project.read("prod")["apis"] == [{"key": "billing-api", "name": "Billing",
                                             "audience": "https://billing.example", "openapi": "../specs/billing.json"}]
    assert project.run("diff", "staging", "prod", "*billing*").exit_code == 0


def test_the_file_keeps_its_mode_and_a_missing_last_line_end_is_shown(project: Project) -> None:
    path = project.path("prod")
    path.write_text(path.read_text().rstrip("\n"))
    path.chmod(0o640)
    result = project.run("promote", "--from", "staging", "--to", "prod", "permission.orders:refund")
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.count("\\ No newline at end of file") == 1 and "\n }\n\\ No newline" in result.output
    assert path.stat().st_mode & 0o777 == 0o640 and not path.read_text().endswith("\n")
