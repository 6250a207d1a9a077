"""Expand an ARM deployment template into the resources it would deploy.

Handles parameters (supplied, defaults, Key Vault references as unknowns), variables (lazily, with
cycle detection and ``copy`` loops), user functions, resources as an array or, with
``languageVersion`` 2.0, as an object of symbolic names (``existing`` ones are referenced, never
deployed), child resources declared nested or by full name, ``copy`` loops and ``condition``,
nested ``Microsoft.Resources/deployments`` with inner or outer expression scope (inline templates
and local ``templateLink.relativePath``), property ``copy`` loops, and outputs, which
``reference()`` reads from nested deployments. Values known only at deployment stay ``Unknown``
and are listed with where they occur.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heiki.model.base import ASSUMED_TAG, UNKNOWN_NAME_PREFIX
from heiki.model.values import Prefix, first_assignable, first_ipv4_prefix
from heiki.sources.arm.expressions import (
    ExpressionError,
    Scope,
    Unknown,
    UserFunction,
    evaluate_value,
)
from heiki.sources.arm.expressions.unknown import PartialObject
from heiki.sources.arm.positions import pointer_segment

DEPLOYMENTS = "microsoft.resources/deployments"
_MAX_NESTING = 20
_MAX_COPY = 800  # ARM's documented limit per copy loop


class LinkRefused(Exception):
    """A loader's refusal of a linked template (outside the allowed folders); the engine
    reports it at the ``relativePath`` that names it."""


class TemplateError(Exception):
    """The template cannot be expanded; ``pointer`` is the JSON pointer of the offending value."""

    def __init__(self, message: str, file: str, pointer: str, expression: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.pointer = pointer
        self.expression = expression

    def __str__(self) -> str:
        where = f" in {self.expression!r}" if self.expression else ""
        return f"{self.file}#{self.pointer}: {self.message}{where}"


RuntimeObject = PartialObject


def _runtime(value: Any) -> Any:
    if isinstance(value, dict):
        return RuntimeObject({k: _runtime(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_runtime(v) for v in value]
    return value


@dataclass(frozen=True)
class ExpandedResource:
    """A resource after copy loops and conditions, with where it was declared."""

    id: str
    type: str
    name: str
    """The full name (``vnet/subnet`` for a child)."""
    api_version: str
    body: dict[str, Any]
    """Every evaluated top-level field: location, tags, sku, kind, zones, identity, properties..."""
    file: str
    pointer: str
    symbol: str | None = None
    assumed_name: str = ""
    """Why the name is a placeholder: it is known only when the deployment runs (a module
    output, ``reference()``, a principal ID); empty when the name is the template's."""

    @property
    def properties(self) -> Any:
        return self.body.get("properties", {})


@dataclass(frozen=True)
class UnknownValue:
    """A value the template leaves to deployment time, and where it stands."""

    file: str
    pointer: str
    reason: str


@dataclass(frozen=True)
class AssumedParameter:
    """A parameter with no value and no default: Azure would ask for it; heiki goes on with a
    placeholder (secure parameters and objects stay unknown, their value is never shown)."""

    name: str
    file: str
    pointer: str
    value: Any
    secure: bool


@dataclass(frozen=True)
class UnexpandedResource:
    """A declaration whose instances cannot be counted offline (a copy count known only when
    the deployment runs): its resources are not in the expansion, and the report says so."""

    type: str
    file: str
    pointer: str
    reason: str


@dataclass(frozen=True)
class Expansion:
    """A template's expanded resources and outputs, with what stayed unknown."""

    resources: tuple[ExpandedResource, ...]
    outputs: dict[str, Any]
    unknowns: tuple[UnknownValue, ...]
    notices: tuple[str, ...]
    problems: tuple[tuple[str, str, str], ...] = ()
    """What Azure's deployment validation would reject: (message, file, JSON pointer)."""
    assumed_parameters: tuple[AssumedParameter, ...] = ()
    unexpanded: tuple[UnexpandedResource, ...] = ()


class CommandLineValue(str):
    """A parameter given as ``NAME=VALUE`` on the command line: text that takes the declared
    type of the parameter, as ``az deployment --parameters`` converts it."""

    __slots__ = ()

    def typed(self, kind: str) -> Any:
        text = str(self)
        if kind == "int":
            try:
                return int(text)
            except ValueError:
                return text
        if kind == "bool" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if kind in ("array", "object", "secureobject"):
            try:
                return json.loads(text)
            except ValueError:
                return text
        return text


@dataclass
class _Target:
    """The subscription and resource group a (nested) deployment deploys to."""

    subscription_id: str
    resource_group: str | None
    """None for subscription- and tenant-level deployments."""


@dataclass
class _Instance:
    """One copy of a declared resource while it is being evaluated."""

    declaration: _Declaration
    index: int | None
    scope: Scope
    type: str = ""
    name: str = ""
    id: str = ""
    body: dict[str, Any] | None = None
    evaluating: bool = False
    outputs: dict[str, Any] | None = None
    assumed_name: str = ""


@dataclass
class _Declaration:
    """A resource as the template declares it, with its copies."""

    raw: dict[str, Any]
    pointer: str
    symbol: str | None
    parent_type: str = ""
    parent_name: str = ""
    instances: list[_Instance] = field(default_factory=list)
    expanded: bool = False

    @property
    def existing(self) -> bool:
        return self.raw.get("existing") is True


