"""``plan --format gitlab``: GitLab's Terraform merge-request report, the JSON the
``artifacts:reports:terraform`` widget reads: ``{"create": N, "update": N, "delete": N}``.

GitLab builds it from a Terraform plan by counting every action string of every resource change, so a
replacement (Terraform's ``["delete", "create"]``) is one create and one delete, and an import, whose
action is ``no-op``, is not counted unless the object also changes. kinde-iac's plan counts are made
the same way (``Counts``), so the widget says what the plan line says, less the imports: there is no
place for them in GitLab's format, whose parser requires exactly these three keys.
"""
from __future__ import annotations

import json

from kinde_iac.engine.plan_model import Plan


def gitlab_report(plan: Plan) -> dict[str, int]:
    counts = plan.counts
    return {"create": counts.add, "update": counts.change, "delete": counts.destroy}


def render_gitlab(plan: Plan) -> str:
    return json.dumps(gitlab_report(plan), sort_keys=True) + "\n"
