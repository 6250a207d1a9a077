"""A Terraform root module evaluated as ``terraform plan`` would, without a binary or credentials.

Variables take, in Terraform's order, their default, ``terraform.tfvars``, ``*.auto.tfvars``
(alphabetical), ``--var-file`` files and ``--var NAME=VALUE``; locals and resource attributes are
evaluated lazily when referenced (cycles are errors); ``count`` and ``for_each`` expand instances
with ``count.index`` / ``each.key`` / ``each.value``; ``dynamic`` blocks expand their content.
Attributes Azure computes (IDs) come from the azurerm mapping; the rest of what is known after
apply stays unknown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heiki.inputs import read_input_text
from heiki.sources.arm.expressions.unknown import PartialObject, Unknown
from heiki.sources.terraform.computed import COMPUTED
from heiki.sources.terraform.evaluate import Context, Evaluator, TfEvalError, to_string
from heiki.sources.terraform.functions import FUNCTIONS, LAZY
from heiki.sources.terraform.syntax import (
    Attribute,
    Block,
    Body,
    Expr,
    Variable,
    Where,
    parse_file,
    parse_text,
)

_META_ATTRIBUTES = ("count", "for_each", "depends_on", "provider", "lifecycle")
MAX_INSTANCES = 100_000
"""Instances of one block (``count``): far above any estate, far below the machine's memory
(``for_each`` is bounded by the collection budget of the evaluator)."""


@dataclass
class TfResource:
    """One instance of a resource or data block, with its attributes evaluated."""

    mode: str
    """``managed`` or ``data``."""
    type: str
    name: str
    key: int | str | None
    attributes: dict[str, Any]
    where: Where
    module: str = ""
    """``module.net.`` for a resource of a child module; empty in the root module."""

    @property
    def address(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        suffix = f"[{json.dumps(self.key)}]" if self.key is not None else ""
        return f"{self.module}{prefix}{self.type}.{self.name}{suffix}"


@dataclass
class AssumedVariable:
    """A variable without a value that heiki assumed one for, and where it is declared."""

    name: str
    where: Where
    value: Any


@dataclass
class _Declaration:
    """A resource block with its instances (``count``/``for_each``)."""

    block: Block
    instances: list[TfResource] | None = None
    evaluating: bool = False


@dataclass
class ModuleResult:
    """A module's evaluated resources, assumed variables and notices."""

    resources: list[TfResource]
    assumed: list[AssumedVariable]
    notices: list[tuple[str, Where]] = field(default_factory=list)


Identify = Callable[[TfResource], dict[str, Any]]
"""Computed attributes of a resource instance (``id`` from the azurerm mapping)."""


