"""CLS002: local authentication (storage shared keys, registry admin user) is on."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.analyses.closure import CheckStatus
from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class LocalAuthentication(Rule):
    meta = RuleMeta(
        id="CLS002",
        name="local-authentication",
        title="Local authentication is enabled",
        severity=Severity.WARNING,
        rationale=(
            "Shared keys and admin passwords bypass Entra ID, the other layer of the security "
            "model: whoever holds the key needs no account, and keys travel in scripts and chats."
        ),
        fix="Set allowSharedKeyAccess: false on storage and adminUserEnabled: false on the "
        "container registry; grant data roles to identities instead.",
        references=(
            "https://learn.microsoft.com/en-us/azure/storage/common/shared-key-authorization-prevent",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        check = ctx.closure.get("local authentication off")
        if check.status is not CheckStatus.FAIL:
            return
        for message, resource in zip(check.evidence, check.resources, strict=False):
            yield Violation(message, resource)
