"""Sources: turn user input (a blueprint, a built-in design, an on-premises file) into the model.

``load()`` is the one entry point the CLI and library users call. It returns the environment and
the warnings, or raises ``InputError`` with every located error it found.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pydantic

from heiki import diagnostics as dx
from heiki.catalog import Catalog, load_catalog
from heiki.catalog.allocation import allocate_endpoint_ips
from heiki.catalog.names import forwarder_zones
from heiki.defaults import DeploymentTarget
from heiki.designs import BUILTIN_DESIGNS, DEFAULT_DESIGN, design_file, display_name
from heiki.diagnostics import Diagnostic, InputError, Severity
from heiki.model.environment import Environment
from heiki.model.hub import hub_dns_endpoints
from heiki.model.onprem import OnPremises
from heiki.model.values import Address
from heiki.sources.blueprint import schema as bp
from heiki.sources.blueprint.expand import Expander, private_names
from heiki.sources.blueprint.onprem import build_onprem
from heiki.sources.validate import validate
from heiki.sources.yamlread import LocatedDocument, PathKey, parse_yaml, read_yaml_file

# The ARM and Terraform readers (an expression evaluator, an HCL parser) are imported when an
# input needs them: checking a blueprint or a built-in design loads neither.


@dataclass(frozen=True)
class LoadResult:
    """A loaded environment, the diagnostics of loading it and the name of its source."""

    environment: Environment
    diagnostics: tuple[Diagnostic, ...]
    """Warnings and infos; errors are raised as ``InputError`` instead."""
    source_name: str


def _clean_path(data: Any, loc: tuple[str | int, ...]) -> tuple[PathKey, str | int | None]:
    """Map a pydantic error location onto the document, dropping union-member tags.

    Returns the deepest path that exists in the data and the first element that did not exist
    (the unknown or missing key), if any.
    """
    path: list[str | int] = []
    node = data
    missing: str | int | None = None
    for part in loc:
        # two branches, not one `or`: mypy narrows the index type per container
        if isinstance(node, dict) and isinstance(part, str) and part in node:  # noqa: SIM114
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif (
            isinstance(node, dict)
            and isinstance(part, str)
            and part[:1].islower()
            and ("[" not in part)
        ):
            missing = part if missing is None else missing
    return tuple(path), missing


def _schema_diagnostics(
    exc: pydantic.ValidationError, doc: LocatedDocument, model: type[pydantic.BaseModel]
) -> list[Diagnostic]:
    entries: list[tuple[PathKey, str]] = []
    kinds: list[tuple[PathKey, str]] = []
    for error in exc.errors():
        path, missing = _clean_path(doc.data, tuple(error["loc"]))
        kind = error["type"]
        kinds.append((path, kind))
        if kind == "extra_forbidden":
            key = path[-1] if path else "?"
            message = f"unknown key {key!r}"
            parent_fields = _fields_at(model, doc.data, path[:-1])
            close = difflib.get_close_matches(str(key), parent_fields, n=1)
            if close:
                message += f"; did you mean {close[0]!r}?"
            elif parent_fields:
                message += f"; allowed here: {', '.join(sorted(parent_fields))}"
        elif kind == "missing":
            message = f"missing required key {missing!r}" if missing else "missing required value"
        elif kind == "value_error":  # heiki's own validators: their message says it all
            message = str(error["msg"]).removeprefix("Value error, ")
        else:
            where = f" for {missing!r}" if missing else ""
            message = f"{error['msg']}{where} (got {error.get('input')!r})"
        entries.append((path, message))
    # heiki's own check of a value says why it is refused; the other members of a union only
    # that the value is not of their type
    explained = {path for path, kind in kinds if kind == "value_error"}
    entries = [
        (path, message)
        for (path, message), (_, kind) in zip(entries, kinds, strict=True)
        if kind == "value_error" or path not in explained
    ]
    # A union reports one error per member; keep only the deepest paths, once each.
    deepest = [
        (path, message)
        for path, message in entries
        if not any(len(other) > len(path) and other[: len(path)] == path for other, _ in entries)
    ]
    result: list[Diagnostic] = []
    seen: set[tuple[PathKey, str]] = set()
    for path, message in deepest:
        if (path, message) in seen:
            continue
        seen.add((path, message))
        result.append(Diagnostic(dx.SCHEMA, Severity.ERROR, message, doc.location(path)))
    return result


def _fields_at(model: type[pydantic.BaseModel], data: Any, path: PathKey) -> list[str]:
    """Field names of the schema class that describes ``path`` (best effort, for suggestions)."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields:
            return []
        if part in fields:
            annotation = fields[part].annotation
            current = _model_in(annotation)
        else:
            # a dict of models (spokes: {ml: SpokeSpec}): step into the value type
            current = _model_in(current)
        if current is None:
            return []
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _parse_spec(doc: LocatedDocument, model: type[pydantic.BaseModel]) -> Any:
    if not isinstance(doc.data, dict):
        raise InputError(
            Diagnostic(
                dx.SCHEMA, Severity.ERROR, "the document must be a mapping", doc.location(())
            )
        )
    try:
        return model.model_validate(doc.data)
    except pydantic.ValidationError as exc:
        raise InputError(_schema_diagnostics(exc, doc, model)) from None