def _extension_alias(raw: dict[str, Any]) -> str:
    """The Bicep extension a resource belongs to (``import`` in languageVersion 2.0 output,
    ``extension`` in newer output), or "" for Azure Resource Manager's own resources."""
    alias = raw.get("extension", raw.get("import"))
    if not isinstance(alias, str) or alias.lower() in ("az", "azureresourcemanager"):
        return ""
    return alias


def _relative_scope(text: str) -> str | None:
    """``Namespace/type/name[/type/name]``: a resource named relative to the deployment scope."""
    parts = text.strip("/").split("/")
    if len(parts) < 3 or len(parts) % 2 == 0 or "." not in parts[0] or not all(parts):
        return None
    return "/".join(parts)


class _Deployment:
    """One template being expanded (the root, or a nested deployment)."""

    def __init__(
        self,
        engine: _Engine,
        template: dict[str, Any],
        file: str,
        pointer: str,
        parameters: dict[str, Any],
        scope: Scope,
        target: _Target,
        depth: int,
    ) -> None:
        self.engine = engine
        self.template = template
        self.file = file
        self.pointer = pointer
        self.target = target
        self.depth = depth
        self.scope = scope
        self._declared: dict[str, Any] = template.get("parameters") or {}
        self._supplied = parameters
        self.declarations: list[_Declaration] = []
        self._index: dict[str, _Instance] = {}
        self._variables: dict[str, Any] = {}
        self._evaluating_variables: list[str] = []
        self._parameters_in_progress: list[str] = []
        scope.template = template
        scope.known = {}  # values kept for another template's content would be wrong here
        scope.variables = self._variables
        scope.variable_resolver = self._variable
        scope.reference_resolver = self._reference
        scope.references_resolver = self._references
        scope.functions = self._functions()
        scope.parameters = {}
        scope.parameter_resolver = self._parameter
        for name in self._declared:
            self._parameter(name)

    def outer_child(
        self, template: dict[str, Any], file: str, pointer: str, target: _Target
    ) -> _Deployment:
        """A nested template with outer expression scope: it sees this template's parameters and
        variables (shared, evaluated once), but declares and references its own resources."""
        child = _Deployment.__new__(_Deployment)
        child.engine = self.engine
        child.template = {
            **template,
            "parameters": self.template.get("parameters"),
            "variables": self.template.get("variables"),
        }
        child.file, child.pointer, child.target = file, pointer, target
        child.depth = self.depth + 1
        child.declarations = []
        child._index = {}
        child._declared, child._supplied = self._declared, self._supplied
        child._variables = self._variables
        child._evaluating_variables = self._evaluating_variables
        child._parameters_in_progress = self._parameters_in_progress
        # Outer-scope expressions are evaluated as the parent's: resourceGroup() and
        # subscription() stay the parent's even when the nested deployment targets another group.
        child.scope = self.scope.child()
        child.scope.reference_resolver = child._reference
        child.scope.references_resolver = child._references
        return child

    def release(self) -> None:
        """Let go of what only the expansion needs (declarations, instances, the template)
        once the resources and outputs are out: a check runs with the cyclic collector paused,
        and the cycles through this deployment's scope would keep every module's JSON to the
        end (the 1,000-spoke ARM check peaked at 792 MB with them, 576 MB without)."""
        for declaration in self.declarations:
            declaration.instances = []  # an instance and its declaration refer to each other
        self.declarations = []
        self._index = {}
        self.template = {}
        scope = self.scope
        scope.template = {}
        scope.parameter_resolver = scope.variable_resolver = None
        scope.reference_resolver = scope.references_resolver = None

    # -- errors --------------------------------------------------------------------------------

    def fail(self, message: str, pointer: str, expression: str = "") -> TemplateError:
        return TemplateError(message, self.file, pointer, expression)

    def evaluate(self, value: Any, pointer: str, scope: Scope | None = None) -> Any:
        try:
            return evaluate_value(value, scope or self.scope)
        except ExpressionError as error:
            raise self.fail(error.message, pointer, error.expression) from None

    # -- parameters, variables, functions ------------------------------------------------------

    def _parameter(self, name: str) -> Any:
        name = next((k for k in self._declared if k.lower() == name.lower()), name)
        if name in self.scope.parameters:
            return self.scope.parameters[name]
        if name not in self._declared:
            raise ExpressionError(f"the template has no parameter {name!r}")
        pointer = f"{self.pointer}/parameters/{pointer_segment(name)}"
        if name in self._parameters_in_progress:
            raise self.fail(f"parameter {name!r} refers to itself in its default", pointer)
        declared = self._declared.get(name)
        if not isinstance(declared, dict):
            raise self.fail(f"parameter {name!r} must be an object with a type", pointer)
        declared = self._resolve_type(declared)
        supplied = next((v for k, v in self._supplied.items() if k.lower() == name.lower()), None)
        if isinstance(supplied, CommandLineValue):
            supplied = supplied.typed(str(declared.get("type", "")).lower())
        if supplied is not None:
            value = supplied
        elif "defaultValue" in declared:
            self._parameters_in_progress.append(name)
            try:
                value = self.evaluate(declared["defaultValue"], f"{pointer}/defaultValue")
            finally:
                self._parameters_in_progress.remove(name)
        elif declared.get("nullable") is True:
            value = None  # a Bicep `param x string?`: null when not given
        else:
            value = self._assume(name, declared, pointer)
        if not isinstance(value, Unknown) and value is not None:
            problem = parameter_problem(declared, value)
            if problem is not None:
                # a warning, not a stop: the analysis still shows what the value would build
                source = "given" if supplied is not None else "default"
                message = f"parameter {name!r}: the {source} value {problem}"
                if all(message != known for known, _, _ in self.engine.problems):
                    # once: a nested deployment passing the value on repeats the same problem
                    self.engine.problems.append((message, self.file, pointer))
        self.scope.parameters[name] = value
        return value

    def _resolve_type(self, declared: dict[str, Any]) -> dict[str, Any]:
        """The declaration with its user-defined type (``$ref`` into ``definitions``, Bicep's
        ``type`` statements in languageVersion 2.0) folded in, for the type checks."""
        definitions = self.template.get("definitions") or {}
        for _ in range(_MAX_NESTING):
            reference = declared.get("$ref")
            if not isinstance(reference, str) or not isinstance(definitions, dict):
                break
            target = definitions.get(reference.rsplit("/", 1)[-1])
            if not isinstance(target, dict):
                break
            declared = {**target, **{k: v for k, v in declared.items() if k != "$ref"}}
        return declared

    def _assume(self, name: str, declared: dict[str, Any], pointer: str) -> Any:
        """A placeholder for a parameter Azure would ask for. A string becomes its own name (so
        the names built from it stay readable and valid); secure values, numbers, flags, arrays
        and objects stay unknown, so nothing guessed reaches a verdict."""
        kind = str(declared.get("type", "")).lower()
        allowed = declared.get("allowedValues")
        value: Any
        if kind.startswith("secure"):
            value = Unknown(f"secure parameter {name!r} has no value")
        elif isinstance(allowed, list) and allowed and kind != "array":
            value = allowed[0]
        elif kind == "string":
            value = re.sub(r"[^a-z0-9]", "", name.lower()) or "x"
            low, high = declared.get("minLength"), declared.get("maxLength")
            if isinstance(high, int) and high > 0:
                value = value[:high]
            if isinstance(low, int) and len(value) < low:
                value = value.ljust(low, "x")
        else:
            value = Unknown(f"parameter {name!r} has no value and no default")
        if not any(a.file == self.file and a.pointer == pointer for a in self.engine.assumed):
            self.engine.assumed.append(
                AssumedParameter(name, self.file, pointer, value, kind.startswith("secure"))
            )
        return value

    def _variable(self, name: str) -> Any:
        variables = self.template.get("variables") or {}
        key = next((k for k in variables if k.lower() == name.lower()), None)
        if key is None:
            looped = self._variable_loop(name)
            if looped is not None:
                return looped
            raise ExpressionError(f"the template has no variable {name!r}")
        pointer = f"{self.pointer}/variables/{pointer_segment(key)}"
        if key in self._evaluating_variables:
            chain = " -> ".join([*self._evaluating_variables, key])
            raise self.fail(f"variables refer to each other in a cycle: {chain}", pointer)
        self._evaluating_variables.append(key)
        try:
            value = self._expand_property_copies(variables[key], pointer, self.scope)
            value = self.evaluate(value, pointer)
        finally:
            self._evaluating_variables.remove(key)
        self._variables[key] = value
        return value

    def _variable_loop(self, name: str) -> Any:
        """``variables.copy``: a variable built by a loop."""
        loops = (self.template.get("variables") or {}).get("copy") or []
        for position, loop in enumerate(loops if isinstance(loops, list) else []):
            if isinstance(loop, dict) and str(loop.get("name", "")).lower() == name.lower():
                pointer = f"{self.pointer}/variables/copy/{position}"
                value = self._loop_values(loop, pointer, self.scope)
                self._variables[str(loop["name"])] = value
                return value
        return None

    def _functions(self) -> dict[str, UserFunction]:
        found: dict[str, UserFunction] = {}
        for group in self.template.get("functions") or []:
            namespace = str(group.get("namespace", ""))
            for name, member in (group.get("members") or {}).items():
                parameters = tuple(str(p.get("name")) for p in member.get("parameters") or [])
                output = (member.get("output") or {}).get("value")
                found[f"{namespace}.{name}".lower()] = UserFunction(parameters, output)
        return found

    # -- copy loops -------------------------------------------------------------------------

    def _count(self, loop: dict[str, Any], pointer: str, scope: Scope) -> int:
        count = self._count_or_unknown(loop, pointer, scope)
        if isinstance(count, Unknown):
            raise self.fail(
                f"a copy count must be known before deployment: {count.reason}", f"{pointer}/count"
            )
        return count

    def _count_or_unknown(self, loop: dict[str, Any], pointer: str, scope: Scope) -> int | Unknown:
        count = self.evaluate(loop.get("count"), f"{pointer}/count", scope)
        if isinstance(count, Unknown):
            return count
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= _MAX_COPY:
            raise self.fail(
                f"a copy count must be an integer 0..{_MAX_COPY}, not {count!r}", f"{pointer}/count"
            )
        return count

    def _loop_values(self, loop: dict[str, Any], pointer: str, scope: Scope) -> list[Any]:
        name = str(loop.get("name", ""))
        values = []
        for index in range(self._count(loop, pointer, scope)):
            inner = scope.child(copy_indexes={**scope.copy_indexes, "": index, name: index})
            item = self._expand_property_copies(loop.get("input"), f"{pointer}/input", inner)
            values.append(self.evaluate(item, f"{pointer}/input", inner))
        return values

    def _expand_property_copies(self, value: Any, pointer: str, scope: Scope) -> Any:
        """Objects with a ``copy`` array of ``{name, count, input}`` get those properties.
        A value without such an object is returned as it is (most are: the walk writes no
        pointers and builds no copies for them)."""
        if isinstance(value, list):
            items: list[Any] | None = None
            for index, item in enumerate(value):
                if not isinstance(item, (dict, list)):
                    continue
                expanded = self._expand_property_copies(item, f"{pointer}/{index}", scope)
                if expanded is not item:
                    items = items or list(value)
                    items[index] = expanded
            return value if items is None else items
        if not isinstance(value, dict):
            return value
        result: dict[str, Any] | None = None
        for key, item in value.items():
            if (
                key == "copy"
                and isinstance(item, list)
                and all(isinstance(loop, dict) and "input" in loop for loop in item)
            ):
                result = result if result is not None else _until(value, key)
                for position, loop in enumerate(item):
                    result[str(loop.get("name"))] = self._loop_values(
                        loop, f"{pointer}/copy/{position}", scope
                    )
                continue
            expanded = (
                self._expand_property_copies(item, f"{pointer}/{pointer_segment(key)}", scope)
                if isinstance(item, (dict, list))
                else item
            )
            if result is not None:
                result[key] = expanded
            elif expanded is not item:
                result = _until(value, key)
                result[key] = expanded
        return value if result is None else result

    # -- resources ------------------------------------------------------------------------------

    def declare(self) -> None:
        resources = self.template.get("resources", [])
        if isinstance(resources, dict):
            for symbol, raw in resources.items():
                self._declare(
                    raw, f"{self.pointer}/resources/{pointer_segment(symbol)}", symbol, "", ""
                )
        elif isinstance(resources, list):
            for position, raw in enumerate(resources):
                self._declare(raw, f"{self.pointer}/resources/{position}", None, "", "")
        else:
            raise self.fail(
                "resources must be an array (or an object with languageVersion 2.0)",
                f"{self.pointer}/resources",
            )

    def _declare(
        self, raw: Any, pointer: str, symbol: str | None, parent_type: str, parent_name: str
    ) -> None:
        if not isinstance(raw, dict):
            raise self.fail("a resource must be an object", pointer)
        if "type" not in raw:
            raise self.fail("the resource has no type", pointer)
        if "name" not in raw and not _extension_alias(raw):
            # resources of Bicep extensions (Microsoft Graph, Kubernetes) may have no ARM name
            raise self.fail("the resource has no name", pointer)
        depends = raw.get("dependsOn")
        if depends is not None and not isinstance(depends, list):
            # the template language requires an array; Azure refuses the template otherwise
            raise self.fail("dependsOn must be an array of resource names or IDs", pointer)
        declaration = _Declaration(raw, pointer, symbol, parent_type, parent_name)
        self.declarations.append(declaration)

    def instances(self, declaration: _Declaration) -> list[_Instance]:
        """The copies of a declaration that its condition keeps, with type, name and id."""
        if declaration.expanded:
            return declaration.instances
        declaration.expanded = True
        raw = declaration.raw
        loop = raw.get("copy")
        indexes: list[int | None]
        if isinstance(loop, dict):
            count = self._count_or_unknown(loop, f"{declaration.pointer}/copy", self.scope)
            if isinstance(count, Unknown):
                # Azure counts when the (inner) deployment starts; offline the copies cannot be
                # enumerated, so they are reported as not expanded instead of stopping the check.
                kind = self.evaluate(raw["type"], f"{declaration.pointer}/type")
                self.engine.unexpanded.append(
                    UnexpandedResource(
                        kind if isinstance(kind, str) else "?",
                        self.file,
                        declaration.pointer,
                        f"its copy count is known only when the deployment runs ({count.reason})",
                    )
                )
                count = 0
            indexes = list(range(count))
        else:
            indexes = [None]
        for index in indexes:
            scope = self.scope
            if index is not None:
                name = str(loop.get("name", "")) if isinstance(loop, dict) else ""
                scope = scope.child(copy_indexes={**scope.copy_indexes, "": index, name: index})
            if "condition" in raw:
                condition = self.evaluate(
                    raw["condition"], f"{declaration.pointer}/condition", scope
                )
                if isinstance(condition, Unknown):
                    self.engine.notice(
                        f"{self.file}#{declaration.pointer}: condition unknown before deployment "
                        f"({condition.reason}); the resource is assumed deployed"
                    )
                elif condition is not True:
                    continue
            instance = _Instance(declaration, index, scope)
            self._identify(instance)
            declaration.instances.append(instance)
            keys = [instance.id.lower(), instance.name.lower()]
            if declaration.symbol and index in (None, 0):
                keys.insert(0, declaration.symbol.lower())
            for key in keys:
                self._index.setdefault(key, instance)
        return declaration.instances

    def _identify(self, instance: _Instance) -> None:
        declaration = instance.declaration
        raw = declaration.raw
        pointer = declaration.pointer
        resource_type = self.evaluate(raw["type"], f"{pointer}/type", instance.scope)
        if isinstance(resource_type, Unknown):
            raise self.fail("a resource type must be known before deployment", f"{pointer}/type")
        if not isinstance(resource_type, str) or not resource_type.strip("/"):
            raise self.fail("a resource type must be a string", f"{pointer}/type")
        is_child = bool(declaration.parent_type) and "/" not in resource_type
        alias = _extension_alias(raw)
        if alias:
            # Bicep extension resources: ``Microsoft.Graph/groups@v1.0``, ``apps/Deployment@v1``.
            resource_type = resource_type.split("@", 1)[0]
        name = (
            self.evaluate(raw["name"], f"{pointer}/name", instance.scope)
            if "name" in raw
            else Unknown(f"a {alias} extension resource has no ARM name")
        )
        if is_child:
            # a child declared inside its parent: type and name are single segments
            resource_type = f"{declaration.parent_type}/{resource_type}"
            if not isinstance(name, Unknown):
                name = f"{declaration.parent_name}/{name}"
        segments = max(resource_type.strip("/").count("/"), 1)
        if isinstance(name, Unknown):
            # Azure evaluates it when the (inner) deployment starts: a module output, a
            # reference() or a principal ID. The resource is kept under a placeholder name.
            instance.assumed_name = name.reason
            self.engine.placeholders += 1
            placeholder = f"{UNKNOWN_NAME_PREFIX}{self.engine.placeholders}"
            names = [placeholder] * segments
            if is_child:
                names[:-1] = declaration.parent_name.split("/")[: segments - 1]
            name = "/".join(names)
        if not isinstance(name, str):
            raise self.fail("a resource name must be a string", f"{pointer}/name")
        instance.type = resource_type
        instance.name = name
        instance.id = self._resource_id(raw, resource_type, name, instance.scope, pointer)

    def _resource_id(
        self, raw: dict[str, Any], resource_type: str, name: str, scope: Scope, pointer: str
    ) -> str:
        namespace, *types = resource_type.split("/")
        names = name.split("/")
        if len(types) != len(names):
            raise self.fail(
                f"the name {name!r} has {len(names)} segment(s) but the type {resource_type} "
                f"needs {len(types)}",
                f"{pointer}/name",
            )
        tail = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
        provider = f"/providers/{namespace}/{tail}"
        group_id = self._group_id(raw, scope, pointer)
        if "scope" in raw:
            base = self.evaluate(raw["scope"], f"{pointer}/scope", scope)
            if isinstance(base, Unknown):
                # known when the deployment runs; the resource is kept in the deployment's scope
                self.engine.notice(
                    f"{self.file}#{pointer}/scope: the scope is known only when the deployment "
                    f"runs ({base.reason}); the resource is placed in the deployment's scope"
                )
                return group_id + provider
            if not isinstance(base, str):
                raise self.fail(f"the resource scope must be a string, not {base!r}", pointer)
            if base.startswith("/"):
                return base.rstrip("/") + provider
            symbolic = self._instance_by_reference(base)
            if symbolic is not None:
                return symbolic.id + provider
            relative = _relative_scope(base)
            if relative is not None:
                # Bicep writes `scope: someResource` as 'Microsoft.X/type/name', a resource of
                # the deployment's own scope (MS Learn: scope on extension resources)
                if relative.lower().startswith("microsoft.management/managementgroups/"):
                    return f"/providers/{relative}{provider}"
                return f"{group_id}/providers/{relative}{provider}"
            raise self.fail(f"cannot resolve the resource scope {base!r}", f"{pointer}/scope")
        return group_id + provider

    def _group_id(self, raw: dict[str, Any], scope: Scope, pointer: str) -> str:
        """The subscription or resource group a resource is deployed to."""
        subscription = self.target.subscription_id
        group = self.target.resource_group
        if "subscriptionId" in raw:
            value = self.evaluate(raw["subscriptionId"], f"{pointer}/subscriptionId", scope)
            subscription = value if isinstance(value, str) else subscription
        if "resourceGroup" in raw:
            value = self.evaluate(raw["resourceGroup"], f"{pointer}/resourceGroup", scope)
            group = value if isinstance(value, str) else group
        if group is None:
            return f"/subscriptions/{subscription}"
        return f"/subscriptions/{subscription}/resourceGroups/{group}"

    def all_instances(self) -> Iterator[_Instance]:
        position = 0
        while position < len(self.declarations):  # nested children are appended as found
            declaration = self.declarations[position]
            position += 1
            yield from self.instances(declaration)

    def evaluate_instance(self, instance: _Instance) -> None:
        if instance.body is not None:
            return
        declaration = instance.declaration
        if instance.evaluating:
            raise self.fail(
                f"{instance.name} depends on itself through reference()", declaration.pointer
            )
        instance.evaluating = True
        try:
            body: dict[str, Any] = {}
            for key, value in declaration.raw.items():
                if key in (
                    "copy",
                    "condition",
                    "dependsOn",
                    "resources",
                    "existing",
                    "comments",
                    "metadata",
                ):
                    continue
                if key == "properties" and instance.type.lower() == DEPLOYMENTS:
                    continue
                if key in ("type", "name"):
                    body[key] = None  # evaluated when identified (below: in its place)
                    continue
                pointer = f"{declaration.pointer}/{pointer_segment(key)}"
                expanded = self._expand_property_copies(value, pointer, instance.scope)
                body[key] = self.evaluate(expanded, pointer, instance.scope)
            body["type"], body["name"], body["id"] = instance.type, instance.name, instance.id
            instance.body = body
            if instance.type.lower() == DEPLOYMENTS and not declaration.existing:
                instance.outputs = self.engine.nested(self, instance)
            for position, child in enumerate(declaration.raw.get("resources") or []):
                self._declare(
                    child,
                    f"{declaration.pointer}/resources/{position}",
                    None,
                    instance.type,
                    instance.name,
                )
        finally:
            instance.evaluating = False

    # -- reference() ----------------------------------------------------------------------------

    def _instance_by_reference(self, target: str) -> _Instance | None:
        """A resource of this template by symbolic name, resource ID or name."""
        lowered = target.lower()
        found = self._index.get(lowered)
        if found is None:
            for declaration in self.declarations:  # identify what is not yet identified
                self.instances(declaration)
            found = self._index.get(lowered)
        return found

    def _reference(self, target: Any, api_version: Any, full: bool) -> Any:
        if isinstance(target, Unknown):
            return target
        if not isinstance(target, str):
            raise ExpressionError("reference(): the target must be a resource ID or name")
        instance = self._instance_by_reference(target)
        if instance is None:
            return Unknown(f"reference({target!r}): a resource outside the template")
        if instance.declaration.existing:
            return RuntimeObject({"id": instance.id}) if full else RuntimeObject()
        self.evaluate_instance(instance)
        assert instance.body is not None
        if instance.type.lower() == DEPLOYMENTS:
            properties = RuntimeObject({"outputs": instance.outputs or {}})
            return (
                RuntimeObject({**instance.body, "properties": properties}) if full else properties
            )
        properties = _runtime(self._with_dedicated_address(instance))
        if full:
            return _runtime({**instance.body, "properties": properties})
        return properties

    def _with_dedicated_address(self, instance: _Instance) -> Any:
        """The properties of ``instance``, with the private IP of a firewall or a resolver
        inbound endpoint left to Azure given as Azure gives it: such a resource owns its subnet,
        so it gets the subnet's first assignable address (what spokes' DNS servers and routes
        refer to). Reported among the assumed values by the importer (the firewall's IP is
        marked heiki-assumed in the model the same way)."""
        assert instance.body is not None
        properties = instance.body.get("properties", {})
        reserved = self.engine.reserved_leading
        kind = instance.type.lower()
        if reserved is None or not isinstance(properties, dict):
            return properties
        if kind == "microsoft.network/azurefirewalls":
            address_key, nested = "privateIPAddress", True
        elif kind == "microsoft.network/dnsresolvers/inboundendpoints":
            address_key, nested = "privateIpAddress", False
        else:
            return properties
        configs = properties.get("ipConfigurations")
        if not isinstance(configs, list):
            return properties
        filled = []
        for config in configs:
            inner = config.get("properties") if nested and isinstance(config, dict) else config
            if isinstance(inner, dict) and not isinstance(inner.get(address_key), str):
                subnet = inner.get("subnet")
                prefix = self._subnet_prefix(subnet.get("id") if isinstance(subnet, dict) else None)
                first = first_assignable(prefix, reserved) if prefix is not None else None
                if first is not None:
                    address = str(first)
                    self.engine.notice(
                        f"{instance.name}: private IP left to Azure; reference() to it gives "
                        f"{address}, the first assignable address of its subnet ({ASSUMED_TAG})"
                    )
                    inner = {**inner, address_key: address}
                    config = {**config, "properties": inner} if nested else inner
            filled.append(config)
        return {**properties, "ipConfigurations": filled}

    def _subnet_prefix(self, subnet_id: Any) -> Prefix | None:
        """The IPv4 prefix of a subnet this template declares (as a child or inline)."""
        if not isinstance(subnet_id, str) or "/subnets/" not in subnet_id.lower():
            return None
        head, _, name = subnet_id.rpartition("/")
        candidates: list[Any] = []
        subnet = self._instance_by_reference(subnet_id)
        if subnet is not None:
            if subnet.evaluating:  # the subnet refers to the firewall: no address to give
                return None
            self.evaluate_instance(subnet)
            candidates.append((subnet.body or {}).get("properties"))
        else:
            vnet = self._instance_by_reference(head.rpartition("/")[0])
            if vnet is None or vnet.evaluating:
                return None
            self.evaluate_instance(vnet)
            vnet_props = (vnet.body or {}).get("properties")
            for inline in (
                (vnet_props or {}).get("subnets") or [] if isinstance(vnet_props, dict) else []
            ):
                if isinstance(inline, dict) and str(inline.get("name", "")).lower() == name.lower():
                    candidates.append(inline.get("properties"))
        for props in candidates:
            if isinstance(props, dict):
                found = first_ipv4_prefix(
                    props.get("addressPrefixes") or props.get("addressPrefix")
                )
                if found is not None:
                    return found
        return None

    def _references(self, name: str, full: bool) -> Any:
        for declaration in self.declarations:
            if declaration.symbol and declaration.symbol.lower() == name.lower():
                return [
                    self._reference(instance.id, None, full)
                    for instance in self.instances(declaration)
                ]
        raise ExpressionError(f"references({name!r}): no resource collection of that name")

    def outputs(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, output in (self.template.get("outputs") or {}).items():
            pointer = f"{self.pointer}/outputs/{pointer_segment(name)}"
            if not isinstance(output, dict):
                raise self.fail("an output must be an object", pointer)
            if (
                "condition" in output
                and self.evaluate(output["condition"], f"{pointer}/condition") is False
            ):
                continue
            if isinstance(output.get("copy"), dict):
                value: Any = self._loop_values(output["copy"], f"{pointer}/copy", self.scope)
            else:
                value = self.evaluate(
                    self._expand_property_copies(output.get("value"), pointer, self.scope),
                    f"{pointer}/value",
                )
            result[name] = {"type": output.get("type", "object"), "value": value}
        return result


class _Engine:
    def __init__(self, loader: Callable[[Path], Any] | None) -> None:
        self.resources: list[ExpandedResource] = []
        self.notices: list[str] = []
        self.problems: list[tuple[str, str, str]] = []
        self.assumed: list[AssumedParameter] = []
        self.unexpanded: list[UnexpandedResource] = []
        self.placeholders = 0
        self.loader = loader
        self.reserved_leading: int | None = None

    def notice(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)

    def run(self, deployment: _Deployment) -> dict[str, Any]:
        deployment.declare()
        for instance in deployment.all_instances():
            deployment.evaluate_instance(instance)
            if instance.declaration.existing or instance.body is None:
                continue
            if instance.type.lower() == DEPLOYMENTS:
                continue  # its resources were added by nested()
            raw = instance.declaration.raw
            api = raw.get("apiVersion", "")
            self.resources.append(
                ExpandedResource(
                    instance.id,
                    instance.type,
                    instance.name,
                    api if isinstance(api, str) else "",
                    instance.body,
                    deployment.file,
                    instance.declaration.pointer
                    + (f"[{instance.index}]" if instance.index is not None else ""),
                    instance.declaration.symbol,
                    instance.assumed_name,
                )
            )
        return deployment.outputs()

    def nested(self, parent: _Deployment, instance: _Instance) -> dict[str, Any]:
        raw = instance.declaration.raw
        pointer = instance.declaration.pointer
        if parent.depth >= _MAX_NESTING:
            raise parent.fail("nested deployments are nested too deeply", pointer)
        properties = raw.get("properties") or {}
        file = parent.file
        template = properties.get("template")
        template_pointer = f"{pointer}/properties/template"
        link = properties.get("templateLink")
        if template is None and isinstance(link, dict):
            relative = link.get("relativePath")
            if isinstance(relative, str) and self.loader is not None and parent.file:
                path = Path(parent.file).parent / relative
                try:
                    template = self.loader(path)
                except LinkRefused as refused:
                    raise parent.fail(
                        str(refused), f"{pointer}/properties/templateLink/relativePath"
                    ) from None
                file, template_pointer = str(path), ""
            else:
                where = link.get("uri") or link.get("id") or relative
                self.notice(
                    f"{parent.file}#{pointer}: linked template {where!r} is not available "
                    "offline; its resources are unknown"
                )
                return {}
        if not isinstance(template, dict):
            raise parent.fail("a nested deployment needs properties.template", pointer)
        options = properties.get("expressionEvaluationOptions") or {}
        # a linked template always has its own scope (parameters in, outputs out); the option
        # chooses only for an inline one
        inner = file != parent.file or str(options.get("scope", "outer")).lower() == "inner"
        target = _Target(parent.target.subscription_id, parent.target.resource_group)
        for key, field_name in (
            ("subscriptionId", "subscription_id"),
            ("resourceGroup", "resource_group"),
        ):
            if key in raw:
                value = parent.evaluate(raw[key], f"{pointer}/{key}", instance.scope)
                if isinstance(value, str):
                    setattr(target, field_name, value)
        if "scope" in raw:
            # `scope: managementGroup(...)` / `tenant()` on a module: no resource group below it
            base = parent.evaluate(raw["scope"], f"{pointer}/scope", instance.scope)
            if isinstance(base, str) and (
                base.strip("/") == "" or "microsoft.management/managementgroups" in base.lower()
            ):
                target.resource_group = None
        if inner:
            supplied: dict[str, Any] = {}
            given_parameters = properties.get("parameters") or {}
            if isinstance(given_parameters, str):
                # the whole object as one expression
                given_parameters = parent.evaluate(
                    given_parameters, f"{pointer}/properties/parameters", instance.scope
                )
            if not isinstance(given_parameters, dict):
                raise parent.fail(
                    "the parameters of a nested deployment must be an object",
                    f"{pointer}/properties/parameters",
                )
            for name, given in given_parameters.items():
                where = f"{pointer}/properties/parameters/{pointer_segment(name)}"
                if isinstance(given, str):
                    # Bicep 0.3x: `"p": "[if(c, createObject('value', a), createObject(...))]"`
                    given = parent.evaluate(
                        parent._expand_property_copies(given, where, instance.scope),
                        where,
                        instance.scope,
                    )
                    if isinstance(given, Unknown):
                        supplied[name] = given
                        continue
                    if isinstance(given, dict) and "value" in given:
                        supplied[name] = given["value"]
                        continue
                if isinstance(given, dict) and "value" in given:
                    supplied[name] = parent.evaluate(
                        parent._expand_property_copies(given["value"], where, instance.scope),
                        f"{where}/value",
                        instance.scope,
                    )
                elif isinstance(given, dict) and "reference" in given:
                    supplied[name] = Unknown(f"parameter {name!r} is a Key Vault reference")
            scope = Scope(
                subscription_id=target.subscription_id,
                tenant_id=parent.scope.tenant_id,
                resource_group_name=target.resource_group or parent.scope.resource_group_name,
                location=parent.scope.location,
                deployment_name=instance.name,
                environment=parent.scope.environment,
            )
            child = _Deployment(
                self, template, file, template_pointer, supplied, scope, target, parent.depth + 1
            )
        else:
            child = parent.outer_child(template, file, template_pointer, target)
        outputs = self.run(child)
        child.release()
        return outputs


_PARAMETER_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "securestring": (str,),
    "int": (int,),
    "bool": (bool,),
    "object": (dict,),
    "secureobject": (dict,),
    "array": (list,),
}


