"""The environment as a Bicep project: ``main.bicep`` and one module per concern (the hub network
with its firewall, each spoke, DNS, Azure ML, data, private endpoints with their zones), from the
same resources as the ARM template - so the two cannot disagree, and the round-trip proof of the
ARM output covers both. Address spaces are parameters here too (see
:mod:`heiki.generators.addresses` for why Bicep gets octet arithmetic).

ARM expressions become Bicep expressions (``[parameters('x')]`` -> ``x``; ``resourceId()``,
``format()``, ``environment()`` and ``subscription()`` are the same functions in Bicep). In-module
dependencies are symbolic ``dependsOn``; modules are deployed in dependency order by ``main.bicep``.
checkov suppressions become ``// checkov:skip=ID: reason`` comments inside the resource body.
"""

from __future__ import annotations

import re
from graphlib import CycleError, TopologicalSorter
from typing import Any

from heiki.generators.addresses import (
    AddressPlan,
    BicepAddresses,
    BicepCode,
    octets_declaration,
    octets_variable,
    rewrite,
)
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
}
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
_RANKS = {"dns": 2, "services": 3, "ml": 4, "data": 5, "endpoints": 6, "shared": 7}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PARAMETER = re.compile(r"parameters\('([A-Za-z0-9_]+)'\)")
_OCTETS = re.compile(r"\b(\w+Octets)\[")
_RESOURCE_ID = re.compile(r"\[resourceId\((.*)\)\]$")


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("${", "\\${")
    return f"'{escaped}'"


def _expression(text: str) -> str:
    """An ARM expression string (``[...]``) in Bicep syntax."""
    inner = text[1:-1]
    return _PARAMETER.sub(lambda m: m.group(1), inner)


def _value(value: Any, indent: int) -> str:
    pad = "  " * indent
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, BicepCode):
        return str(value)
    if isinstance(value, str):
        if value.startswith("[") and value.endswith("]") and not value.startswith("[["):
            return _expression(value)
        return _string(value)
    if isinstance(value, list):
        if not value:
            return "[]"
        items = "\n".join(f"{pad}  {_value(v, indent + 1)}" for v in value)
        return f"[\n{items}\n{pad}]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = []
        for key, item in value.items():
            name = key if _IDENTIFIER.match(key) else _string(key)
            lines.append(f"{pad}  {name}: {_value(item, indent + 1)}")
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    raise TypeError(f"cannot write {type(value).__name__} as Bicep")


def _symbol(resource: dict[str, Any], taken: set[str]) -> str:
    kind = resource["type"].rsplit("/", 1)[-1]
    base = re.sub(r"[^A-Za-z0-9]+", "_", f"{kind}_{resource['name']}").strip("_")
    base = base if not base[0].isdigit() else f"r_{base}"
    symbol, counter = base, 2
    while symbol.lower() in taken:
        symbol, counter = f"{base}_{counter}", counter + 1
    taken.add(symbol.lower())
    return symbol


def _resource_key(resource: dict[str, Any]) -> str:
    return resource_id_expression(resource["type"], resource["name"]).lower()


def _top_key(resource: dict[str, Any]) -> str:
    """The key of the top-level resource a (child) resource belongs to."""
    types = resource["type"].split("/")
    return resource_id_expression("/".join(types[:2]), resource["name"].split("/")[0]).lower()


def _short(name: str) -> str:
    short = re.sub(r"^vnet-", "", name.lower())
    return re.sub(r"[^a-z0-9]+", "-", short).strip("-") or "vnet"


class _Placement:
    """Which module each resource goes to: the hub network with its firewall, one module per
    spoke (with its NSGs, route tables, VMs and peerings to the hub), DNS, Azure ML with the
    workspace's services, data, and private endpoints with their zones."""

    def __init__(
        self, env: Environment, resources: list[dict[str, Any]], needs: dict[int, list[int]]
    ) -> None:
        self.resources = resources
        index = {_resource_key(r): i for i, r in enumerate(resources)}
        self.top = [index.get(_top_key(r), i) for i, r in enumerate(resources)]
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
        vnets = [
            (
                vnet,
                index[
                    resource_id_expression("Microsoft.Network/virtualNetworks", vnet.name).lower()
                ],
            )
            for vnet in env.virtual_networks
            if resource_id_expression("Microsoft.Network/virtualNetworks", vnet.name).lower()
            in index
        ]
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
        ordered: list[str] = []
        remaining = dict(graph)
        while remaining:  # Kahn's algorithm, earliest rank first: a stable, readable order
            ready = [m for m, deps in remaining.items() if deps <= set(ordered)]
            first = min(ready, key=lambda m: self.rank.get(m, (9, m)))
            ordered.append(first)
            del remaining[first]
        return ordered, {m: sorted(graph[m], key=ordered.index) for m in ordered}


def _code_parameters(value: Any) -> set[str]:
    if isinstance(value, BicepCode):
        return set(value.parameters)
    if isinstance(value, dict):
        return {p for v in value.values() for p in _code_parameters(v)}
    if isinstance(value, list):
        return {p for v in value for p in _code_parameters(v)}
    return set()