def _finish(
    env: Environment, diagnostics: list[Diagnostic], catalog: Catalog, source_name: str
) -> LoadResult:
    diagnostics = diagnostics + validate(env, catalog)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors:
        raise InputError(errors)
    return LoadResult(env, tuple(diagnostics), source_name)


def load_blueprint(
    doc: LocatedDocument,
    catalog: Catalog | None = None,
    onprem: LocatedDocument | None = None,
) -> LoadResult:
    """Expand and validate a parsed blueprint; an on-premises file replaces its ``onprem``."""
    catalog = catalog or load_catalog()
    spec = _parse_spec(doc, bp.BlueprintSpec)
    if onprem is not None:
        onprem_spec = _parse_spec(onprem, bp.OnPremFileSpec).onprem
        spec = spec.model_copy(update={"onprem": onprem_spec})
        # Locations of the on-premises part point into the on-premises file.
        doc = doc.with_overlay("onprem", onprem)
    expander = Expander(spec, doc, catalog)
    env = expander.build()
    return _finish(env, expander.diagnostics, catalog, doc.display_name)


def load_onprem(
    doc: LocatedDocument, env: Environment | None = None, catalog: Catalog | None = None
) -> tuple[OnPremises, list[Diagnostic]]:
    """A stand-alone on-premises description (``--onprem``), built against ``env``, the
    environment it connects to: ``forward_to: hub`` forwards every zone the environment needs to
    its hub DNS endpoint, and ``a_records: true`` writes its private names, as for a blueprint.
    Without a DNS endpoint to forward to, a warning says why (the DNS verdict then shows the
    consequence); other problems of the file are errors."""
    catalog = catalog or load_catalog()
    spec = _parse_spec(doc, bp.OnPremFileSpec).onprem
    diagnostics: list[Diagnostic] = []
    kind = spec.connection or "expressroute"
    hub_dns: tuple[Address, ...] = ()
    zones: tuple[str, ...] = ()
    names: tuple[tuple[str, Address], ...] = ()
    if env is not None:
        hub_dns, _ = hub_dns_endpoints(env)
        zones = forwarder_zones(catalog, env.private_endpoints, bool(env.computes), env.location)
        names = private_names(catalog, allocate_endpoint_ips(env, catalog))
    result = build_onprem(
        spec,
        doc,
        ("onprem",),
        catalog,
        gateway=None,
        connection_kind=kind,
        hub_dns=hub_dns,
        forward_zones=zones,
        private_names=names,
        diagnostics=diagnostics,
        missing_hub_dns=_NO_HUB_DNS if env is not None else None,
    )
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors:
        raise InputError(errors)
    return result, diagnostics


_REJECTED_BEFORE_ANYTHING = frozenset({dx.NSG_TAGS_PER_FIELD, dx.INVALID_NAME})
"""Validation problems that stay errors for templates: the whole deployment fails at
validation, before any resource exists, so there is no environment to check."""

_NO_HUB_DNS = (
    "on-premises DNS forwards to the hub, but the environment has no DNS endpoint on-premises can "
    "reach: no DNS Private Resolver inbound endpoint, no Azure Firewall whose policy has the DNS "
    "proxy on, no VM tagged heiki-role=dns-server (168.63.129.16 is not reachable from "
    "on-premises); no forwarder is added, so the names below fail from on-premises"
)


