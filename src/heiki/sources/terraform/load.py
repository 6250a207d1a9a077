"""Load Terraform root modules into ARM resources: evaluate each folder, map azurerm and azapi
resources through ``azurerm.MAPPINGS`` and hand them to the ARM converters, so that the
environment - and the verdict - is built exactly as for a template."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heiki import diagnostics as dx
from heiki.catalog import Catalog
from heiki.diagnostics import Diagnostic, InputError, Severity
from heiki.model.base import ASSUMED_TAG, UNKNOWN_NAME_PREFIX
from heiki.model.coverage import UnmodelledResource
from heiki.model.source import SourceLocation
from heiki.model.values import ResourceId
from heiki.sources.arm.expressions.scope import DEFAULT_TENANT
from heiki.sources.arm.expressions.unknown import Unknown
from heiki.sources.arm.positions import JsonPositions
from heiki.sources.arm.resources import ArmResource
from heiki.sources.terraform.azurerm import (
    ASSOCIATIONS,
    CLIENT_CONFIGS,
    CONTAINERS,
    MAPPINGS,
    prune,
)
from heiki.sources.terraform.computed import AddressBook
from heiki.sources.terraform.evaluate import TfEvalError
from heiki.sources.terraform.module import (
    TerraformModule,
    TfResource,
    source_boundary,
    variable_values,
)
from heiki.sources.terraform.plan import terraform_json_resources
from heiki.sources.terraform.syntax import HclSyntaxError, Where


@dataclass
class TerraformLoad:
    """Resources read from Terraform, with what is not modelled and the diagnostics."""

    resources: list[ArmResource]
    unmodelled: list[UnmodelledResource]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    location: str = ""


def _where(where: Where) -> SourceLocation:
    return SourceLocation(where.file, where.line, where.column)


class _Identifier:
    """Computes the ARM ID (and a placeholder name where Terraform learns it only on apply) of
    every resource instance, the first time it is evaluated."""

    def __init__(
        self, subscription: str, resource_group: str, addresses: AddressBook | None = None
    ) -> None:
        self.subscription = subscription
        self.resource_group = resource_group
        self.placeholders = 0
        self.notes: list[Diagnostic] = []
        self.addresses = addresses
        """Where set, the private IPs the configuration leaves to Azure are given (HCL only: a
        plan says itself what it knows)."""

    def placeholder(self, resource: TfResource, what: str, reason: str) -> str:
        self.placeholders += 1
        name = f"{UNKNOWN_NAME_PREFIX}{self.placeholders}"
        self.notes.append(
            Diagnostic(
                dx.UNKNOWN_VALUE,
                Severity.INFO,
                f"{resource.address}: the {what} is known only after apply ({reason}); checked as "
                f"{name!r} ({ASSUMED_TAG})",
                _where(resource.where),
            )
        )
        return name

    def text(self, resource: TfResource, key: str, what: str) -> str:
        value = resource.attributes.get(key)
        if isinstance(value, str) and value:
            return value
        reason = value.reason if isinstance(value, Unknown) else "not set"
        return self.placeholder(resource, what, reason)

    def __call__(self, resource: TfResource) -> dict[str, Any]:
        identity = self._identity(resource)
        if self.addresses is None or resource.mode != "managed" or "id" not in identity:
            return identity
        return {**identity, **self._addresses(resource, identity["id"])}

    def _addresses(self, resource: TfResource, resource_id: str) -> dict[str, Any]:
        """Record the subnets a resource declares; give the addresses Azure would give it."""
        assert self.addresses is not None
        attrs = resource.attributes
        kind = resource.type
        if kind == "azapi_resource":
            body = attrs.get("body")
            props = body.get("properties") if isinstance(body, dict) else None
            props = props if isinstance(props, dict) else {}
            arm_type = str(attrs.get("type", "")).split("@", 1)[0].lower()
            if arm_type == "microsoft.network/virtualnetworks/subnets":
                self.addresses.subnet(
                    resource_id, props.get("addressPrefixes") or props.get("addressPrefix")
                )
            elif arm_type == "microsoft.network/virtualnetworks":
                for subnet in props.get("subnets") or []:
                    if isinstance(subnet, dict) and isinstance(subnet.get("name"), str):
                        inner = subnet.get("properties")
                        inner = inner if isinstance(inner, dict) else {}
                        self.addresses.subnet(
                            f"{resource_id}/subnets/{subnet['name']}",
                            inner.get("addressPrefixes") or inner.get("addressPrefix"),
                        )
            return {}
        if kind == "azurerm_subnet":
            self.addresses.subnet(resource_id, attrs.get("address_prefixes"))
            return {}
        if kind == "azurerm_virtual_network":
            self.addresses.vnet(resource_id, attrs)
            return {}
        filled, assumed = self.addresses.fill(kind, attrs)
        if assumed:
            self.notes.append(
                Diagnostic(
                    dx.UNKNOWN_VALUE,
                    Severity.INFO,
                    f"{resource.address}: private IP left to Azure; checked as "
                    f"{'; '.join(assumed)} ({ASSUMED_TAG}: the first free address, as Azure "
                    "gives it)",
                    _where(resource.where),
                )
            )
        return filled

    def _identity(self, resource: TfResource) -> dict[str, Any]:
        """For a data source the ID of what it reads: another input that declares it (a
        network folder beside this one, an ARM template) supplies the resource itself."""
        kind = resource.type
        if kind in CLIENT_CONFIGS:  # the signed-in identity: the subscription heiki checks
            return {
                "id": f"clientConfigs/subscription={self.subscription}",
                "subscription_id": self.subscription,
                "tenant_id": DEFAULT_TENANT,
            }
        if resource.mode != "managed" and kind not in MAPPINGS and kind not in CONTAINERS:
            return {}
        if kind in CONTAINERS:
            name = self.text(resource, "name", "resource group name")
            return {"id": f"/subscriptions/{self.subscription}/resourceGroups/{name}", "name": name}
        if kind == "azapi_resource":
            return self._azapi(resource)
        mapping = MAPPINGS.get(kind)
        if mapping is None:
            return {}
        name = self.text(resource, "name", "name")
        namespace, *types = mapping.arm_type.split("/")
        scope = resource.attributes.get(mapping.scope_id) if mapping.scope_id else None
        if isinstance(scope, str) and scope.startswith("/"):
            return {"id": f"{scope.rstrip('/')}/providers/{mapping.arm_type}/{name}", "name": name}
        parent = resource.attributes.get(mapping.parent_id) if mapping.parent_id else None
        if isinstance(parent, str) and parent.startswith("/"):
            return {"id": f"{parent}/{types[-1]}/{name}", "name": name}
        names = [self.text(resource, key, key.replace("_", " ")) for key in mapping.parents]
        group = resource.attributes.get("resource_group_name")
        group = group if isinstance(group, str) and group else self.resource_group
        pairs = "/".join(f"{t}/{n}" for t, n in zip(types, [*names, name], strict=False))
        return {
            "id": f"/subscriptions/{self.subscription}/resourceGroups/{group}/providers/{namespace}/{pairs}",
            "name": name,
        }

    def _azapi(self, resource: TfResource) -> dict[str, Any]:
        full_type = str(resource.attributes.get("type", "")).split("@", 1)[0]
        name = self.text(resource, "name", "name")
        parent = resource.attributes.get("parent_id")
        if full_type.lower() == _RESOURCE_GROUP_TYPE:
            return {"id": f"/subscriptions/{self.subscription}/resourceGroups/{name}", "name": name}
        if not isinstance(parent, str) or not parent.startswith("/"):
            parent = f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
        types = full_type.split("/")[1:]
        if "/providers/" in parent and len(types) > 1:
            return {"id": f"{parent}/{types[-1]}/{name}", "name": name}
        return {"id": f"{parent}/providers/{full_type}/{name}", "name": name}


def _arm(resource: TfResource, catalog: Catalog) -> list[ArmResource]:
    """The ARM resources one Terraform resource is (itself and the children it declares)."""
    attrs = resource.attributes
    source = _where(resource.where)
    location = attrs.get("location")
    tags = attrs.get("tags") if isinstance(attrs.get("tags"), dict) else {}
    if resource.type == "azapi_resource":
        found = attrs.get("body")
        body: dict[str, Any] = found if isinstance(found, dict) else {}
        full_type, _, version = str(attrs.get("type", "")).partition("@")
        return [
            ArmResource(
                id=ResourceId(attrs["id"]),
                type=full_type,
                name=_full_name(attrs["id"]),
                location=_region(location),
                properties=prune(body.get("properties", {})),
                source=source,
                tags=tags or {},
                sku=sku if isinstance(sku := body.get("sku"), dict) else {},
                kind=str(body.get("kind") or ""),
                api_version=version,
            )
        ]
    mapping = MAPPINGS[resource.type]
    top = prune(mapping.top(attrs))
    arm_id = ResourceId(attrs["id"])
    main = ArmResource(
        id=arm_id,
        type=mapping.arm_type,
        name=_full_name(str(arm_id)),
        location="global" if mapping.global_location else _region(location),
        properties=prune(mapping.properties(attrs)),
        source=source,
        tags=tags or {},
        sku=top.get("sku") or {},
        kind=str(top.get("kind") or ""),
    )
    children = [
        ArmResource(
            id=ResourceId(f"{arm_id}/{child_type}/{child_name}"),
            type=f"{mapping.arm_type}/{child_type}",
            name=f"{main.name}/{child_name}",
            location=main.location,
            properties=prune(properties),
            source=source,
        )
        for child_type, child_name, properties in mapping.children(attrs)
    ]
    return [main, *children]


_RESOURCE_GROUP_TYPE = "microsoft.resources/resourcegroups"


def _is_azapi_group(resource: TfResource) -> bool:
    kind = str(resource.attributes.get("type", "")).split("@", 1)[0].lower()
    return resource.type == "azapi_resource" and kind == _RESOURCE_GROUP_TYPE


def _region(value: Any) -> str:
    """Azure accepts a region's display name (``East US``) and stores its name (``eastus``)."""
    return value.replace(" ", "").lower() if isinstance(value, str) else ""