def _parameter_lines(name: str, spec: dict[str, Any]) -> list[str]:
    lines = []
    description = spec.get("metadata", {}).get("description")
    if description:
        lines.append(f"@description({_string(description)})")
    if "allowedValues" in spec:
        lines.append(f"@allowed({_value(spec['allowedValues'], 0)})")
    if name == "adminSshPublicKey":
        lines.append("@secure()")
    default = f" = {_value(spec['defaultValue'], 0)}" if "defaultValue" in spec else ""
    lines.append(f"param {name} {spec['type']}{default}")
    return lines


def _module_text(
    resources: list[dict[str, Any]],
    parameters: dict[str, Any],
    own: dict[int, str],
    needs: dict[int, list[str]],
) -> str:
    lines = ["// Generated by heiki; do not edit - change the blueprint and rebuild.", ""]
    for name, spec in parameters.items():
        lines += _parameter_lines(name, spec)
    lines.append("")
    split = set(_OCTETS.findall(repr(resources)))
    octets = [name for name in parameters if octets_variable(name) in split]
    lines += [octets_declaration(name) for name in octets]
    if octets:
        lines.append("")
    local = {own[id(r)] for r in resources}
    for resource in resources:
        skips = [
            f"  // checkov:skip={check}:{reason}"
            for check, _, reason in (
                entry.partition(":") for entry in resource.get("metadata", {}).get("checkov", [])
            )
        ]
        symbol = own[id(resource)]
        body: dict[str, Any] = {"name": resource["name"]}
        for key in ("location", "tags", "sku", "kind", "identity", "properties"):
            if key in resource:
                body[key] = resource[key]
        depends = [d for d in needs[id(resource)] if d in local]
        code = _value(body, 0)
        if depends:
            code = (
                code[:-1] + "  dependsOn: [\n" + "".join(f"    {d}\n" for d in depends) + "  ]\n}"
            )
        if skips:  # checkov reads suppressions from the lines inside the resource body
            code = "{\n" + "\n".join(skips) + code[1:]
        lines.append(f"resource {symbol} '{resource['type']}@{resource['apiVersion']}' = {code}")
        lines.append("")
    return "\n".join(lines)


def _module_symbol(module: str) -> str:
    return module.replace("-", "_")


def bicep_project(env: Environment) -> dict[str, str]:
    """File name -> content: ``main.bicep`` and ``modules/<module>.bicep``."""
    template = arm_template(env, address_parameters=False, name_parameters=False)
    resources: list[dict[str, Any]] = template["resources"]
    taken: set[str] = set()
    keys = {_resource_key(r): i for i, r in enumerate(resources)}
    symbols = [_symbol(r, taken) for r in resources]
    # symbols and in-template dependencies from the literal names, then names become parameters
    needed = {
        i: [keys[d.lower()] for d in r.get("dependsOn", []) if d.lower() in keys]
        for i, r in enumerate(resources)
    }
    placement = _Placement(env, resources, needed)
    modules, module_needs = placement.order(needed)
    own = {id(r): symbols[i] for i, r in enumerate(resources)}
    needs = {id(r): [symbols[j] for j in needed[i]] for i, r in enumerate(resources)}
    plan = AddressPlan(env)
    express = BicepAddresses(plan)
    for resource in resources:
        if "properties" in resource:
            resource["properties"] = rewrite(resource["properties"], express)
    parameters: dict[str, Any] = {
        **parameterize_names(resources),
        **plan.parameters,
        **template["parameters"],
    }
    files: dict[str, str] = {}
    used: dict[str, list[str]] = {}
    grouped: dict[str, list[dict[str, Any]]] = {module: [] for module in modules}
    for i, resource in enumerate(resources):
        grouped[placement.module[i]].append(resource)
    for module in modules:
        members = grouped[module]
        read = set(_PARAMETER.findall(repr(members))).union(*(_code_parameters(r) for r in members))
        used[module] = [name for name in parameters if name in read]
        files[f"modules/{module}.bicep"] = _module_text(
            members, {name: parameters[name] for name in used[module]}, own, needs
        )
    main = [
        f"// {env.name}: generated by heiki. Review with `az deployment group what-if`.",
        "targetScope = 'resourceGroup'",
        "",
    ]
    for name, spec in parameters.items():
        main += _parameter_lines(name, spec)
    main.append("")
    for module in modules:
        main.append(f"module {_module_symbol(module)} 'modules/{module}.bicep' = {{")
        # named after the deployment that runs main.bicep, so two deployments into one group
        # keep their module deployments apart (deployment names have at most 64 characters)
        main.append(f"  name: take('${{deployment().name}}-{module}', 64)")
        main.append("  params: {")
        main += [f"    {name}: {name}" for name in used[module]]
        main.append("  }")
        if module_needs[module]:
            main.append("  dependsOn: [")
            main += [f"    {_module_symbol(d)}" for d in module_needs[module]]
            main.append("  ]")
        main.append("}")
        main.append("")
    files["main.bicep"] = "\n".join(main)
    return dict(sorted(files.items()))
