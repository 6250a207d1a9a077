"""``terraform show -json`` of a plan or of a state, as resource instances.

A plan's ``planned_values`` hold the attributes Terraform knows before apply; ``resource_changes``
mark the rest (``after_unknown``), which stay unknown - except a reference to another resource's
ID, which ``configuration`` names and which heiki computes as for a folder. A state's ``values``
hold what was applied. (HashiCorp: JSON Output Format.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from heiki.sources.arm.expressions.unknown import Unknown
from heiki.sources.terraform.module import TfResource
from heiki.sources.terraform.syntax import Where


def is_terraform_json(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and "format_version" in document
        and ("planned_values" in document or "values" in document)
    )


def _modules(module: dict[str, Any], pointer: str) -> Iterator[tuple[dict[str, Any], str]]:
    yield module, pointer
    for position, child in enumerate(module.get("child_modules") or []):
        if isinstance(child, dict):
            yield from _modules(child, f"{pointer}/child_modules/{position}")


def _unknowns(values: Any, marks: Any, reason: str) -> Any:
    """``values`` with an ``Unknown`` wherever ``after_unknown`` says ``true``."""
    if marks is True:
        return Unknown(reason)
    if isinstance(marks, dict):
        base = dict(values) if isinstance(values, dict) else {}
        for key, mark in marks.items():
            base[key] = _unknowns(base.get(key), mark, reason)
        return base
    if isinstance(marks, list) and isinstance(values, list):
        return [
            _unknowns(v, marks[i] if i < len(marks) else False, reason)
            for i, v in enumerate(values)
        ]
    return values


def _configuration_references(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Resource address -> its configuration ``expressions`` (attribute -> ``{"references":
    [...]}``, nested blocks as lists of the same)."""
    found: dict[str, dict[str, Any]] = {}

    def walk(module: dict[str, Any], prefix: str) -> None:
        for resource in module.get("resources") or []:
            if not isinstance(resource, dict):
                continue
            expressions = resource.get("expressions")
            found[f"{prefix}{resource.get('address')}"] = (
                expressions if isinstance(expressions, dict) else {}
            )
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict) and isinstance(call.get("module"), dict):
                walk(call["module"], f"{prefix}module.{name}.")

    configuration = document.get("configuration") or {}
    if isinstance(configuration.get("root_module"), dict):
        walk(configuration["root_module"], "")
    return found


def terraform_json_resources(
    document: dict[str, Any], file: str
) -> list[tuple[TfResource, str, dict[str, list[str]]]]:
    """(instance, JSON pointer, its configuration expressions) for every managed and data
    resource of a plan or state."""
    planned = document.get("planned_values")
    root = (planned or document.get("values") or {}).get("root_module")
    base = "/planned_values/root_module" if planned else "/values/root_module"
    changes = {
        c.get("address"): c.get("change") or {}
        for c in document.get("resource_changes") or []
        if isinstance(c, dict)
    }
    references = _configuration_references(document)
    result: list[tuple[TfResource, str, dict[str, Any]]] = []
    if not isinstance(root, dict):
        return result
    for module, pointer in _modules(root, base):
        for position, resource in enumerate(module.get("resources") or []):
            if not isinstance(resource, dict) or not isinstance(resource.get("type"), str):
                continue
            address = str(resource.get("address", ""))
            values = resource.get("values") if isinstance(resource.get("values"), dict) else {}
            change = changes.get(address) or {}
            attributes = _unknowns(
                values, change.get("after_unknown"), f"{address} is known only after apply"
            )
            module_prefix = (
                address.rsplit(f"{resource['type']}.", 1)[0] if "module." in address else ""
            )
            config_address = _config_address(address)
            instance = TfResource(
                "data" if resource.get("mode") == "data" else "managed",
                resource["type"],
                str(resource.get("name", "")),
                resource.get("index"),
                attributes,
                Where(file),
                module_prefix,
            )
            result.append(
                (instance, f"{pointer}/resources/{position}", references.get(config_address, {}))
            )
    return result


def _config_address(address: str) -> str:
    """The configuration address of an instance address (``a.b[0]`` -> ``a.b``)."""
    parts = []
    for part in address.split("."):
        parts.append(part.split("[", 1)[0])
    return ".".join(parts)