def _full_name(resource_id: str) -> str:
    tail = resource_id.split("/providers/")[-1].split("/")
    return "/".join(tail[2::2])


def _associate(resources: list[ArmResource], associations: list[TfResource]) -> list[ArmResource]:
    """Fold NSG / route table / NAT gateway associations into their subnets."""
    from dataclasses import replace

    updates: dict[str, dict[str, Any]] = {}
    for association in associations:
        key, prop = ASSOCIATIONS[association.type]
        subnet = association.attributes.get("subnet_id")
        value = association.attributes.get(key)
        if isinstance(subnet, str) and isinstance(value, str):
            updates.setdefault(subnet.lower(), {})[prop] = {"id": value}
    result = []
    for resource in resources:
        extra = updates.get(str(resource.id).lower())
        if extra:
            resource = replace(resource, properties={**resource.properties, **extra})
        result.append(resource)
    return result


def load_terraform(
    folders: Sequence[Path],
    var_files: Sequence[Path],
    inline: Sequence[tuple[str, str]],
    catalog: Catalog,
    subscription: str,
    resource_group: str,
    allow_outside: Sequence[Path] = (),
) -> TerraformLoad:
    """Every folder is a root module (evaluated on its own); their resources are merged. Module
    sources are read inside the root module's repository (else its folder) and the
    ``allow_outside`` folders only."""
    resources: list[ArmResource] = []
    unmodelled: list[UnmodelledResource] = []
    diagnostics: list[Diagnostic] = []
    location = ""
    for folder in folders:
        if not any(folder.glob("*.tf")):  # a folder named like a file, or not a root module
            raise InputError(
                Diagnostic(
                    dx.FILE_UNREADABLE,
                    Severity.ERROR,
                    f"{folder} is a folder without .tf files: not a Terraform root module (a "
                    "blueprint, template or plan is a file)",
                    SourceLocation(str(folder)),
                )
            )
        identify = _Identifier(subscription, resource_group, AddressBook(catalog))
        try:
            module = TerraformModule(
                folder,
                variable_values(folder, var_files, inline),
                identify,
                subscription,
                allowed=[*source_boundary(folder), *(f.resolve() for f in allow_outside)],
            )
            result = module.run()
            module.release()
        except HclSyntaxError as error:
            raise InputError(
                Diagnostic(
                    dx.TEMPLATE,
                    Severity.ERROR,
                    error.message,
                    SourceLocation(error.file, error.line, error.column),
                )
            ) from None
        except TfEvalError as error:
            where = _where(error.where) if error.where else SourceLocation(str(folder))
            raise InputError(
                Diagnostic(dx.TEMPLATE, Severity.ERROR, error.message, where)
            ) from None
        except RecursionError:
            raise InputError(
                Diagnostic(
                    dx.TEMPLATE,
                    Severity.ERROR,
                    "expressions nested too deeply to evaluate",
                    SourceLocation(str(folder)),
                )
            ) from None
        diagnostics += identify.notes
        diagnostics += [
            Diagnostic(dx.UNKNOWN_VALUE, Severity.INFO, text, _where(where))
            for text, where in result.notices
        ]
        if result.assumed:
            parts = [
                f"{a.name} = {'unknown' if a.value is None or isinstance(a.value, Unknown) else repr(a.value)}"
                f" [{_where(a.where)}]"
                for a in result.assumed
            ]
            diagnostics.append(
                Diagnostic(
                    dx.ASSUMED_PARAMETER,
                    Severity.WARNING,
                    f"{len(result.assumed)} variable(s) have no value and no default; checked with "
                    f"{ASSUMED_TAG} placeholders (give them with --var NAME=VALUE or --var-file): "
                    + "; ".join(parts),
                    _where(result.assumed[0].where),
                )
            )
        region = _convert(result.resources, catalog, resources, unmodelled)
        location = location or region
    return TerraformLoad(resources, unmodelled, diagnostics, location)


