"""DNS007: an on-premises conditional forwarder is set on a privatelink zone."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.dns._common import DOCS_PE_DNS


class ForwarderOnPrivatelinkZone(Rule):
    meta = RuleMeta(
        id="DNS007",
        name="forwarder-on-privatelink-zone",
        title="On-premises forwarder is set on a privatelink zone instead of the public zone",
        severity=Severity.WARNING,
        rationale=(
            "Clients ask for the public name (acct.blob.core.windows.net). A forwarder on "
            "privatelink.blob.core.windows.net only catches the second hop after public DNS "
            "answered the CNAME, and names without that CNAME (compute instances, some workspace "
            "names) never reach Azure. Microsoft asks for the public zone forwarders."
        ),
        fix="Forward the public zone (e.g. blob.core.windows.net, api.azureml.ms) instead.",
        references=(DOCS_PE_DNS,),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        onprem = ctx.env.on_premises
        for server in onprem.dns_servers if onprem else ():
            for forwarder in server.conditional_forwarders:
                if forwarder.zone.labels and forwarder.zone.labels[0] == "privatelink":
                    public = str(forwarder.zone.parent())
                    yield Violation(
                        f"on-premises DNS {server.name} forwards {forwarder.zone}; forward the "
                        f"public zone {public} instead",
                        location=forwarder.source or server.source,
                    )
