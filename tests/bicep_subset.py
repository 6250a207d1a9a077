"""A reader for the subset of Bicep that ``heiki build --to bicep`` writes, turning a project
(``main.bicep`` and its modules) into the ARM template Bicep would compile it to.

Test-only, and only because no Bicep compiler can be installed here (it ships from GitHub, NuGet
and downloads.bicep.azure.com, none reachable). It reads the text - it shares no code with the
generator after the text is written - so the round trip through it checks what the Bicep files
say: module parameters wired through, symbols that exist, expressions, interpolations, octet
arithmetic and object-parameter access. Anything outside the subset is an error, never a guess.

Covered: ``targetScope``; decorators ``@description``, ``@allowed``, ``@secure``; ``param``,
``var``, ``resource`` and ``module`` declarations; objects and arrays (newline separated);
strings with ``${}`` interpolation and ``\\'`` escapes; numbers, booleans, null; identifiers,
function calls, property access, indexing and the binary operators ``+ - * / %``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class BicepSubsetError(Exception):
    pass


@dataclass(frozen=True)
class Token:
    kind: str  # name, number, string, punct, newline, end
    value: Any
    line: int


_PUNCT = "{}[]():,.=@+-*/%?!"


def _string(text: str, i: int, line: int) -> tuple[Token, int, int]:
    """A single-quoted string starting at text[i]; value is a list of str / token-list parts."""
    assert text[i] == "'"
    i += 1
    parts: list[Any] = []
    literal: list[str] = []
    while True:
        if i >= len(text):
            raise BicepSubsetError(f"line {line}: unterminated string")
        ch = text[i]
        if ch == "\\":
            escaped = text[i + 1]
            literal.append({"'": "'", "\\": "\\", "$": "$", "n": "\n", "t": "\t"}[escaped])
            i += 2
        elif ch == "'":
            i += 1
            break
        elif text.startswith("${", i):
            if literal:
                parts.append("".join(literal))
                literal = []
            depth, j = 1, i + 2
            while depth:
                if text[j] == "{":
                    depth += 1
                elif text[j] == "}":
                    depth -= 1
                elif text[j] == "'":
                    raise BicepSubsetError(f"line {line}: a string inside an interpolation")
                j += 1
            parts.append(tokenize(text[i + 2 : j - 1], line))
            i = j
        else:
            if ch == "\n":
                line += 1
            literal.append(ch)
            i += 1
    if literal or not parts:
        parts.append("".join(literal))
    return Token("string", parts, line), i, line


def tokenize(text: str, line: int = 1) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            tokens.append(Token("newline", None, line))
            line += 1
            i += 1
        elif ch in " \t\r":
            i += 1
        elif text.startswith("//", i):
            while i < len(text) and text[i] != "\n":
                i += 1
        elif ch == "'":
            token, i, line = _string(text, i, line)
            tokens.append(token)
        elif ch.isdigit():
            match = re.match(r"\d+", text[i:])
            assert match
            tokens.append(Token("number", int(match.group(0)), line))
            i += len(match.group(0))
        elif ch.isalpha() or ch == "_":
            match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text[i:])
            assert match
            tokens.append(Token("name", match.group(0), line))
            i += len(match.group(0))
        elif ch in _PUNCT:
            tokens.append(Token("punct", ch, line))
            i += 1
        else:
            raise BicepSubsetError(f"line {line}: unexpected character {ch!r}")
    tokens.append(Token("end", None, line))
    return tokens


# -- syntax tree: tuples ----------------------------------------------------------------------
# ("str", parts) ("num", n) ("bool", b) ("null",) ("id", name) ("call", name, args)
# ("member", base, name) ("index", base, expr) ("binary", op, left, right)
# ("object", [(key, expr)]) ("array", [expr])


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> Token:
        return self.tokens[self.at]

    def next(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expect(self, kind: str, value: Any = None) -> Token:
        token = self.next()
        if token.kind != kind or (value is not None and token.value != value):
            raise BicepSubsetError(
                f"line {token.line}: expected {value or kind}, got {token.value!r}"
            )
        return token

    def skip_newlines(self) -> None:
        while self.peek().kind == "newline":
            self.at += 1

    def is_punct(self, value: str) -> bool:
        token = self.peek()
        return token.kind == "punct" and token.value == value

    # expressions
    def expression(self) -> Any:
        return self.binary(0)

    _LEVELS = (("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> Any:
        if level == len(self._LEVELS):
            return self.postfix()
        left = self.binary(level + 1)
        while self.peek().kind == "punct" and self.peek().value in self._LEVELS[level]:
            op = self.next().value
            left = ("binary", op, left, self.binary(level + 1))
        return left

    def postfix(self) -> Any:
        node = self.primary()
        while True:
            if self.is_punct("."):
                self.next()
                node = ("member", node, self.expect("name").value)
            elif self.is_punct("["):
                self.next()
                index = self.expression()
                self.expect("punct", "]")
                node = ("index", node, index)
            else:
                return node

    def primary(self) -> Any:
        token = self.next()
        if token.kind == "string":
            return ("str", [p if isinstance(p, str) else _Parser(p).whole() for p in token.value])
        if token.kind == "number":
            return ("num", token.value)
        if token.kind == "name":
            if token.value in ("true", "false"):
                return ("bool", token.value == "true")
            if token.value == "null":
                return ("null",)
            if self.is_punct("("):
                self.next()
                args = []
                while not self.is_punct(")"):
                    args.append(self.expression())
                    if self.is_punct(","):
                        self.next()
                self.expect("punct", ")")
                return ("call", token.value, args)
            return ("id", token.value)
        if token.kind == "punct" and token.value == "{":
            return self.object_body()
        if token.kind == "punct" and token.value == "[":
            items = []
            self.skip_newlines()
            while not self.is_punct("]"):
                items.append(self.expression())
                self.skip_newlines()
            self.next()
            return ("array", items)
        if token.kind == "punct" and token.value == "(":
            inner = self.expression()
            self.expect("punct", ")")
            return inner
        raise BicepSubsetError(f"line {token.line}: unexpected {token.value!r}")

    def object_body(self) -> Any:
        pairs = []
        self.skip_newlines()
        while not self.is_punct("}"):
            key = self.next()
            if key.kind == "string" and len(key.value) == 1 and isinstance(key.value[0], str):
                name = key.value[0]
            elif key.kind == "name":
                name = key.value
            else:
                raise BicepSubsetError(f"line {key.line}: bad object key")
            self.expect("punct", ":")
            pairs.append((name, self.expression()))
            self.skip_newlines()
        self.next()
        return ("object", pairs)

    def whole(self) -> Any:
        node = self.expression()
        self.skip_newlines()
        self.expect("end")
        return node


@dataclass
class Declarations:
    target_scope: str = "resourceGroup"
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    resources: list[tuple[str, str, Any]] = field(default_factory=list)
    """(symbol, 'type@api', body)"""
    modules: list[tuple[str, str, Any]] = field(default_factory=list)
    """(symbol, path, body)"""


def parse(text: str) -> Declarations:
    parser = _Parser(tokenize(text))
    result = Declarations()
    decorators: dict[str, Any] = {}
    while True:
        parser.skip_newlines()
        token = parser.next()
        if token.kind == "end":
            return result
        if token.kind == "punct" and token.value == "@":
            name = parser.expect("name").value
            parser.expect("punct", "(")
            decorators[name] = None if parser.is_punct(")") else parser.expression()
            parser.expect("punct", ")")
            continue
        if token.kind != "name":
            raise BicepSubsetError(f"line {token.line}: unexpected {token.value!r}")
        keyword = token.value
        if keyword == "targetScope":
            parser.expect("punct", "=")
            result.target_scope = _literal(parser.expression())
        elif keyword == "param":
            name = parser.expect("name").value
            kind = parser.expect("name").value
            spec: dict[str, Any] = {"type": "securestring" if "secure" in decorators else kind}
            if parser.is_punct("="):
                parser.next()
                spec["default"] = parser.expression()
            if "allowed" in decorators:
                spec["allowedValues"] = _literal(decorators["allowed"])
            result.parameters[name] = spec
        elif keyword == "var":
            name = parser.expect("name").value
            parser.expect("punct", "=")
            result.variables[name] = parser.expression()
        elif keyword in ("resource", "module"):
            symbol = parser.expect("name").value
            target = _literal(("str", parser.expect("string").value))
            parser.expect("punct", "=")
            parser.expect("punct", "{")
            body = parser.object_body()
            (result.resources if keyword == "resource" else result.modules).append(
                (symbol, target, body)
            )
        else:
            raise BicepSubsetError(f"line {token.line}: unsupported statement {keyword!r}")
        decorators = {}


def _literal(node: Any) -> Any:
    kind = node[0]
    if kind == "str" and all(isinstance(p, str) for p in node[1]):
        return "".join(node[1])
    if kind == "num":
        return node[1]
    if kind == "bool":
        return node[1]
    if kind == "null":
        return None
    if kind == "array":
        return [_literal(n) for n in node[1]]
    if kind == "object":
        return {k: _literal(v) for k, v in node[1]}
    raise BicepSubsetError(f"not a literal: {node!r}")


# -- to ARM -------------------------------------------------------------------------------------

_OPERATORS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod"}


class _Compiler:
    def __init__(self, declarations: Declarations) -> None:
        self.d = declarations

    def expression(self, node: Any) -> str:
        kind = node[0]
        if kind == "str":
            literal = [p for p in node[1] if isinstance(p, str)]
            if len(literal) == len(node[1]):
                return "'" + "".join(literal).replace("'", "''") + "'"
            holes, args = [], []
            for part in node[1]:
                if isinstance(part, str):
                    holes.append(part.replace("{", "{{").replace("}", "}}").replace("'", "''"))
                else:
                    holes.append("{" + str(len(args)) + "}")
                    args.append(self.expression(part))
            return f"format('{''.join(holes)}', {', '.join(args)})"
        if kind == "num":
            return str(node[1])
        if kind == "bool":
            return "true()" if node[1] else "false()"
        if kind == "null":
            return "null()"
        if kind == "id":
            name = node[1]
            if name in self.d.parameters:
                return f"parameters('{name}')"
            if name in self.d.variables:
                return f"variables('{name}')"
            raise BicepSubsetError(f"unknown identifier {name!r}")
        if kind == "call":
            return f"{node[1]}({', '.join(self.expression(a) for a in node[2])})"
        if kind == "member":
            return f"{self.expression(node[1])}.{node[2]}"
        if kind == "index":
            return f"{self.expression(node[1])}[{self.expression(node[2])}]"
        if kind == "binary":
            return f"{_OPERATORS[node[1]]}({self.expression(node[2])}, {self.expression(node[3])})"
        if kind == "array":
            return f"createArray({', '.join(self.expression(n) for n in node[1])})"
        if kind == "object":
            args = ", ".join(f"'{k}', {self.expression(v)}" for k, v in node[1])
            return f"createObject({args})"
        raise BicepSubsetError(f"unsupported expression {node!r}")

    def value(self, node: Any) -> Any:
        """A JSON value: literals stay literal, anything else becomes an ARM expression."""
        kind = node[0]
        if kind == "object":
            return {k: self.value(v) for k, v in node[1]}
        if kind == "array":
            return [self.value(n) for n in node[1]]
        try:
            literal = _literal(node)
        except BicepSubsetError:
            return f"[{self.expression(node)}]"
        if isinstance(literal, str) and literal.startswith("["):
            return "[" + literal
        return literal


def compile_project(main: Path) -> dict[str, Any]:
    """``main.bicep`` and the modules it names, as one ARM template (modules nested, inner scope)."""
    return _compile(main, main.parent)


def _compile(path: Path, root: Path) -> dict[str, Any]:
    declarations = parse(path.read_text(encoding="utf-8"))
    compiler = _Compiler(declarations)
    symbols = {symbol for symbol, _, _ in declarations.resources}
    symbols |= {symbol for symbol, _, _ in declarations.modules}
    parameters = {}
    for name, spec in declarations.parameters.items():
        entry = {k: v for k, v in spec.items() if k != "default"}
        if "default" in spec:
            entry["defaultValue"] = compiler.value(spec["default"])
        parameters[name] = entry
    resources: list[dict[str, Any]] = []
    declared = {
        symbol: (target.partition("@")[0], dict(body[1])["name"])
        for symbol, target, body in declarations.resources
    }
    for symbol, target, body in declarations.resources:
        kind, _, api = target.partition("@")
        entry = {"type": kind, "apiVersion": api}
        for key, node in body[1]:
            if key == "dependsOn":
                _check_symbols(node, symbols, symbol)
                continue
            if key == "scope":  # an extension resource scoped to a resource of this file
                if node[0] != "id" or node[1] not in declared:
                    raise BicepSubsetError(f"{symbol}: scope names no declared resource")
                scope_type, scope_name = declared[node[1]]
                entry[key] = f"[resourceId('{scope_type}', {compiler.expression(scope_name)})]"
                continue
            entry[key] = compiler.value(node)
        resources.append(entry)
    for symbol, module_path, body in declarations.modules:
        fields = dict(body[1])
        _check_symbols(fields.get("dependsOn", ("array", [])), symbols, symbol)
        # relative to the file that declares the module, as Bicep resolves it
        inner = _compile(path.parent / module_path, root)
        passed = {k: {"value": compiler.value(v)} for k, v in fields["params"][1]}
        missing = [
            name
            for name, spec in inner["parameters"].items()
            if name not in passed and "defaultValue" not in spec
        ]
        unknown = [name for name in passed if name not in inner["parameters"]]
        if missing or unknown:
            raise BicepSubsetError(f"module {symbol}: missing {missing}, unknown {unknown}")
        resources.append(
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2025-04-01",
                "name": compiler.value(fields["name"]),
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "parameters": passed,
                    "template": inner,
                },
            }
        )
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": parameters,
        "variables": {k: compiler.value(v) for k, v in declarations.variables.items()},
        "resources": resources,
    }


def _check_symbols(node: Any, symbols: set[str], owner: str) -> None:
    for item in node[1]:
        if item[0] != "id" or item[1] not in symbols:
            raise BicepSubsetError(f"{owner}: dependsOn names no declared symbol: {item!r}")


def compile_to_file(main: Path, target: Path) -> Path:
    target.write_text(json.dumps(compile_project(main), indent=1), encoding="utf-8")
    return target