ARM_SUFFIXES = (".json", ".bicep")


def load(
    source: str | Sequence[str] | None = None,
    onprem: str | None = None,
    parameters: Sequence[str] = (),
    target: DeploymentTarget | None = None,
    var_files: Sequence[str] = (),
    variables: Sequence[str] = (),
    allow_outside: Sequence[str] = (),
) -> LoadResult:
    """Load a built-in design by name, a blueprint file, ARM inputs or Terraform root modules
    (default: ``closed-aml``).

    ARM inputs are ``.json`` templates (with ``parameters`` files), ``.bicep`` files, and JSON
    arrays of deployed resources; a folder is a Terraform root module (with ``var_files`` and
    ``NAME=VALUE`` ``variables``); several inputs are merged into one environment.
    """
    sources = [source] if isinstance(source, str) else list(source or [])
    if sources and all(s.lower().endswith(ARM_SUFFIXES) or Path(s).is_dir() for s in sources):
        return _load_arm(
            sources,
            onprem,
            parameters,
            target or DeploymentTarget(),
            var_files,
            variables,
            allow_outside,
        )
    for name in sources:  # a mistyped input is the first thing to say (arguments swapped...)
        _known_design_or_file(name)
    given = [
        option
        for option, values in (
            ("--parameters", parameters),
            ("--var", variables),
            ("--var-file", var_files),
            ("--allow-outside", allow_outside),
            ("--subscription / --resource-group / --location", target),
        )
        if values
    ]
    if given:  # silently ignored, the user would believe the blueprint was checked with them
        raise InputError(
            Diagnostic(
                dx.OPTION_NOT_FOR_INPUT,
                Severity.ERROR,
                f"{', '.join(given)} applies to ARM templates, Bicep files and Terraform folders, "
                "not to a blueprint or built-in design (a blueprint states its values itself)",
            )
        )
    if len(sources) > 1:
        raise InputError(
            Diagnostic(
                dx.SCHEMA,
                Severity.ERROR,
                "several inputs can only be merged when all are ARM (.json / .bicep) files",
            )
        )
    name = sources[0] if sources else DEFAULT_DESIGN
    builtin = design_file(name)
    if builtin is not None:
        doc = parse_yaml(builtin.read_text(encoding="utf-8"), display_name(name))
    else:
        _known_design_or_file(name)
        doc = read_yaml_file(Path(name))
    onprem_doc = read_yaml_file(Path(onprem)) if onprem else None
    return load_blueprint(doc, onprem=onprem_doc)


def _known_design_or_file(name: str) -> None:
    """Raise for a name that is no built-in design and no file, and does not look like a path
    (a missing ``x.yaml`` or ``dir/x`` is the file reader's to report, with its path)."""
    if design_file(name) is not None or Path(name).exists():
        return
    if "/" in name or name.endswith((".yaml", ".yml")):
        return
    close = difflib.get_close_matches(name, BUILTIN_DESIGNS, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise InputError(
        Diagnostic(
            dx.UNKNOWN_DESIGN,
            Severity.ERROR,
            f"{name!r} is neither a built-in design nor a file{hint} "
            f"(built-in: {', '.join(BUILTIN_DESIGNS)})",
        )
    )


_INLINE_PARAMETER = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)=(.*)$", re.DOTALL)


def target_errors(target: DeploymentTarget, catalog: Catalog) -> list[Diagnostic]:
    """``--subscription`` / ``--resource-group`` / ``--location`` values Azure would refuse;
    a location's display name (``Japan East``) is accepted, as Azure accepts it."""
    rules = {rule.resource_type: rule for rule in catalog.name_rules}
    found = []
    for kind, value in (
        ("Microsoft.Resources/subscriptions", target.subscription_id),
        ("Microsoft.Resources/resourceGroups", target.resource_group),
        ("Microsoft.Resources/locations", target.location.replace(" ", "").lower()),
    ):
        rule = rules.get(kind)
        if rule is not None and not re.fullmatch(rule.pattern, value):
            found.append(
                Diagnostic(
                    dx.OPTION_NOT_FOR_INPUT,
                    Severity.ERROR,
                    f"{value!r} is not a {rule.what}: {rule.says}",
                )
            )
    return found