def _same(a: Any, b: Any) -> bool:
    # decision arm-allowed-values-case: strings compare case-insensitively
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    return bool(a == b) and type(a) is type(b)


def parameter_problem(declared: dict[str, Any], value: Any) -> str | None:
    """Why Azure's deployment validation would reject ``value`` for a parameter declared as
    ``declared`` (type, allowedValues, minValue/maxValue, minLength/maxLength), or None."""
    kind = str(declared.get("type", "")).lower()
    expected = _PARAMETER_TYPES.get(kind)
    if expected is not None and (
        not isinstance(value, expected) or (kind == "int" and isinstance(value, bool))
    ):
        return f"{json.dumps(value)} is not of type {declared['type']}"
    allowed = declared.get("allowedValues")
    if isinstance(allowed, list) and allowed:
        items = value if kind == "array" and isinstance(value, list) else [value]
        for item in items:
            if not any(_same(item, a) for a in allowed):
                return f"{json.dumps(item)} is not one of the allowed values {json.dumps(allowed)}"
    if kind == "int" and isinstance(value, int):
        low, high = declared.get("minValue"), declared.get("maxValue")
        if isinstance(low, int) and value < low:
            return f"{value} is below minValue {low}"
        if isinstance(high, int) and value > high:
            return f"{value} is above maxValue {high}"
    if isinstance(value, (str, list)):
        low, high = declared.get("minLength"), declared.get("maxLength")
        if isinstance(low, int) and len(value) < low:
            return f"has length {len(value)}, below minLength {low}"
        if isinstance(high, int) and len(value) > high:
            return f"has length {len(value)}, above maxLength {high}"
    return None