def load_terraform_json(
    documents: Sequence[tuple[Path, Any, str]],
    catalog: Catalog,
    subscription: str,
    resource_group: str,
) -> TerraformLoad:
    """Plans and states (``terraform show -json``): (path, parsed document, its text)."""
    resources: list[ArmResource] = []
    diagnostics: list[Diagnostic] = []
    unmodelled: list[UnmodelledResource] = []
    location = ""
    for path, document, text in documents:
        positions = JsonPositions(text)
        identify = _Identifier(subscription, resource_group)
        found = terraform_json_resources(document, str(path))
        ids: dict[str, str] = {}
        for instance, pointer, _ in found:
            at = positions.locate(pointer)
            instance.where = Where(str(path), *(at or (None, None)))
            known = instance.attributes.get("id")
            computed = identify(instance)
            if isinstance(known, str) and known.startswith("/"):
                computed["id"] = known
            for key, value in computed.items():
                if not (key == "name" and isinstance(instance.attributes.get("name"), str)):
                    instance.attributes[key] = value
            if isinstance(instance.attributes.get("id"), str):
                ids[_config(instance.address)] = instance.attributes["id"]
        for instance, _, expressions in found:
            # an ID known only after apply is the computed ID of the resource it refers to
            instance.attributes = _fill(instance.attributes, expressions, instance.module, ids)
        diagnostics += identify.notes
        region = _convert([i for i, _, _ in found], catalog, resources, unmodelled)
        location = location or region
    return TerraformLoad(resources, unmodelled, diagnostics, location)


