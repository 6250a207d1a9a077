"""DNS014: a name the workloads need does not resolve as it must from a vantage."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.dns._common import DOCS_AML_DNS, evidence, service_dns, zone_link


class NeededNameDoesNotResolve(Rule):
    meta = RuleMeta(
        id="DNS014",
        name="needed-name-does-not-resolve",
        title="A name the environment needs does not resolve as expected",
        severity=Severity.ERROR,
        rationale=(
            "The DNS matrix resolves every private endpoint and compute-instance name from every "
            "client and workload vantage, and the public names compute needs from the workload "
            "subnets. A wrong answer here is what users see as 'studio does not load' or 'pip "
            "hangs'."
        ),
        fix="Follow the evidence to the step that went wrong (a missing link, forwarder or record).",
        references=(DOCS_AML_DNS,),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        matrix = ctx.dns_matrix
        targets = {n.name: n.resource for n in matrix.names if n.resource is not None}
        vnets = {v.name: v.vnet for v in matrix.vantages}
        for cell in matrix.failures:
            target = targets.get(cell.name)
            causes: tuple[str, ...] = ()
            if target is not None:
                links = dict.fromkeys(
                    zone_link(target, vnet)
                    for vantage in cell.vantages
                    if (vnet := vnets.get(vantage)) is not None
                )
                causes = (service_dns(target), *links)
            expected = f"{cell.expected_address}" if cell.expected_address else cell.expected.value
            got = f"{cell.resolution.outcome.value} {cell.resolution.answer_text}"
            # one finding per view: every vantage of it gets this answer
            where = cell.vantage
            if len(cell.vantages) > 1:
                where += f" and {len(cell.vantages) - 1} other vantage(s) of {cell.view}"
            yield Violation(
                f"{cell.name} from {where}: expected {expected}, got {got}",
                evidence=evidence(cell.resolution),
                causes=causes,
            )
