"""The environment as a Bicep project: ``main.bicep`` and one module per concern (network,
firewall, DNS, services, Azure ML, data, private endpoints), from the same resources as the ARM
template - so the two cannot disagree, and the round-trip proof of the ARM output covers both.

ARM expressions become Bicep expressions (``[parameters('x')]`` -> ``x``; ``resourceId()``,
``format()``, ``environment()`` and ``subscription()`` are the same functions in Bicep). In-module
dependencies are symbolic ``dependsOn``; modules are deployed in dependency order by ``main.bicep``.
checkov suppressions become ``// checkov:skip=ID: reason`` comments inside the resource body.
"""

from __future__ import annotations

import re
from typing import Any

from heiki.generators.arm import arm_template, parameterize_names, resource_id_expression
from heiki.model.environment import Environment

# module -> resource types it owns (children go with their parent's module)
MODULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "network",
        (
            "Microsoft.Network/virtualNetworks",
            "Microsoft.Network/networkSecurityGroups",
            "Microsoft.Network/applicationSecurityGroups",
            "Microsoft.Network/routeTables",
            "Microsoft.Network/publicIPAddresses",
            "Microsoft.Network/natGateways",
            "Microsoft.Network/networkInterfaces",
            "Microsoft.Compute/virtualMachines",
            "Microsoft.Network/virtualNetworkGateways",
            "Microsoft.Network/bastionHosts",
        ),
    ),
    (
        "firewall",
        (
            "Microsoft.Network/ipGroups",
            "Microsoft.Network/firewallPolicies",
            "Microsoft.Network/azureFirewalls",
        ),
    ),
    (
        "dns",
        (
            "Microsoft.Network/privateDnsZones",
            "Microsoft.Network/dnsResolvers",
            "Microsoft.Network/dnsForwardingRulesets",
        ),
    ),
    (
        "services",
        (
            "Microsoft.Storage/storageAccounts",
            "Microsoft.KeyVault/vaults",
            "Microsoft.ContainerRegistry/registries",
            "Microsoft.Insights/components",
            "Microsoft.Insights/privateLinkScopes",
        ),
    ),
    (
        "ml",
        (
            "Microsoft.MachineLearningServices/workspaces",
            "Microsoft.MachineLearningServices/registries",
        ),
    ),
    ("data", ("Microsoft.DataFactory/factories",)),
    ("endpoints", ("Microsoft.Network/privateEndpoints",)),
)
_ORDER = {
    "network": [],
    "firewall": ["network"],
    "dns": ["network"],
    "services": ["network"],
    "ml": ["services"],
    "data": ["services"],
    "endpoints": ["network", "dns", "services", "ml", "data"],
}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PARAMETER = re.compile(r"parameters\('([A-Za-z0-9_]+)'\)")
_RESOURCE_ID = re.compile(r"\[resourceId\((.*)\)\]$")


def _module_of(resource_type: str) -> str:
    top = "/".join(resource_type.split("/")[:2])
    for module, types in MODULES:
        if top in types:
            return module
    return "network"


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


def _module_text(
    resources: list[dict[str, Any]],
    parameters: dict[str, Any],
    own: dict[int, str],
    needs: dict[int, list[str]],
) -> str:
    lines = ["// Generated by heiki; do not edit - change the blueprint and rebuild.", ""]
    for name, spec in parameters.items():
        secure = "@secure()\n" if name == "adminSshPublicKey" else ""
        kind = spec["type"]
        description = spec.get("metadata", {}).get("description")
        if description:
            lines.append(f"@description({_string(description)})")
        default = f" = {_value(spec['defaultValue'], 0)}" if "defaultValue" in spec else ""
        lines.append(f"{secure}param {name} {kind}{default}")
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
        text = _value(body, 0)
        if depends:
            text = (
                text[:-1] + "  dependsOn: [\n" + "".join(f"    {d}\n" for d in depends) + "  ]\n}"
            )
        if skips:  # checkov reads suppressions from the lines inside the resource body
            text = "{\n" + "\n".join(skips) + text[1:]
        lines.append(f"resource {symbol} '{resource['type']}@{resource['apiVersion']}' = {text}")
        lines.append("")
    return "\n".join(lines)


def bicep_project(env: Environment) -> dict[str, str]:
    """File name -> content: ``main.bicep`` and ``modules/<concern>.bicep``."""
    # Addresses stay literal here: checkov's Bicep parser (pycep) does not know cidrSubnet() and
    # cidrHost() yet, and the output must pass checkov. The ARM output has address parameters.
    template = arm_template(env, address_parameters=False, name_parameters=False)
    parameters: dict[str, Any] = template["parameters"]
    grouped: dict[str, list[dict[str, Any]]] = {}
    for resource in template["resources"]:
        grouped.setdefault(_module_of(resource["type"]), []).append(resource)
    taken: set[str] = set()
    symbols = {_resource_key(r): _symbol(r, taken) for r in template["resources"]}
    # symbols and in-template dependencies from the literal names, then names become parameters
    own = {id(r): symbols[_resource_key(r)] for r in template["resources"]}
    needs = {
        id(r): [symbols[d.lower()] for d in r.get("dependsOn", []) if d.lower() in symbols]
        for r in template["resources"]
    }
    parameters = {**parameterize_names(template["resources"]), **parameters}
    files: dict[str, str] = {}
    used: dict[str, list[str]] = {}
    for module, resources in grouped.items():
        text = repr(resources)
        used[module] = [name for name in parameters if f"parameters('{name}')" in text]
        needed = {name: parameters[name] for name in used[module]}
        files[f"modules/{module}.bicep"] = _module_text(resources, needed, own, needs)
    main = [
        f"// {env.name}: generated by heiki. Review with `az deployment group what-if`.",
        "targetScope = 'resourceGroup'",
        "",
    ]
    for name, spec in parameters.items():
        default = f" = {_value(spec['defaultValue'], 0)}" if "defaultValue" in spec else ""
        secure = "@secure()\n" if name == "adminSshPublicKey" else ""
        main.append(f"{secure}param {name} {spec['type']}{default}")
    main.append("")
    for module, _types in MODULES:
        if module not in grouped:
            continue
        params = {name: name for name in used[module]}
        depends = [d for d in _ORDER[module] if d in grouped]
        main.append(f"module {module} 'modules/{module}.bicep' = {{")
        main.append(f"  name: '{module}'")
        main.append("  params: {")
        main += [f"    {k}: {v}" for k, v in params.items()]
        main.append("  }")
        if depends:
            main.append("  dependsOn: [")
            main += [f"    {d}" for d in depends]
            main.append("  ]")
        main.append("}")
        main.append("")
    files["main.bicep"] = "\n".join(main)
    return dict(sorted(files.items()))
