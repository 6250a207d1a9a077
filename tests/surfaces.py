"""What the round trips compare of the resources heiki reads as a public surface only (AI
Services, AI Search, online endpoints): the generators write them back from that surface, so
it must come back unchanged. Role assignments are written but not modelled (their principal is
known only after deployment)."""

from __future__ import annotations

from typing import Any

from heiki.model.environment import Environment

ROLE_ASSIGNMENTS = "Microsoft.Authorization/roleAssignments"


def surfaces(env: Environment) -> list[tuple[Any, ...]]:
    return sorted(
        (u.type, u.resource_id.lower(), u.kind, u.host, u.surface)
        for u in env.unmodelled
        if u.type != ROLE_ASSIGNMENTS
    )


def surface_types(env: Environment) -> set[str]:
    return {u.type for u in env.unmodelled if u.type != ROLE_ASSIGNMENTS}


def surface_titles(env: Environment) -> set[str]:
    return {u.title for u in env.unmodelled if u.type != ROLE_ASSIGNMENTS}