def parameter_values(document: Any, file: str) -> dict[str, Any]:
    """A parameter file (``{"parameters": {"p": {"value": ...}}}``) as plain values."""
    if not isinstance(document, dict):
        raise TemplateError("a parameter file must be a JSON object", file, "")
    entries = document.get("parameters", document)
    if not isinstance(entries, dict):
        raise TemplateError("parameters must be an object", file, "/parameters")
    values: dict[str, Any] = {}
    for name, entry in entries.items():
        if name.startswith("$") or name == "contentVersion":
            continue
        if isinstance(entry, dict) and "value" in entry:
            values[name] = entry["value"]
        elif isinstance(entry, dict) and "reference" in entry:
            values[name] = Unknown(f"parameter {name!r} is a Key Vault reference")
        else:
            raise TemplateError(
                f"parameter {name!r} needs a value (or a Key Vault reference)",
                file,
                f"/parameters/{pointer_segment(name)}",
            )
    return values


def expand_template(
    template: Any,
    file: str = "template.json",
    parameters: dict[str, Any] | None = None,
    scope: Scope | None = None,
    loader: Callable[[Path], Any] | None = None,
    reserved_leading: int | None = None,
) -> Expansion:
    """Expand a deployment template (already parsed from JSON). With ``reserved_leading`` (the
    addresses Azure reserves at the start of a subnet), ``reference()`` gives a firewall and a
    resolver inbound endpoint the private IP Azure gives them when the template leaves it open."""
    if not isinstance(template, dict):
        raise TemplateError("a template must be a JSON object", file, "")
    if "resources" not in template:
        raise TemplateError("not a deployment template: no resources", file, "")
    for section, kind in (
        ("parameters", dict),
        ("variables", dict),
        ("outputs", dict),
        ("functions", list),
    ):
        if section in template and not isinstance(template[section], kind):
            raise TemplateError(
                f"{section} must be {'an object' if kind is dict else 'an array'}",
                file,
                f"/{section}",
            )
    scope = scope or Scope()
    schema = str(template.get("$schema", "")).lower()
    group: str | None = scope.resource_group_name
    if (
        "subscriptiondeploymenttemplate" in schema
        or "tenantdeploymenttemplate" in schema
        or ("managementgroupdeploymenttemplate" in schema)
    ):
        group = None
    engine = _Engine(loader)
    engine.reserved_leading = reserved_leading
    root = _Deployment(
        engine,
        template,
        file,
        "",
        parameters or {},
        scope,
        _Target(scope.subscription_id, group),
        0,
    )
    outputs = engine.run(root)
    root.release()
    unknowns = tuple(
        UnknownValue(resource.file, f"{resource.pointer}{path}", unknown.reason)
        for resource in engine.resources
        for path, unknown in _unknowns(resource.body, "")
    )
    return Expansion(
        tuple(engine.resources),
        outputs,
        unknowns,
        tuple(engine.notices),
        tuple(engine.problems),
        tuple(engine.assumed),
        tuple(engine.unexpanded),
    )


def _until(value: dict[str, Any], stop: str) -> dict[str, Any]:
    """The members of ``value`` before the key ``stop``."""
    result: dict[str, Any] = {}
    for key, item in value.items():
        if key == stop:
            break
        result[key] = item
    return result


def _unknowns(value: Any, path: str) -> Iterator[tuple[str, Unknown]]:
    # a path is written only for what may hold an unknown (a body is mostly plain text)
    if isinstance(value, Unknown):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, _MAY_HOLD_UNKNOWN):
                yield from _unknowns(item, f"{path}/{pointer_segment(str(key))}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, _MAY_HOLD_UNKNOWN):
                yield from _unknowns(item, f"{path}/{index}")


_MAY_HOLD_UNKNOWN = (Unknown, dict, list)


__all__ = [
    "AssumedParameter",
    "CommandLineValue",
    "ExpandedResource",
    "Expansion",
    "RuntimeObject",
    "TemplateError",
    "UnexpandedResource",
    "UnknownValue",
    "expand_template",
    "parameter_values",
]
