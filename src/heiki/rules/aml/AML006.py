"""AML006: the workspace storage's private endpoints are not in the workspace endpoint's VNet."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.environment import Environment
from heiki.model.ml import PublicNetworkAccess
from heiki.model.services import DefaultAction, StorageAccount
from heiki.model.values import ResourceId
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext

_STUDIO_GROUPS = ("blob", "file")


class StudioStorageEndpointElsewhere(Rule):
    meta = RuleMeta(
        id="AML006",
        name="studio-storage-endpoint-elsewhere",
        title="The workspace storage has no blob/file private endpoint in the workspace's VNet",
        severity=Severity.WARNING,
        rationale=(
            "Studio reads the workspace's default storage from the browser through private "
            "endpoints; Microsoft requires the storage's blob and file endpoints in the same "
            "VNet as the workspace's private endpoint - or, for storage behind a service "
            "endpoint, the service endpoint in the same subnet as the workspace's private "
            "endpoint. Elsewhere, data preview, datastore browsing and notebooks fail although "
            "jobs on compute work."
        ),
        fix="Create the storage account's blob and file private endpoints in the VNet that "
        "holds the workspace's private endpoint.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-enable-studio-virtual-network",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        for workspace in env.workspaces:
            if workspace.public_network_access is not PublicNetworkAccess.DISABLED:
                continue
            workspace_vnets = {
                vnet.id
                for pe in env.private_endpoints_for(workspace.id)
                if (vnet := env.vnet_of_subnet(pe.subnet)) is not None
            }
            storage = env.get_typed(workspace.storage_account, StorageAccount)
            if not workspace_vnets or storage is None or _public(storage):
                continue  # a public account: the browser reaches it without an endpoint
            if _service_endpoint_beside(env, workspace.id, storage):
                continue  # Microsoft's documented alternative: a service endpoint in that subnet
            endpoints = env.private_endpoints_for(storage.id)
            for group in _STUDIO_GROUPS:
                vnets = {
                    vnet.id
                    for pe in endpoints
                    if group in pe.group_ids and (vnet := env.vnet_of_subnet(pe.subnet)) is not None
                }
                if vnets & workspace_vnets:
                    continue
                where = f"only in {', '.join(sorted(v.name for v in vnets))}" if vnets else "none"
                yield Violation(
                    f"storage account {storage.name} of workspace {workspace.name} has no {group} "
                    f"private endpoint in the workspace endpoint's VNet "
                    f"{', '.join(sorted(v.name for v in workspace_vnets))} ({where})",
                    storage.id,
                )


def _service_endpoint_beside(
    env: Environment, workspace: ResourceId, storage: StorageAccount
) -> bool:
    """Studio reaches storage behind a VNet rule when the workspace's private endpoint sits in a
    subnet with a ``Microsoft.Storage`` service endpoint that the account's firewall admits."""
    if storage.public_network_access is not PublicNetworkAccess.ENABLED:
        return False
    for endpoint in env.private_endpoints_for(workspace):
        subnet = env.subnet(endpoint.subnet)
        if (
            subnet is not None
            and any(s.lower() == "microsoft.storage" for s in subnet.service_endpoints)
            and subnet.id in storage.network_acls.virtual_network_rules
        ):
            return True
    return False


def _public(storage: StorageAccount) -> bool:
    return (
        storage.public_network_access is PublicNetworkAccess.ENABLED
        and storage.network_acls.default_action is DefaultAction.ALLOW
    )