class TerraformModule:
    def __init__(
        self,
        folder: Path,
        variables: dict[str, Any],
        identify: Identify,
        subscription_id: str,
        path: tuple[str, ...] = (),
        root: Path | None = None,
        allowed: Sequence[Path] = (),
    ) -> None:
        self.folder = folder
        self.identify = identify
        self.subscription_id = subscription_id
        self.path = path
        """Module call names from the root (``("net", "subnets")``)."""
        self.root = root or folder
        self.allowed: tuple[Path, ...] = tuple(allowed) or source_boundary(self.root)
        """Folders module sources may come from: a configuration from a pull request must not
        make heiki read any folder the CI user can."""
        self.children: dict[str, list[tuple[int | str | None, TerraformModule]] | Unknown] = {}
        self.blocks: list[Block] = []
        for file in sorted(folder.glob("*.tf")):
            self.blocks += parse_file(file).blocks
        self.variables = {b.labels[0]: b for b in self.blocks if b.type == "variable" and b.labels}
        self.given = variables
        self.variable_values: dict[str, Any] = {}
        self.local_exprs: dict[str, Attribute] = {}
        for block in self.blocks:
            if block.type == "locals":
                self.local_exprs.update(block.attributes)
        self.local_values: dict[str, Any] = {}
        self.local_stack: list[str] = []
        self.declarations: dict[tuple[str, str, str], _Declaration] = {}
        for block in self.blocks:
            if block.type in ("resource", "data") and len(block.labels) == 2:
                mode = "managed" if block.type == "resource" else "data"
                self.declarations[(mode, *block.labels)] = _Declaration(block)
        self.assumed: list[AssumedVariable] = []
        self.notices: list[tuple[str, Where]] = []
        self.resource_types = {k[1] for k in self.declarations if k[0] == "managed"}
        self.context = Context(self.resolve, functions=FUNCTIONS, lazy=LAZY)

    # -- names ---------------------------------------------------------------------------------
    def resolve(self, name: str, where: Where) -> Any:
        if name == "var":
            return _Lazy(self.variable, where)
        if name == "local":
            return _Lazy(self.local, where)
        if name == "path":
            return {"module": ".", "root": ".", "cwd": "."}
        if name == "terraform":
            return {"workspace": "default"}
        if name == "data":
            return _Lazy(
                lambda t, w: _Lazy(lambda n, w2: self.instances_value("data", t, n, w2), w), where
            )
        if name == "module":
            return _Lazy(self.module_value, where)
        if name in self.resource_types or "_" in name:
            return _Lazy(lambda n, w: self.instances_value("managed", name, n, w), where)
        raise TfEvalError(f"unknown name {name!r}", where)

    def variable(self, name: str, where: Where) -> Any:
        if name in self.variable_values:
            return self.variable_values[name]
        block = self.variables.get(name)
        if block is None:
            raise TfEvalError(f"no variable {name!r} is declared", where)
        if name in self.given:
            value = self.given[name]
            if isinstance(value, _CommandLineText):
                value = _typed(value, block)
        elif "default" in block.attributes:
            value = Evaluator(Context(self._no_references)).evaluate(
                block.attributes["default"].value
            )
        else:
            value = self._assume(name, block)
        self.variable_values[name] = value
        return value

    def _assume(self, name: str, block: Block) -> Any:
        kind = _type_name(block)
        value: Any
        if kind == "string" and not _sensitive(block):
            value = re.sub(r"[^a-z0-9]", "", name.lower()) or "x"
        else:
            value = Unknown(f"variable {name!r} has no value")
        self.assumed.append(
            AssumedVariable(name, block.where, value if not _sensitive(block) else None)
        )
        return value

    @staticmethod
    def _no_references(name: str, where: Where) -> Any:
        raise TfEvalError("a variable default cannot refer to other values", where)

    def local(self, name: str, where: Where) -> Any:
        if name in self.local_values:
            return self.local_values[name]
        attribute = self.local_exprs.get(name)
        if attribute is None:
            raise TfEvalError(f"no local value {name!r}", where)
        if name in self.local_stack:
            raise TfEvalError(
                f"local values refer to each other: {' -> '.join([*self.local_stack, name])}", where
            )
        self.local_stack.append(name)
        try:
            value = Evaluator(self.context).evaluate(attribute.value)
        finally:
            self.local_stack.remove(name)
        self.local_values[name] = value
        return value

    # -- resources -----------------------------------------------------------------------------
    def instances_value(self, mode: str, kind: str, name: str, where: Where) -> Any:
        declaration = self.declarations.get((mode, kind, name))
        if declaration is None:
            if mode == "data":
                return PartialObject({"id": Unknown(f"data.{kind}.{name} is read at plan time")})
            raise TfEvalError(f"no resource {kind}.{name} is declared", where)
        instances = self.instances(declaration)
        if isinstance(instances, Unknown):
            return instances
        block = declaration.block
        objects = {i.key: _as_value(i) for i in instances}
        if "count" in block.attributes:
            return [objects[k] for k in sorted(objects, key=lambda k: int(k or 0))]
        if "for_each" in block.attributes:
            return {str(k): v for k, v in objects.items()}
        return objects.get(None, PartialObject({}))

    def instances(self, declaration: _Declaration) -> list[TfResource] | Unknown:
        if declaration.instances is not None:
            return declaration.instances
        block = declaration.block
        if declaration.evaluating:
            raise TfEvalError(f"{'.'.join(block.labels)} refers to itself", block.where)
        declaration.evaluating = True
        try:
            keys = self._keys(block)
            if isinstance(keys, Unknown):
                self.notices.append(
                    (
                        f"{'.'.join(block.labels)}: count / for_each is known only after apply "
                        f"({keys.reason}); its instances are not modelled",
                        block.where,
                    )
                )
                declaration.instances = []
                return keys
            mode = "managed" if block.type == "resource" else "data"
            result = []
            for key, bound in keys:
                evaluator = Evaluator(self.context.child(bound))
                attributes = self._evaluate_body(evaluator, block)
                resource = TfResource(
                    mode,
                    block.labels[0],
                    block.labels[1],
                    key,
                    attributes,
                    block.where,
                    "".join(f"module.{p}." for p in self.path),
                )
                resource.attributes.update(self.identify(resource))
                result.append(resource)
            declaration.instances = result
            return result
        finally:
            declaration.evaluating = False

    def _keys(self, block: Block) -> list[tuple[int | str | None, dict[str, Any]]] | Unknown:
        evaluator = Evaluator(self.context)
        if "count" in block.attributes:
            count = evaluator.evaluate(block.attributes["count"].value)
            if isinstance(count, Unknown):
                return count
            if isinstance(count, bool) or not isinstance(count, (int, float)) or count < 0:
                raise TfEvalError("count must be a whole number", block.attributes["count"].where)
            if count > MAX_INSTANCES:
                raise TfEvalError(
                    f"count {int(count)} is more than {MAX_INSTANCES} instances of one block",
                    block.attributes["count"].where,
                )
            return [(i, {"count": {"index": i}}) for i in range(int(count))]
        if "for_each" in block.attributes:
            collection = evaluator.evaluate(block.attributes["for_each"].value)
            if isinstance(collection, Unknown):
                return collection
            if isinstance(collection, dict):
                items = sorted(collection.items())
            elif isinstance(collection, list):
                items = [(to_string(v), v) for v in sorted(collection, key=str)]
            else:
                raise TfEvalError(
                    "for_each must be a map or a set", block.attributes["for_each"].where
                )
            return [(str(k), {"each": {"key": k, "value": v}}) for k, v in items]
        return [(None, {})]

    def _evaluate_body(self, evaluator: Evaluator, block: Block) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, attribute in block.attributes.items():
            if name in _META_ATTRIBUTES:
                continue
            values[name] = evaluator.evaluate(attribute.value)
        for nested in block.blocks:
            if nested.type in ("lifecycle", "provisioner", "connection", "timeouts"):
                continue
            if nested.type == "dynamic":
                expanded = self._dynamic(evaluator, nested)  # refuses a block without its label
                values.setdefault(nested.labels[0], []).extend(expanded)
                continue
            values.setdefault(nested.type, []).append(self._evaluate_body(evaluator, nested))
        return values

    def _dynamic(self, evaluator: Evaluator, block: Block) -> list[dict[str, Any]]:
        # what Terraform requires of a dynamic block: one label, for_each and a content block
        if len(block.labels) != 1 or "for_each" not in block.attributes:
            raise TfEvalError("a dynamic block needs one label and for_each", block.where)
        content = next((b for b in block.blocks if b.type == "content"), None)
        if content is None:
            raise TfEvalError("a dynamic block needs a content block", block.where)
        label = block.labels[0]
        iterator = label
        if "iterator" in block.attributes:
            node = block.attributes["iterator"].value
            iterator = node.name if isinstance(node, Variable) else label
        collection = evaluator.evaluate(block.attributes["for_each"].value)
        if isinstance(collection, Unknown):
            return []
        if isinstance(collection, dict):
            pairs: list[tuple[Any, Any]] = sorted(collection.items())
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            raise TfEvalError(
                "for_each of a dynamic block must be a map, list or set",
                block.attributes["for_each"].where,
            )
        return [
            self._evaluate_body(evaluator.with_locals({iterator: {"key": k, "value": v}}), content)
            for k, v in pairs
        ]

    # -- modules -------------------------------------------------------------------------------
    def module_value(self, name: str, where: Where) -> Any:
        """``module.<name>``: the outputs of the call (a list or map with count / for_each)."""
        block = next(
            (b for b in self.blocks if b.type == "module" and b.labels[:1] == (name,)), None
        )
        if block is None:
            raise TfEvalError(f"no module {name!r} is called", where)
        instances = self.module_instances(block)
        if isinstance(instances, Unknown):
            return instances
        outputs = {key: child.outputs() for key, child in instances}
        if "count" in block.attributes:
            return [outputs[k] for k in sorted(outputs, key=lambda k: int(k or 0))]
        if "for_each" in block.attributes:
            return {str(k): v for k, v in outputs.items()}
        return outputs.get(None, PartialObject({}))

    def module_instances(
        self, block: Block
    ) -> list[tuple[int | str | None, TerraformModule]] | Unknown:
        name = block.labels[0]
        known = self.children.get(name)
        if known is not None:
            return known
        folder = self.module_folder(block)
        if folder is None:
            unknown = Unknown(f"module {name} is not read")
            self.children[name] = unknown
            return unknown
        keys = self._keys(block)
        if isinstance(keys, Unknown):
            self.children[name] = keys
            return keys
        result: list[tuple[int | str | None, TerraformModule]] = []
        for key, bound in keys:
            evaluator = Evaluator(self.context.child(bound))
            given = {
                attribute_name: evaluator.evaluate(attribute.value)
                for attribute_name, attribute in block.attributes.items()
                if attribute_name not in ("source", "version", "providers", *_META_ATTRIBUTES)
            }
            label = name if key is None else f"{name}[{json.dumps(key)}]"
            child = TerraformModule(
                folder,
                given,
                self.identify,
                self.subscription_id,
                (*self.path, label),
                self.root,
                self.allowed,
            )
            result.append((key, child))
        self.children[name] = result
        return result

    def module_folder(self, block: Block) -> Path | None:
        """A local source next to this module; a registry or git source from the folder
        ``terraform init`` wrote (``.terraform/modules/modules.json``); else None, noticed."""
        name = block.labels[0]
        source = block.attributes.get("source")
        text = getattr(source.value, "value", "") if source is not None else ""
        if isinstance(text, str) and text.startswith(("./", "../")):
            folder = (self.folder / text).resolve()
            if folder.is_dir():
                return self._inside(folder, name, text, block)
        manifest = self.root / ".terraform" / "modules" / "modules.json"
        key = ".".join([*(p.split("[")[0] for p in self.path), name])
        if manifest.is_file():
            try:
                entries = json.loads(read_input_text(manifest)).get("Modules", [])
            except ValueError:
                entries = []
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict) and entry.get("Key") == key and entry.get("Dir"):
                    folder = (self.root / str(entry["Dir"])).resolve()
                    if folder.is_dir():
                        return self._inside(folder, name, str(entry["Dir"]), block)
        self.notices.append(
            (
                f"module {key} ({text or '?'}) is not read (run terraform init for registry and "
                "git modules): its resources are not in the verdict",
                block.where,
            )
        )
        return None

    def _inside(self, folder: Path, name: str, source: str, block: Block) -> Path:
        """``folder`` (resolved) if it lies in a folder module sources may come from."""
        if any(folder.is_relative_to(allowed) for allowed in self.allowed):
            return folder
        raise TfEvalError(
            f"module {name}: source {source} is {folder}, outside "
            f"{', '.join(str(a) for a in self.allowed)} (the repository, or else the folder, of "
            "the root module); --allow-outside FOLDER lets heiki read it",
            block.attributes["source"].where if "source" in block.attributes else block.where,
        )

    def outputs(self) -> Any:
        values: dict[str, Any] = {}
        for block in self.blocks:
            if block.type == "output" and block.labels and "value" in block.attributes:
                values[block.labels[0]] = Evaluator(self.context).evaluate(
                    block.attributes["value"].value
                )
        return PartialObject(values)

    def run(self) -> ModuleResult:
        resources: list[TfResource] = []
        for declaration in self.declarations.values():
            instances = self.instances(declaration)
            if not isinstance(instances, Unknown):
                resources += instances
        assumed = list(self.assumed)
        notices = list(self.notices)
        for block in self.blocks:
            if block.type != "module" or not block.labels:
                continue
            calls = self.module_instances(block)
            if isinstance(calls, Unknown):
                continue
            for _, child in calls:
                result = child.run()
                resources += result.resources
                assumed += result.assumed
                notices += result.notices
        for name in self.variables:
            self.variable(name, self.variables[name].where)
        notices += [n for n in self.notices if n not in notices]
        return ModuleResult(
            resources, [*assumed, *(a for a in self.assumed if a not in assumed)], notices
        )

    def release(self) -> None:
        """Let go of the syntax trees and declarations of this module and its children once
        the configuration is evaluated: a check runs with the cyclic collector paused, and the
        cycle between a module and its evaluation context (which resolves names through the
        module) would keep every parsed block to the end (80% of the memory after loading)."""
        for calls in self.children.values():
            for _, child in calls if isinstance(calls, list) else ():
                child.release()
        self.children = {}
        self.blocks = []
        self.variables = {}
        self.local_exprs = {}
        self.declarations = {}
        self.context = Context(self._no_references)  # the module's own resolver: the cycle


