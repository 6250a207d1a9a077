"""How a generated environment is cut into deployments - shared by the Bicep project and the
ARM template, so that both have the same modules in the same order.

Modules by concern: the hub network with its firewall, one per spoke (its VNet, NSGs, route
tables, VMs and its peerings with the hub), DNS, Azure ML with the workspace's services, data, and
private endpoints with their zones. Azure limits every deployment (``deployment_limits`` in the
catalog): a module with more resources than a deployment may hold is cut into parts, and when a
deployment would take more parameters than allowed, the names, address spaces and SKUs become
three object parameters (``resourceNames``, ``addressSpaces``, ``skus``) - so that a large estate
deploys as generated.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Any

from heiki.catalog import Catalog
from heiki.generators.addresses import AddressPlan, rewrite
from heiki.generators.arm import arm_template, parameterize_names, resource_id_expression
from heiki.model.environment import Environment

# Resources placed by type; everything else (NSGs, route tables, public IPs, NICs, VMs,
# firewalls, gateways, policies...) goes with the VNet it serves - see _placement.
_TYPE_MODULES = {
    "microsoft.network/dnsresolvers": "dns",
    "microsoft.network/dnsforwardingrulesets": "dns",
    "microsoft.network/privatednszones": "endpoints",
    "microsoft.network/privateendpoints": "endpoints",
    "microsoft.machinelearningservices/workspaces": "ml",
    "microsoft.machinelearningservices/registries": "ml",
    "microsoft.insights/privatelinkscopes": "ml",
    "microsoft.datafactory/factories": "data",
    # computes come after the workspace's private endpoints (field failure 15): a module of their own
    "microsoft.machinelearningservices/workspaces/computes": "compute",
    # an online endpoint without public access is reached through those endpoints too
    "microsoft.machinelearningservices/workspaces/onlineendpoints": "compute",
    "microsoft.machinelearningservices/workspaces/batchendpoints": "compute",
    # a cluster whose API server zone is brought waits for the zone (endpoints): it is compute
    "microsoft.containerservice/managedclusters": "compute",
    "microsoft.cognitiveservices/accounts": "services",
    "microsoft.search/searchservices": "services",
}
_OWN_UNITS = frozenset(
    {
        "microsoft.machinelearningservices/workspaces/computes",
        "microsoft.machinelearningservices/workspaces/onlineendpoints",
        "microsoft.machinelearningservices/workspaces/batchendpoints",
    }
)
"""Child types deployed apart from their parent."""
_WORKSPACE_SERVICES = frozenset(
    {
        "microsoft.storage/storageaccounts",
        "microsoft.keyvault/vaults",
        "microsoft.containerregistry/registries",
        "microsoft.insights/components",
    }
)
"""A workspace's storage, Key Vault, registry and Application Insights go with it (ml); other
storage accounts with the data module, other services in a services module."""
_HUB_SUBNETS = frozenset({"azurefirewallsubnet", "gatewaysubnet"})
_VNET = "microsoft.network/virtualnetworks"
_PEERING = "microsoft.network/virtualnetworks/virtualnetworkpeerings"
_RANKS = {"dns": 2, "services": 3, "ml": 4, "data": 5, "endpoints": 6, "compute": 7, "shared": 8}


def resource_key(resource: dict[str, Any]) -> str:
    return resource_id_expression(resource["type"], resource["name"]).lower()


def _top_key(resource: dict[str, Any]) -> str:
    """The key of the top-level resource a (child) resource belongs to."""
    types = resource["type"].split("/")
    return resource_id_expression("/".join(types[:2]), resource["name"].split("/")[0]).lower()


def _short(name: str) -> str:
    short = re.sub(r"^vnet-", "", name.lower())
    return re.sub(r"[^a-z0-9]+", "-", short).strip("-") or "vnet"


class Placement:
    """Which module each resource goes to: the hub network with its firewall, one module per
    spoke (with its NSGs, route tables, VMs and peerings to the hub), DNS, Azure ML with the
    workspace's services, data, and private endpoints with their zones."""

    def __init__(
        self, env: Environment, resources: list[dict[str, Any]], needs: dict[int, list[int]]
    ) -> None:
        self.resources = resources
        index = {resource_key(r): i for i, r in enumerate(resources)}
        # a resource's unit: its top-level parent; an extension resource (a role assignment)
        # goes with the resource it is scoped to, as Bicep needs it in the same module
        self.top = [
            i
            if r["type"].lower() in _OWN_UNITS
            else index.get(str(r["scope"]).lower(), i)
            if "scope" in r
            else index.get(_top_key(r), i)
            for i, r in enumerate(resources)
        ]
        self.module: dict[int, str] = {}
        self.rank: dict[str, tuple[int, str]] = dict(
            (name, (rank, name)) for name, rank in _RANKS.items()
        )
        self._networks(env, index)
        # a unit is a top-level resource with its children; it needs what its members need
        uses: dict[int, set[int]] = {}
        users: dict[int, set[int]] = {}
        for i, needed in needs.items():
            if resources[i]["type"].lower() == _PEERING:
                continue
            for j in needed:
                a, b = self.top[i], self.top[j]
                if a != b:
                    uses.setdefault(a, set()).add(b)
                    users.setdefault(b, set()).add(a)
        for i, resource in enumerate(resources):
            if self.top[i] != i or i in self.module:
                continue
            kind = resource["type"].lower()
            if kind in _TYPE_MODULES:
                self.module[i] = _TYPE_MODULES[kind]
        for i, resource in enumerate(resources):
            kind = resource["type"].lower()
            if self.top[i] == i and i not in self.module and kind in _WORKSPACE_SERVICES:
                by_workspace = any(
                    resources[u]["type"].lower() == "microsoft.machinelearningservices/workspaces"
                    for u in users.get(i, ())
                )
                storage = kind == "microsoft.storage/storageaccounts"
                self.module[i] = "ml" if by_workspace else "data" if storage else "services"
        self._propagate(uses, users)
        for i, resource in enumerate(resources):
            if resource["type"].lower() == _PEERING:
                self.module[i] = self._peering(i, needs[i])
            elif i not in self.module:
                self.module[i] = self.module.get(self.top[i], "shared")

    def _networks(self, env: Environment, index: dict[str, int]) -> None:
        keys = {
            vnet.name: resource_id_expression(
                "Microsoft.Network/virtualNetworks", vnet.name
            ).lower()
            for vnet in env.virtual_networks
        }
        vnets = [(v, index[keys[v.name]]) for v in env.virtual_networks if keys[v.name] in index]
        hubs = [v for v, _ in vnets if any(s.name.lower() in _HUB_SUBNETS for s in v.subnets)]
        taken: set[str] = set(_RANKS)
        for vnet, i in vnets:
            if vnet in hubs:
                name = "hub" if len(hubs) == 1 else f"hub-{_short(vnet.name)}"
                rank = 0
            else:
                name = f"{'spoke' if hubs else 'network'}-{_short(vnet.name)}"
                rank = 1
            unique, counter = name, 2
            while unique in taken:
                unique, counter = f"{name}-{counter}", counter + 1
            taken.add(unique)
            self.module[i] = unique
            self.rank[unique] = (rank, unique)

    def _is_network(self, module: str) -> bool:
        return self.rank.get(module, (9, ""))[0] <= 1

    def _propagate(self, uses: dict[int, set[int]], users: dict[int, set[int]]) -> None:
        """The rest goes with the network that uses it (an NSG with the VNet whose subnets it
        guards, a public IP with the firewall) or, failing that, the one it needs (a NIC with its
        subnet's VNet); the earliest such module, so later modules depend on earlier ones."""
        pending = [
            i for i in range(len(self.resources)) if self.top[i] == i and i not in self.module
        ]
        changed = True
        while pending and changed:
            changed = False
            for i in list(pending):
                by_users = [self.module[u] for u in users.get(i, ()) if u in self.module]
                by_uses = [self.module[u] for u in uses.get(i, ()) if u in self.module]
                network_users = [m for m in by_users if self._is_network(m)]
                network_uses = [m for m in by_uses if self._is_network(m)]
                if network_users:
                    choice = min(network_users, key=self.rank.__getitem__)
                elif network_uses:
                    choice = max(network_uses, key=self.rank.__getitem__)
                elif by_users and not any(u not in self.module for u in users.get(i, ())):
                    choice = min(by_users, key=lambda m: self.rank.get(m, (9, m)))
                elif by_uses and not users.get(i):
                    choice = max(by_uses, key=lambda m: self.rank.get(m, (9, m)))
                else:
                    continue
                self.module[i] = choice
                pending.remove(i)
                changed = True

    def _peering(self, i: int, needed: list[int]) -> str:
        """A peering goes with the later of its two VNets (a spoke's module peers it with the
        hub both ways), so no two network modules need each other."""
        candidates = [self.module[self.top[i]]]
        candidates += [
            self.module[j]
            for j in needed
            if self.resources[j]["type"].lower() == _VNET and j in self.module
        ]
        return max(candidates, key=lambda m: self.rank.get(m, (9, m)))

    def order(self, needs: dict[int, list[int]]) -> tuple[list[str], dict[str, list[str]]]:
        """Modules in deployment order and what each needs; modules that would need each other
        are merged into one (a cycle cannot be deployed as modules)."""
        while True:
            graph: dict[str, set[str]] = {m: set() for m in self.module.values()}
            for i, needed in needs.items():
                for j in needed:
                    if self.module[i] != self.module[j]:
                        graph[self.module[i]].add(self.module[j])
            try:
                TopologicalSorter(graph).prepare()
            except CycleError as error:
                cycle = sorted(set(error.args[1]), key=lambda m: self.rank.get(m, (9, m)))
                for i, module in self.module.items():
                    if module in cycle:
                        self.module[i] = cycle[0]
                continue
            break
        # Kahn's algorithm, earliest rank first (ties: the first declared): a stable, readable
        # order; a heap of the ready modules (rescanning every module per step was quadratic)
        declared = {m: n for n, m in enumerate(graph)}
        waiting = {m: len(deps) for m, deps in graph.items()}
        dependents: dict[str, list[str]] = {m: [] for m in graph}
        for module, deps in graph.items():
            for dep in deps:
                dependents[dep].append(module)

        def entry(module: str) -> tuple[Any, int, str]:
            return (self.rank.get(module, (9, module)), declared[module], module)

        ready = [entry(m) for m, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        ordered: list[str] = []
        while ready:
            first = heapq.heappop(ready)[2]
            ordered.append(first)
            for module in dependents[first]:
                waiting[module] -= 1
                if waiting[module] == 0:
                    heapq.heappush(ready, entry(module))
        position = {m: n for n, m in enumerate(ordered)}
        return ordered, {m: sorted(graph[m], key=position.__getitem__) for m in ordered}


def _chunks(placement: Placement, resources: list[dict[str, Any]], limit: int) -> None:
    """Cut every module with more than ``limit`` resources into parts of at most ``limit``,
    keeping a resource with its children (they are deployed with their parent)."""
    members: dict[str, list[int]] = {}
    for i in range(len(resources)):
        members.setdefault(placement.module[i], []).append(i)
    for module, indexes in members.items():
        if len(indexes) <= limit:
            continue
        units: dict[int, list[int]] = {}
        for i in indexes:
            units.setdefault(placement.top[i], []).append(i)
        part, count = 1, 0
        for unit in units.values():
            if count + len(unit) > limit and count:
                part, count = part + 1, 0
            name = module if part == 1 else f"{module}-{part}"
            placement.rank.setdefault(name, (placement.rank.get(module, (9, module))[0], name))
            for i in unit:
                placement.module[i] = name
            count += len(unit)


_GROUPS = (("resourceNames", "Name"), ("addressSpaces", "AddressSpace"), ("skus", "Sku"))


@dataclass(frozen=True)
class Grouping:
    """Where each parameter lives: its own parameter, or a property of an object parameter."""

    owner: dict[str, str] = field(default_factory=dict)
    """Grouped parameter -> the object parameter holding it."""

    def top(self, name: str) -> str:
        return self.owner.get(name, name)

    def arm(self, name: str) -> str:
        group = self.owner.get(name)
        return f"parameters('{group}').{name}" if group else f"parameters('{name}')"

    def bicep(self, name: str) -> str:
        group = self.owner.get(name)
        return f"{group}.{name}" if group else name


def _group_of(name: str, group: str, suffix: str) -> bool:
    # tiers and VM sizes go with the SKUs; an address space may be numbered (a second range)
    return (
        name.endswith(suffix)
        or (group == "skus" and name.endswith(("Tier", "Size")))
        or (group == "addressSpaces" and re.search(r"AddressSpace\d+$", name) is not None)
    )


def _grouping(parameters: dict[str, Any], limit: int) -> tuple[dict[str, Any], Grouping]:
    """Group as little as fits: the names first (the bulk), then address spaces, then SKUs -
    a value in an object parameter is harder to override and invisible to checkov."""
    owner: dict[str, str] = {}
    for group, suffix in _GROUPS:
        remaining = len({owner.get(name, name) for name in parameters})
        if remaining <= limit:
            break
        for name in parameters:
            if name not in owner and _group_of(name, group, suffix):
                owner[name] = group
    if not owner:
        return parameters, Grouping()
    grouped: dict[str, Any] = {}
    for name, spec in parameters.items():
        holder = owner.get(name)
        if holder is None:
            grouped[name] = spec
            continue
        entry = grouped.setdefault(
            holder,
            {
                "type": "object",
                "defaultValue": {},
                "metadata": {
                    "description": f"{holder}: one object instead of one parameter each - the "
                    "deployment would otherwise take more parameters than Azure allows. A "
                    "parameter file gives the whole object."
                },
            },
        )
        entry["defaultValue"][name] = spec["defaultValue"]
    return grouped, Grouping(owner)


_PARAMETER = re.compile(r"parameters\('([A-Za-z0-9_]+)'\)")


def module_parameter(spec: dict[str, Any]) -> dict[str, Any]:
    """A parameter as a module declares it: the parent always passes the value, so a grouped
    object keeps no copy of its default (one copy per module would grow with the estate
    squared)."""
    if spec.get("type") != "object":
        return spec
    return {k: v for k, v in spec.items() if k != "defaultValue"}


@dataclass
class Module:
    """One generated module: its resources, the modules it needs, its parameters."""

    name: str
    resources: list[dict[str, Any]]
    needs: list[str]
    """Modules deployed before this one."""
    parameters: list[str]
    """Top-level parameters the module's resources read."""


@dataclass
class Layout:
    """How the generated resources are split into modules, and what each module needs."""

    modules: list[Module]
    parameters: dict[str, Any]
    """Top-level parameters (ARM parameter specs), in declaration order."""
    grouping: Grouping
    symbols: dict[int, str]
    """id(resource) -> a unique symbolic name (Bicep)."""
    local_needs: dict[int, list[str]]
    """id(resource) -> symbols of the resources of its own module it depends on."""
    scopes: dict[int, str] = field(default_factory=dict)
    """id(extension resource) -> symbol of the resource it is scoped to (same module)."""
    needs: dict[int, list[str]] = field(default_factory=dict)
    """id(resource) -> symbols of every resource it depends on, in any module (Terraform's
    one root module orders resources, not modules)."""


def _symbol(resource: dict[str, Any], taken: set[str]) -> str:
    kind = resource["type"].rsplit("/", 1)[-1]
    label = kind if resource["name"].startswith("[") else f"{kind}_{resource['name']}"
    base = re.sub(r"[^A-Za-z0-9]+", "_", label).strip("_")
    base = base if not base[0].isdigit() else f"r_{base}"
    symbol, counter = base, 2
    while symbol.lower() in taken:
        symbol, counter = f"{base}_{counter}", counter + 1
    taken.add(symbol.lower())
    return symbol


def _read(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _read(item, found)
    elif isinstance(value, list):
        for item in value:
            _read(item, found)
    elif isinstance(value, str):
        found.update(getattr(value, "parameters", ()))
        if "parameters(" in value:
            found.update(_PARAMETER.findall(value))


def layout(
    env: Environment,
    catalog: Catalog,
    addresses: Callable[[AddressPlan, Grouping], Callable[[str], Any | None]],
) -> Layout:
    """The environment's resources cut into modules. ``addresses`` makes the writer of address
    expressions (ARM or Bicep) for the plan and the parameter grouping."""
    template = arm_template(env, catalog, address_parameters=False, name_parameters=False)
    resources: list[dict[str, Any]] = template["resources"]
    limits = catalog.deployment_limits
    keys = {resource_key(r): i for i, r in enumerate(resources)}
    needed = {
        i: [keys[d.lower()] for d in r.get("dependsOn", []) if d.lower() in keys]
        for i, r in enumerate(resources)
    }
    placement = Placement(env, resources, needed)
    _chunks(placement, resources, limits.resources)
    order, module_needs = placement.order(needed)
    taken: set[str] = set()
    symbols = [_symbol(r, taken) for r in resources]
    scopes = {
        id(r): symbols[keys[str(r["scope"]).lower()]]
        for r in resources
        if "scope" in r and str(r["scope"]).lower() in keys
    }
    local_needs: dict[int, list[str]] = {}
    all_needs = {id(r): [symbols[j] for j in needed[i]] for i, r in enumerate(resources)}
    for i, resource in enumerate(resources):
        own = placement.module[i]
        local_needs[id(resource)] = [symbols[j] for j in needed[i] if placement.module[j] == own]
        if "dependsOn" in resource:  # a deployment knows only its own resources
            kept = [
                d
                for d in resource["dependsOn"]
                if d.lower() not in keys or placement.module[keys[d.lower()]] == own
            ]
            if kept:
                resource["dependsOn"] = kept
            else:
                del resource["dependsOn"]
    plan = AddressPlan(env)
    names = parameterize_names(resources)
    parameters, grouping = _grouping(
        {**names, **plan.parameters, **template["parameters"]}, limits.parameters
    )
    express = addresses(plan, grouping)
    for resource in resources:
        if "properties" in resource:
            resource["properties"] = rewrite(resource["properties"], express)
    if grouping.owner:
        for resource in resources:  # in place: the layout keys resources by identity
            for key in list(resource):
                if key not in ("type", "apiVersion", "metadata"):
                    resource[key] = _regroup(resource[key], grouping)
    grouped: dict[str, list[dict[str, Any]]] = {name: [] for name in order}
    for i, resource in enumerate(resources):
        grouped[placement.module[i]].append(resource)
    modules = []
    declared = {p: n for n, p in enumerate(parameters)}
    for name in order:
        members = grouped[name]
        found: set[str] = set()
        for member in members:
            _read({k: v for k, v in member.items() if k != "metadata"}, found)
        used = sorted((p for p in found if p in declared), key=declared.__getitem__)
        modules.append(Module(name, members, module_needs[name], used))
    symbols_by_id = {id(r): symbols[i] for i, r in enumerate(resources)}
    return Layout(modules, parameters, grouping, symbols_by_id, local_needs, scopes, all_needs)


def _regroup(value: Any, grouping: Grouping) -> Any:
    if isinstance(value, dict):
        return {k: _regroup(v, grouping) for k, v in value.items()}
    if isinstance(value, list):
        return [_regroup(v, grouping) for v in value]
    if type(value) is str and "parameters(" in value:  # not Code: that is Bicep already
        return _PARAMETER.sub(lambda m: grouping.arm(m.group(1)), value)
    return value