def _convert(
    instances: Sequence[TfResource],
    catalog: Catalog,
    resources: list[ArmResource],
    unmodelled: list[UnmodelledResource],
) -> str:
    """Managed instances as ARM resources (associations folded into their subnets), unmapped
    azurerm types as not modelled; returns the region of the first resource group."""
    location = ""
    associations = [r for r in instances if r.type in ASSOCIATIONS]
    converted: list[ArmResource] = []
    for resource in instances:
        if resource.mode != "managed" or resource.type in ASSOCIATIONS:
            continue
        if resource.type in CONTAINERS or _is_azapi_group(resource):
            location = location or _region(resource.attributes.get("location"))
        elif resource.type == "azapi_resource" and not _azapi_type(resource, unmodelled):
            continue
        elif resource.type in MAPPINGS or resource.type == "azapi_resource":
            try:
                converted += _arm(resource, catalog)
            except ValueError as error:  # an ID built from values no Azure resource ID has
                raise InputError(
                    Diagnostic(
                        dx.TEMPLATE,
                        Severity.ERROR,
                        f"{resource.address}: {error}",
                        _where(resource.where),
                    )
                ) from None
        elif resource.type.startswith(("azurerm_", "azapi_")):
            unmodelled.append(
                UnmodelledResource(
                    resource_id=resource.address,
                    type=resource.type,
                    name=resource.name,
                    reason="no azurerm mapping yet",
                    source=_where(resource.where),
                )
            )
    resources += _associate(converted, associations)
    if not location:  # no resource group declared here: the region most of the resources use
        regions = [r.location for r in converted if r.location and r.location != "global"]
        location = max(sorted(set(regions)), key=regions.count) if regions else ""
    return location