class _Lazy(dict[str, Any]):
    """``var`` / ``local`` / resource types: attributes resolved on access."""

    def __init__(self, getter: Callable[[str, Where], Any], where: Where) -> None:
        super().__init__()
        self.getter = getter
        self.where = where

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str)

    def __getitem__(self, key: str) -> Any:
        return self.getter(key, self.where)


def source_boundary(root: Path) -> tuple[Path, ...]:
    """Where a root module's module sources may lie: the Git work tree that holds it (modules
    shared as ``../../modules/x`` live in the same repository), else its own folder."""
    root = root.resolve()
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return (folder,)
    return (root,)


def _as_value(resource: TfResource) -> Any:
    """A resource instance as other expressions see it: its attributes, and unknown for the
    attributes Terraform learns after apply."""
    attributes = resource.attributes
    if COMPUTED in attributes:  # what Azure gives and the configuration leaves open
        attributes = {k: v for k, v in attributes.items() if k != COMPUTED} | attributes[COMPUTED]
    return PartialObject(_freeze(attributes))


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return PartialObject({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_freeze(v) for v in value]
    return value


class _CommandLineText(str):
    """A ``--var NAME=VALUE``: text that takes the variable's declared type."""


def _type_name(block: Block) -> str:
    attribute = block.attributes.get("type")
    if attribute is None:
        return "any"
    node = attribute.value
    if isinstance(node, Variable):
        return node.name
    return getattr(node, "name", "any")


def _sensitive(block: Block) -> bool:
    attribute = block.attributes.get("sensitive")
    return attribute is not None and getattr(attribute.value, "value", False) is True


def _typed(text: _CommandLineText, block: Block) -> Any:
    kind = _type_name(block)
    if kind in ("string", "any"):
        return str(text)
    if kind == "number":
        try:
            return int(text)
        except ValueError:
            return float(text)
    if kind == "bool":
        return text == "true"
    return Evaluator(Context(TerraformModule._no_references)).evaluate(
        parse_text(f"x = {text}\n", "--var").attributes["x"].value
    )


def variable_values(
    folder: Path, var_files: Sequence[Path], inline: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """What ``terraform plan`` would give each variable, from the files and the command line."""
    values: dict[str, Any] = {}
    files = [folder / "terraform.tfvars"] if (folder / "terraform.tfvars").is_file() else []
    files += sorted(folder.glob("*.auto.tfvars"))
    files += list(var_files)
    evaluator = Evaluator(Context(TerraformModule._no_references, functions=FUNCTIONS, lazy=LAZY))
    for path in files:
        body: Body = parse_file(path)
        for name, attribute in body.attributes.items():
            values[name] = evaluator.evaluate(attribute.value)
    for name, text in inline:
        values[name] = _CommandLineText(text)
    return values


__all__ = ["Expr", "ModuleResult", "TerraformModule", "TfResource", "variable_values"]
