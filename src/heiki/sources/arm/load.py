"""Load ARM inputs: deployment templates (with parameter files), compiled Bicep, and arrays of
deployed resources (``az resource list``, REST ``{"value": [...]}``, Resource Graph
``{"data": [...]}``). Several inputs are merged into one environment."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heiki import diagnostics as dx
from heiki.catalog import Catalog, DeploymentLimits
from heiki.defaults import DeploymentTarget
from heiki.diagnostics import Diagnostic, InputError, Severity
from heiki.inputs import nesting_message, read_input_text
from heiki.model.base import ASSUMED_TAG
from heiki.model.coverage import UnmodelledResource
from heiki.model.environment import Environment
from heiki.model.onprem import OnPremises
from heiki.model.source import SourceLocation
from heiki.model.values import ResourceId
from heiki.sources.arm.convert.build import build_environment
from heiki.sources.arm.expressions import Scope, Unknown
from heiki.sources.arm.positions import JsonPositions, pointer_segment
from heiki.sources.arm.resources import ArmResource
from heiki.sources.arm.template import (
    AssumedParameter,
    CommandLineValue,
    ExpandedResource,
    LinkRefused,
    TemplateError,
    UnexpandedResource,
    expand_template,
    parameter_values,
)

DEFAULT_TARGET = DeploymentTarget()


def _error(message: str, where: SourceLocation) -> InputError:
    return InputError(Diagnostic(dx.TEMPLATE, Severity.ERROR, message, where))


def _unreadable(path: Path, error: Exception) -> InputError:
    """A shape the template language or the resource schemas do not allow, met somewhere
    heiki does not check it explicitly: still a located message and exit code 2."""
    return _error(
        f"unexpected structure: {type(error).__name__}: {error} (the input does not have the "
        "shape ARM templates or resources have; if Azure accepts it, this is a heiki bug)",
        SourceLocation(str(path)),
    )


def read_json_text(path: Path) -> str:
    return read_input_text(path, str(path))  # the run's limit: 256 MB, heiki --max-input-mb


def read_json(path: Path) -> Any:
    return parse_json(read_json_text(path), str(path))


def parse_json(text: str, display: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _error(
            f"JSON syntax: {exc.msg}", SourceLocation(display, exc.lineno, exc.colno)
        ) from None
    except RecursionError:
        raise _error(*nesting_message("JSON", text, display)) from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise _error(f"JSON value not readable: {exc}", SourceLocation(display)) from None


def _size_warnings(document: Any, path: Path, limits: DeploymentLimits) -> list[Diagnostic]:
    """Azure's size limits on a template as written (its expansion can only be larger): a
    warning each, and the rest is checked. Compressing is skipped where the text is smaller
    than the limit (compressed JSON is never much larger than the text)."""
    from heiki.sources.arm.size import size_problems

    text = (
        path.stat().st_size
        if path.suffix.lower() == ".json"
        else len(json.dumps(document, separators=(",", ":")))
    )
    if text <= limits.resource_bytes // 2:
        return []
    return [
        Diagnostic(dx.DEPLOYMENT_SIZE, Severity.WARNING, problem.text(), SourceLocation(str(path)))
        for problem in size_problems(document, limits)
    ]


def linked_loader(root: Path, allowed: Sequence[Path] = ()) -> Callable[[Path], Any]:
    """Reads linked templates (``templateLink.relativePath``) inside the folder tree of the
    template given on the command line, or inside a folder ``--allow-outside`` names: a template
    from a pull request must not make heiki read any file the CI user can (``../../etc/passwd``)."""
    roots = [root.resolve(), *(folder.resolve() for folder in allowed)]

    def load(path: Path) -> Any:
        real = path.resolve()
        if not any(real.is_relative_to(folder) for folder in roots):
            raise LinkRefused(
                f"linked template {path} is outside {root} (the folder tree of the template); "
                "--allow-outside FOLDER lets heiki read it"
            )
        return read_json(path)

    return load


def compile_bicep(path: Path) -> Any:
    """Compile a .bicep file with ``bicep`` or ``az bicep`` if one is installed."""
    for command in (
        ["bicep", "build", "--stdout", str(path)],
        ["az", "bicep", "build", "--stdout", "--file", str(path)],
    ):
        if shutil.which(command[0]) is None:
            continue
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        if done.returncode == 0:
            return json.loads(done.stdout)
        raise InputError(
            Diagnostic(
                dx.BICEP,
                Severity.ERROR,
                f"{' '.join(command[:2])} failed: {done.stderr.strip()[:500]}",
                SourceLocation(str(path)),
            )
        )
    raise InputError(
        Diagnostic(
            dx.BICEP,
            Severity.ERROR,
            "no Bicep compiler found; install it (`az bicep install` or the bicep CLI) or "
            f"compile first: `bicep build {path.name}` and check the .json file",
            SourceLocation(str(path)),
        )
    )


def is_template(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    schema = str(document.get("$schema", "")).lower()
    return "deploymenttemplate" in schema or (
        "resources" in document and "contentVersion" in document
    )


def is_parameter_file(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and "deploymentparameters" in str(document.get("$schema", "")).lower()
    )


class _Locator:
    """File + JSON pointer -> SourceLocation with line and column (each file scanned once)."""

    def __init__(self) -> None:
        self._files: dict[str, JsonPositions | None] = {}

    def __call__(self, file: str, pointer: str) -> SourceLocation:
        if file not in self._files:
            try:
                self._files[file] = JsonPositions(read_json_text(Path(file)))
            except (OSError, UnicodeDecodeError):
                self._files[file] = None
        positions = self._files[file]
        clean = re.sub(r"\[\d+\]", "", pointer)  # copy-loop instance suffixes
        found = positions.locate(clean) if positions is not None else None
        line, column = found if found else (None, None)
        return SourceLocation(file, line, column, pointer)


def _location(file: str, pointer: str) -> SourceLocation:
    return SourceLocation(file, None, None, pointer)


def _from_expanded(resource: ExpandedResource, locate: _Locator) -> ArmResource | None:
    """The resource, or None when its ID is not below a subscription (management-group and
    tenant deployments, extension resources of Bicep extensions at those scopes)."""
    try:
        resource_id = ResourceId(resource.id)
    except ValueError:
        return None
    body = resource.body
    location = body.get("location", "")
    kind = body.get("kind")
    return ArmResource(
        id=resource_id,
        type=resource.type,
        name=resource.name,
        location=location if isinstance(location, str) else "",
        properties=_object(body.get("properties")),
        source=locate(resource.file, resource.pointer),
        tags=_object(body.get("tags")),
        sku=_object(body.get("sku")),
        kind=kind if isinstance(kind, str) else "",
        api_version=resource.api_version,
    )


def _full_name(resource_id: str) -> str:
    tail = resource_id.split("/providers/")[-1].split("/")[1:]
    return "/".join(tail[1::2])


def _type_of(resource_id: str) -> str:
    tail = resource_id.split("/providers/")[-1].split("/")
    return "/".join([tail[0], *tail[1::2]])


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _from_deployed(
    item: Any, file: str, pointer: str, locate: _Locator | None = None
) -> ArmResource | None:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        return None
    resource_id = item["id"]
    if "/providers/" not in resource_id:
        return None
    properties = item.get("properties")
    return ArmResource(
        id=ResourceId(resource_id),
        type=_type_of(resource_id),
        name=_full_name(resource_id),
        location=str(item.get("location") or ""),
        properties=properties if isinstance(properties, dict) else {},
        source=(locate or _location)(file, pointer),
        tags=_object(item.get("tags")),
        sku=_object(item.get("sku")),
        kind=str(item.get("kind") or ""),
    )


def deployed_resources(
    document: Any, file: str, locate: _Locator | None = None
) -> list[ArmResource]:
    """A JSON array of resources, ``{"value": [...]}`` (REST), ``{"data": [...]}`` (Resource
    Graph), or one resource object. Child resources listed inline (``subnets``) stay in place."""
    if isinstance(document, dict) and isinstance(document.get("value"), list):
        items, prefix = document["value"], "/value"
    elif isinstance(document, dict) and isinstance(document.get("data"), list):
        items, prefix = document["data"], "/data"
    elif isinstance(document, list):
        items, prefix = document, ""
    else:
        items, prefix = [document], ""
    found = []
    for position, item in enumerate(items):
        resource = _from_deployed(item, file, f"{prefix}/{position}", locate)
        if resource is not None:
            found.append(resource)
    return found


@dataclass(frozen=True)
class ExtraResources:
    """Resources of other sources, already in ARM shape, to merge into the same environment."""

    paths: Sequence[Path]
    resources: Sequence[ArmResource]
    unmodelled: Sequence[UnmodelledResource] = ()
    diagnostics: Sequence[Diagnostic] = ()
    location: str = ""


@dataclass(frozen=True)
class ArmLoad:
    """An environment read from ARM templates, with its diagnostics and unknown values."""

    environment: Environment
    diagnostics: tuple[Diagnostic, ...]
    unknowns: int


def _assumed_notice(assumed: Sequence[AssumedParameter], locate: _Locator) -> Diagnostic:
    """One warning naming every parameter Azure would ask for, with where each is declared."""
    parts = []
    for parameter in assumed:
        where = locate(parameter.file, parameter.pointer)
        value = (
            "unknown (secure, never shown)"
            if parameter.secure
            else "unknown"
            if isinstance(parameter.value, Unknown)
            else json.dumps(parameter.value)
        )
        parts.append(f"{parameter.name} = {value} [{where}]")
    return Diagnostic(
        dx.ASSUMED_PARAMETER,
        Severity.WARNING,
        f"{len(assumed)} parameter(s) have no value and no default; checked with {ASSUMED_TAG} "
        f"placeholders (give them with --parameters FILE or NAME=VALUE): {'; '.join(parts)}",
        locate(assumed[0].file, assumed[0].pointer),
    )


def _unexpanded(items: Sequence[UnexpandedResource], locate: _Locator) -> list[UnmodelledResource]:
    return [
        UnmodelledResource(
            resource_id=f"{item.file}#{item.pointer}",
            type=item.type,
            name="(copies)",
            reason=item.reason,
            source=locate(item.file, item.pointer),
        )
        for item in items
    ]


def load_arm(
    paths: Sequence[Path],
    parameter_files: Sequence[Path | tuple[str, str]] = (),
    target: DeploymentTarget = DEFAULT_TARGET,
    catalog: Catalog | None = None,
    on_premises: OnPremises | None = None,
    extra: ExtraResources | None = None,
    allow_outside: Sequence[Path] = (),
) -> ArmLoad:
    """Load ARM inputs. ``parameter_files`` are parameter files and ``(NAME, VALUE)`` pairs from
    the command line, in order: a later value wins, as with ``az deployment``. ``extra`` are
    resources another source already turned into ARM resources (Terraform), merged in."""
    from heiki.catalog import load_catalog

    catalog = catalog or load_catalog()
    locate = _Locator()
    parameters: dict[str, Any] = {}
    origins: dict[str, tuple[str, SourceLocation]] = {}
    """Where each given parameter was given (lower-case name): its parameter file entry."""
    for entry in parameter_files:
        given: dict[str, Any]
        if isinstance(entry, tuple):
            given = {entry[0]: CommandLineValue(entry[1])}
            origins[entry[0].lower()] = (entry[0], SourceLocation(f"--parameters {entry[0]}=..."))
        else:
            try:
                given = parameter_values(read_json(entry), str(entry))
            except TemplateError as error:
                raise _error(
                    f"{error.message} (at {error.pointer or '/'})",
                    locate(error.file, error.pointer),
                ) from None
            for name in given:
                where = locate(str(entry), f"/parameters/{pointer_segment(name)}")
                origins[name.lower()] = (name, where)
        for name, value in given.items():
            for known in [k for k in parameters if k.lower() == name.lower()]:
                del parameters[known]
            parameters[name] = value
    resources: list[ArmResource] = []
    unmodelled: list[UnmodelledResource] = []
    diagnostics: list[Diagnostic] = []
    unknowns = 0
    declared: set[str] = set()
    templates = 0
    for path in paths:
        document = compile_bicep(path) if path.suffix.lower() == ".bicep" else read_json(path)
        if is_template(document) and isinstance(document.get("parameters"), dict):
            declared.update(name.lower() for name in document["parameters"])
        templates += is_template(document)
        if is_parameter_file(document):
            raise _error(
                "this is a parameter file; give it with --parameters", SourceLocation(str(path))
            )
        if is_template(document):
            diagnostics += _size_warnings(document, path, catalog.deployment_limits)
            scope = Scope(
                subscription_id=target.subscription_id,
                resource_group_name=target.resource_group,
                location=target.location,
            )
            try:
                expansion = expand_template(
                    document,
                    str(path),
                    parameters,
                    scope,
                    loader=linked_loader(path.parent, allow_outside),
                    reserved_leading=catalog.subnet_reserved_leading,
                )
            except TemplateError as error:
                message = error.message + (f" in {error.expression!r}" if error.expression else "")
                message += f" (at {error.pointer or '/'})"
                raise _error(message, locate(error.file, error.pointer)) from None
            except (TypeError, AttributeError, KeyError, ValueError, IndexError) as error:
                raise _unreadable(path, error) from None
            for expanded in expansion.resources:
                converted = _from_expanded(expanded, locate)
                if converted is None:
                    unmodelled.append(
                        UnmodelledResource(
                            resource_id=expanded.id,
                            type=expanded.type,
                            name=expanded.name,
                            reason="deployed above a subscription",
                            source=locate(expanded.file, expanded.pointer),
                        )
                    )
                    continue
                resources.append(converted)
                if expanded.assumed_name:
                    diagnostics.append(
                        Diagnostic(
                            dx.UNKNOWN_VALUE,
                            Severity.INFO,
                            f"the name of this {expanded.type} is known only when the deployment "
                            f"runs ({expanded.assumed_name}); checked as {expanded.name!r} "
                            f"({ASSUMED_TAG})",
                            converted.source,
                        )
                    )
            unmodelled += _unexpanded(expansion.unexpanded, locate)
            if expansion.assumed_parameters:
                diagnostics.append(_assumed_notice(expansion.assumed_parameters, locate))
            diagnostics += [
                Diagnostic(dx.UNKNOWN_VALUE, Severity.INFO, notice, SourceLocation(str(path)))
                for notice in expansion.notices
            ]
            diagnostics += [
                Diagnostic(
                    dx.PARAMETER_VALUE,
                    Severity.WARNING,
                    message + " (Azure's deployment validation rejects it)",
                    locate(file, pointer),
                )
                for message, file, pointer in expansion.problems
            ]
            unknowns += len(expansion.unknowns)
        else:
            try:
                found = deployed_resources(document, str(path), locate)
            except (TypeError, AttributeError, KeyError, ValueError, IndexError) as error:
                raise _unreadable(path, error) from None
            if not found:
                raise _error(
                    "neither a deployment template nor a list of ARM resources",
                    SourceLocation(str(path)),
                )
            resources += found
    undeclared = [origins[n] for n in sorted(origins) if n not in declared]
    if undeclared:  # Azure refuses the deployment (InvalidTemplate) for the same reason
        raise InputError(
            [
                Diagnostic(
                    dx.PARAMETER_VALUE,
                    Severity.ERROR,
                    f"parameter {name!r} is not declared by "
                    + ("the template" if templates == 1 else "any of the templates given")
                    + "; Azure rejects the deployment (InvalidTemplate: not present in the "
                    "original template)",
                    where,
                )
                for name, where in undeclared
            ]
        )
    named = [*paths, *(extra.paths if extra else ())]
    # a folder given as "." has no name of its own: the folder it stands for has
    stems = [p.stem or p.name or p.resolve().name for p in named]
    name = stems[0] if len(stems) == 1 else "+".join(stems)
    location = target.location
    if extra is not None:
        resources += extra.resources
        unmodelled += extra.unmodelled
        diagnostics += extra.diagnostics
        # Terraform resources carry their own region; the target's is only a template's default
        location = extra.location or location if not paths else location
    try:
        env, notes = build_environment(resources, name, catalog, on_premises, location, unmodelled)
    except (TypeError, AttributeError, KeyError, ValueError, IndexError) as error:
        raise _unreadable(named[0], error) from None
    return ArmLoad(env, tuple(diagnostics + notes), unknowns)


__all__ = ["ArmLoad", "DeploymentTarget", "ExtraResources", "Unknown", "load_arm"]