_AZAPI_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.]*/[A-Za-z0-9/]+@[A-Za-z0-9.-]+$")


def _azapi_type(resource: TfResource, unmodelled: list[UnmodelledResource]) -> bool:
    """Whether an azapi resource's ``type`` (``Namespace/type@api-version``, required) can be
    read: written wrong it is the error the provider gives; unknown until apply it is not
    modelled, with the reason."""
    kind = resource.attributes.get("type")
    if isinstance(kind, Unknown):
        unmodelled.append(
            UnmodelledResource(
                resource_id=resource.address,
                type="azapi_resource",
                name=resource.name,
                reason=f"its type is known only after apply ({kind.reason})",
                source=_where(resource.where),
            )
        )
        return False
    if not isinstance(kind, str) or not _AZAPI_TYPE.match(kind):
        raise InputError(
            Diagnostic(
                dx.TEMPLATE,
                Severity.ERROR,
                f'{resource.address}: type must be "<namespace>/<type>@<api-version>" (azapi '
                f"requires it), not {kind!r}",
                _where(resource.where),
            )
        )
    return True


def _fill(value: Any, expressions: Any, module: str, ids: dict[str, str]) -> Any:
    """Unknown leaves of ``value`` that the configuration says refer to a resource, replaced by
    that resource's ID (nested blocks are lists on both sides)."""
    if isinstance(value, Unknown) and isinstance(expressions, dict):
        for reference in expressions.get("references") or []:
            if not isinstance(reference, str):
                continue
            key = reference.removesuffix(".id")
            for candidate in (module + key, key):
                if candidate in ids:
                    return ids[candidate]
        return value
    if isinstance(value, dict) and isinstance(expressions, dict):
        return {k: _fill(v, expressions.get(k), module, ids) for k, v in value.items()}
    if isinstance(value, list) and isinstance(expressions, list) and expressions:
        return [
            _fill(v, expressions[i] if i < len(expressions) else expressions[0], module, ids)
            for i, v in enumerate(value)
        ]
    return value


def _config(address: str) -> str:
    return ".".join(part.split("[", 1)[0] for part in address.split("."))