def _terraform_json(files: Sequence[Path]) -> list[tuple[Path, Any, str]]:
    """The ``terraform show -json`` plans and states among the JSON inputs."""
    from heiki.sources.arm.load import parse_json, read_json_text
    from heiki.sources.terraform.plan import is_terraform_json

    found = []
    for path in files:
        if path.suffix.lower() != ".json" or not path.is_file():
            continue
        text = read_json_text(path)
        document = parse_json(text, str(path))
        if is_terraform_json(document):
            found.append((path, document, text))
    return found


def _pair(text: str) -> tuple[str, str]:
    match = _INLINE_PARAMETER.match(text)
    if match is None:
        raise InputError(
            Diagnostic(dx.SCHEMA, Severity.ERROR, f"--var needs NAME=VALUE, not {text!r}")
        )
    return match.group(1), match.group(2)


def split_parameters(given: Sequence[str]) -> list[Path | tuple[str, str]]:
    """``--parameters`` as ``az deployment`` takes it, in order (a later value wins): a parameter
    file (``@`` optional) or ``NAME=VALUE``. A file that exists wins over the same text read as
    a pair."""
    entries: list[Path | tuple[str, str]] = []
    for text in given:
        path = Path(text.removeprefix("@"))
        match = _INLINE_PARAMETER.match(text)
        if match and not path.exists():
            entries.append((match.group(1), match.group(2)))
        else:
            entries.append(path)
    return entries


def _load_arm(
    sources: list[str],
    onprem: str | None,
    parameters: Sequence[str],
    target: DeploymentTarget,
    var_files: Sequence[str] = (),
    variables: Sequence[str] = (),
    allow_outside: Sequence[str] = (),
) -> LoadResult:
    from heiki.sources.arm.convert.build import attach_on_premises
    from heiki.sources.arm.load import ExtraResources, load_arm

    catalog = load_catalog()
    wrong = target_errors(target, catalog)
    if wrong:
        raise InputError(wrong)
    target = replace(target, location=target.location.replace(" ", "").lower())
    onprem_doc = read_yaml_file(Path(onprem)) if onprem else None
    folders = [Path(s) for s in sources if Path(s).is_dir()]
    files = [Path(s) for s in sources if not Path(s).is_dir()]
    plans = _terraform_json(files)
    files = [f for f in files if all(f != p for p, _, _ in plans)]
    extra = None
    if folders or plans:
        from heiki.sources.terraform.load import load_terraform, load_terraform_json

        parts = []
        if folders:
            parts.append(
                load_terraform(
                    folders,
                    [Path(f) for f in var_files],
                    [_pair(v) for v in variables],
                    catalog,
                    target.subscription_id,
                    target.resource_group,
                    [Path(folder) for folder in allow_outside],
                )
            )
        if plans:
            parts.append(
                load_terraform_json(plans, catalog, target.subscription_id, target.resource_group)
            )
        extra = ExtraResources(
            [*folders, *(p for p, _, _ in plans)],
            [r for part in parts for r in part.resources],
            [u for part in parts for u in part.unmodelled],
            [d for part in parts for d in part.diagnostics],
            next((part.location for part in parts if part.location), ""),
        )
    loaded = load_arm(
        files,
        split_parameters(parameters),
        target,
        catalog,
        extra=extra,
        allow_outside=[Path(folder) for folder in allow_outside],
    )
    env = loaded.environment
    onprem_notes: list[Diagnostic] = []
    if onprem_doc is not None:
        on_premises, onprem_notes = load_onprem(onprem_doc, env, catalog)
        env = attach_on_premises(env, on_premises)
        loaded = replace(loaded, environment=env)
    # A template that Azure would reject is still worth analysing: validation problems become
    # warnings here, and only what stops the model from being built is fatal.
    checked = [
        Diagnostic(d.code, Severity.WARNING, f"{d.message} (Azure would reject this)", d.location)
        if d.severity is Severity.ERROR and d.code not in _REJECTED_BEFORE_ANYTHING
        else d
        for d in validate(loaded.environment, catalog)
    ]
    rejected = [d for d in checked if d.severity is Severity.ERROR]
    if rejected:
        raise InputError(rejected)
    return LoadResult(
        loaded.environment, (*loaded.diagnostics, *onprem_notes, *checked), ", ".join(sources)
    )
