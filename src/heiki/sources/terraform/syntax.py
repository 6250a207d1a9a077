"""HCL2 files as a small syntax tree with a location on every node.

python-hcl2 parses (its Lark grammar keeps line and column); this module turns the parse tree
into blocks, attributes and expressions that the evaluator walks. Comments and layout are
dropped; nothing is evaluated here.
"""

from __future__ import annotations

import functools
import gc
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2.parser
from hcl2.postlexer import PostLexer
from lark import Lark, Token, Tree
from lark.exceptions import LarkError

from heiki.inputs import nesting_message, read_input_text


class HclSyntaxError(Exception):
    def __init__(self, message: str, file: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class Where:
    """A place in an HCL file: file, line, column."""

    file: str
    line: int | None = None
    column: int | None = None


# -- expressions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expr:
    """An HCL expression, with where it stands."""

    where: Where


@dataclass(frozen=True, slots=True)
class Literal(Expr):
    """A literal value (string, number, bool, null)."""

    value: Any


@dataclass(frozen=True, slots=True)
class Template(Expr):
    """A quoted string or heredoc: text and interpolated expressions."""

    parts: tuple[str | Expr, ...]


@dataclass(frozen=True, slots=True)
class Variable(Expr):
    """A variable reference (``var``, ``local``, a resource type...)."""

    name: str


@dataclass(frozen=True, slots=True)
class GetAttr(Expr):
    """An attribute access (``x.name``)."""

    target: Expr
    name: str


@dataclass(frozen=True, slots=True)
class Index(Expr):
    """An index access (``x[0]``, ``x["name"]``)."""

    target: Expr
    key: Expr


@dataclass(frozen=True, slots=True)
class Splat(Expr):
    """``target[*].a.b`` (or ``target.*.a``): the steps applied to every element."""

    target: Expr
    steps: tuple[tuple[str, Any], ...]
    """("attr", name) or ("index", Expr)."""


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """A function call; ``expand_last`` for a trailing ``...``."""

    name: str
    args: tuple[Expr, ...]
    expand_last: bool = False


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    """A unary operation (``!``, ``-``)."""

    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    """A binary operation (arithmetic, comparison, logic)."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Conditional(Expr):
    """A conditional (``condition ? then : otherwise``)."""

    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True, slots=True)
class TupleExpr(Expr):
    """A tuple constructor (``[a, b]``)."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class ObjectExpr(Expr):
    """An object constructor (``{ key = value }``)."""

    items: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True, slots=True)
class ForExpr(Expr):
    """A ``for`` expression building a tuple or an object."""

    key_name: str | None
    value_name: str
    collection: Expr
    key: Expr | None
    """The key expression of a ``{for ...}``; None for ``[for ...]``."""
    value: Expr
    condition: Expr | None
    group: bool = False


# -- structure ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attribute:
    """An attribute of a body (``name = value``)."""

    name: str
    value: Expr
    where: Where


@dataclass(frozen=True, slots=True)
class Block:
    """A block: type, labels and body."""

    type: str
    labels: tuple[str, ...]
    attributes: dict[str, Attribute]
    blocks: tuple[Block, ...]
    where: Where

    def nested(self, block_type: str) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.type == block_type)


@dataclass(frozen=True, slots=True)
class Body:
    """The attributes and blocks of a file or block."""

    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()


# -- tree -> nodes -----------------------------------------------------------------------------


class _Builder:
    def __init__(self, file: str, first_line: int = 1) -> None:
        self.file = file
        self.lines_before = first_line - 1
        """Lines of the file before the parsed text (a piece of a large file)."""

    def where(self, node: Any) -> Where:
        """Where a node starts: its first token (the parser keeps no positions on trees)."""
        while isinstance(node, Tree):
            node = next((c for c in node.children if isinstance(c, (Tree, Token))), None)
        if isinstance(node, Token) and node.line is not None:
            return Where(self.file, node.line + self.lines_before, node.column)
        return Where(self.file)

    def body(self, tree: Tree[Any]) -> Body:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        for child in tree.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "attribute":
                name = self.name(child.children[0])
                value = self.expr(child.children[-1])
                attributes[name] = Attribute(name, value, self.where(child))
            elif child.data == "block":
                blocks.append(self.block(child))
        return Body(attributes, tuple(blocks))

    def block(self, tree: Tree[Any]) -> Block:
        parts = [c for c in tree.children if isinstance(c, Tree)]
        body = next(c for c in reversed(parts) if c.data == "body")
        heads = [c for c in parts if c is not body and c.data != "new_line_or_comment"]
        block_type = self.name(heads[0])
        labels = tuple(self.label(h) for h in heads[1:])
        inner = self.body(body)
        return Block(block_type, labels, inner.attributes, inner.blocks, self.where(tree))

    def name(self, tree: Any) -> str:
        if isinstance(tree, Token):
            return str(tree)
        return "".join(str(t) for t in tree.scan_values(lambda v: isinstance(v, Token)))

    def label(self, tree: Tree[Any]) -> str:
        if tree.data == "string":
            return "".join(
                str(t)
                for part in tree.children
                if isinstance(part, Tree)
                for t in part.children
                if isinstance(t, Token)
            )
        return self.name(tree)

    # -- expressions ---------------------------------------------------------------------------
    def expr(self, node: Any) -> Expr:
        where = self.where(node)
        if isinstance(node, Token):
            return Literal(where, str(node))
        kind = node.data
        kids = [c for c in node.children if not _is_noise(c)]
        if kind == "expr_term":
            inner = [c for c in kids if not (isinstance(c, Token) and c.type in ("LPAR", "RPAR"))]
            return self.expr(inner[0])
        if kind == "int_lit":
            return Literal(where, int(str(kids[0])))
        if kind == "float_lit":
            return Literal(where, float(str(kids[0])))
        if kind == "literal_value":
            text = str(kids[0])
            return Literal(where, {"true": True, "false": False, "null": None}[text])
        if kind == "identifier":
            return Variable(where, str(kids[0]))
        if kind == "string":
            return self.template(node, where)
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return self.heredoc(str(kids[0]), kind.endswith("trim"), where)
        if kind == "template_string":
            return Literal(where, str(kids[0])[2:-2])
        if kind == "tuple":
            return TupleExpr(where, tuple(self.expr(k) for k in kids if _is_expr(k)))
        if kind == "object":
            items = []
            for elem in kids:
                if isinstance(elem, Tree) and elem.data == "object_elem":
                    key_tree, value_tree = elem.children[0], elem.children[-1]
                    key = self.object_key(key_tree)
                    items.append((key, self.expr(value_tree)))
            return ObjectExpr(where, tuple(items))
        if kind == "function_call":
            names = [
                str(c.children[0]) for c in kids if isinstance(c, Tree) and c.data == "identifier"
            ]
            arguments = next(
                (c for c in kids if isinstance(c, Tree) and c.data == "arguments"), None
            )
            args: tuple[Expr, ...] = ()
            expand = False
            if arguments is not None:
                args = tuple(self.expr(a) for a in arguments.children if _is_expr(a))
                expand = any(
                    isinstance(a, Token) and a.type == "ELLIPSIS" for a in arguments.children
                )
            return Call(where, "::".join(names), args, expand)
        if kind == "get_attr_expr_term":
            return GetAttr(where, self.expr(kids[0]), self.name(kids[1].children[-1]))
        if kind == "index_expr_term":
            return Index(where, self.expr(kids[0]), self.index(kids[1]))
        if kind in ("attr_splat_expr_term", "full_splat_expr_term"):
            steps: list[tuple[str, Any]] = []
            for step in kids[1].children:
                if isinstance(step, Tree) and step.data == "get_attr":
                    steps.append(("attr", self.name(step.children[-1])))
                elif isinstance(step, Tree):
                    steps.append(("index", self.index(step)))
            return Splat(where, self.expr(kids[0]), tuple(steps))
        if kind == "unary_op":
            return Unary(where, str(kids[0]), self.expr(kids[1]))
        if kind == "binary_op":
            left = self.expr(kids[0])
            term = kids[1]
            term_kids = [c for c in term.children if not _is_noise(c)]
            op = str(term_kids[0].children[0])
            return Binary(where, op, left, self.expr(term_kids[1]))
        if kind == "conditional":
            exprs = [k for k in kids if _is_expr(k)]
            return Conditional(where, *(self.expr(e) for e in exprs[:3]))
        if kind in ("for_tuple_expr", "for_object_expr"):
            return self.for_expr(node, kind == "for_object_expr", where)
        raise HclSyntaxError(
            f"unsupported expression ({kind})", self.file, where.line, where.column
        )

    def object_key(self, tree: Tree[Any]) -> Expr:
        inner = next(c for c in tree.children if not _is_noise(c))
        if isinstance(inner, Tree) and inner.data == "keyword":
            return Literal(self.where(inner), str(inner.children[0]))
        expr = self.expr(inner)
        # a bare name as a key is its text, not a variable
        return Literal(expr.where, expr.name) if isinstance(expr, Variable) else expr

    def index(self, tree: Tree[Any]) -> Expr:
        kids = [c for c in tree.children if not _is_noise(c)]
        if tree.data == "short_index":
            return Literal(self.where(tree), int(str(kids[-1])))
        expression = next(k for k in kids if _is_expr(k))
        return self.expr(expression)

    def template(self, node: Tree[Any], where: Where) -> Expr:
        parts: list[str | Expr] = []
        for part in node.children:
            if not isinstance(part, Tree):
                continue
            inner = part.children[0]
            if isinstance(inner, Token):
                text = str(inner)
                if inner.type == "ESCAPED_INTERPOLATION" or inner.type == "ESCAPED_DIRECTIVE":
                    text = text[1:]
                else:
                    text = _unescape(text)
                parts.append(text)
            elif inner.data == "interpolation":
                parts.append(self.expr(next(c for c in inner.children if _is_expr(c))))
            else:
                raise HclSyntaxError(
                    "template directives (%{if}/%{for}) are not supported",
                    self.file,
                    where.line,
                    where.column,
                )
        if all(isinstance(p, str) for p in parts):
            return Literal(where, "".join(str(p) for p in parts))
        return Template(where, tuple(parts))

    def heredoc(self, text: str, trim: bool, where: Where) -> Expr:
        body = text.split("\n", 1)[1].rsplit("\n", 2)[0] + "\n" if "\n" in text else ""
        if trim:
            lines = body.split("\n")
            indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
            body = "\n".join(x[indent:] for x in lines)
        return Literal(where, body)

    def for_expr(self, node: Tree[Any], is_object: bool, where: Where) -> Expr:
        kids = [c for c in node.children if not _is_noise(c)]
        intro = next(k for k in kids if isinstance(k, Tree) and k.data == "for_intro")
        names = [
            str(c.children[0])
            for c in intro.children
            if isinstance(c, Tree) and c.data == "identifier"
        ]
        collection = self.expr(next(c for c in reversed(intro.children) if _is_expr(c)))
        condition_tree = next(
            (k for k in kids if isinstance(k, Tree) and k.data == "for_cond"), None
        )
        condition = (
            self.expr(next(c for c in condition_tree.children if _is_expr(c)))
            if condition_tree is not None
            else None
        )
        exprs = [k for k in kids if _is_expr(k)]
        group = any(isinstance(k, Token) and k.type == "ELLIPSIS" for k in kids)
        key_name, value_name = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        if is_object:
            return ForExpr(
                where,
                key_name,
                value_name,
                collection,
                self.expr(exprs[0]),
                self.expr(exprs[1]),
                condition,
                group,
            )
        return ForExpr(
            where, key_name, value_name, collection, None, self.expr(exprs[0]), condition
        )


_EXPRESSION_RULES = frozenset(
    {
        "expr_term",
        "binary_op",
        "unary_op",
        "conditional",
        "int_lit",
        "float_lit",
        "string",
        "tuple",
        "object",
        "identifier",
        "literal_value",
        "function_call",
        "for_tuple_expr",
        "for_object_expr",
        "index_expr_term",
        "get_attr_expr_term",
        "attr_splat_expr_term",
        "full_splat_expr_term",
        "heredoc_template",
        "heredoc_template_trim",
        "template_string",
    }
)


def _is_expr(node: Any) -> bool:
    return isinstance(node, Tree) and node.data in _EXPRESSION_RULES


def _is_noise(node: Any) -> bool:
    return isinstance(node, Tree) and node.data == "new_line_or_comment"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt == "u" and i + 5 < len(text) + 1:
                try:
                    out.append(chr(int(text[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                except ValueError:
                    pass
        out.append(char)
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    """python-hcl2's grammar and post-lexer without position propagation on trees (a third of
    the parse time on a large file); ``_Builder.where`` takes positions from tokens instead."""
    return Lark.open(
        "hcl2.lark",
        parser="lalr",
        rel_to=hcl2.parser.__file__,
        propagate_positions=False,
        postlex=PostLexer(),
        cache=True,
    )


def parse_text(text: str, file: str) -> Body:
    """One ``.tf`` file's text as a body of attributes and blocks. The cyclic garbage collector
    is paused meanwhile: the parser makes millions of short-lived objects and no cycles worth
    collecting (a third of the time at 2,000 resources; the CLI pauses it for the whole run)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse_text(text, file)
    finally:
        if collecting:
            gc.enable()


def _parse_text(text: str, file: str) -> Body:
    if not text.endswith("\n"):
        text += "\n"
    pieces = _pieces(text)
    if len(pieces) > 1:
        try:
            bodies = [_parse_piece(piece, file, line) for line, piece in pieces]
        except (HclSyntaxError, RecursionError):
            pass  # a cut inside a construct (a heredoc, a comment): the whole text says where
        else:
            attributes: dict[str, Attribute] = {}
            for body in bodies:
                attributes.update(body.attributes)
            return Body(attributes, tuple(b for body in bodies for b in body.blocks))
    return _parse_piece(text, file, 1)


_PIECE_SIZE = 1 << 18
"""A large file is parsed in pieces of about this many characters: the parser's tree of a whole
13 MB file took 1 GB at once."""
_TOP_LEVEL_BLOCK = re.compile(r"^(?=[A-Za-z_][\w-]*+[ \t]*[\"{A-Za-z_])", re.MULTILINE)
"""A line that may open a top-level block (``resource "a" "b" {``, ``locals {``)."""


def _pieces(text: str) -> list[tuple[int, str]]:
    """``text`` cut at lines that may open a top-level block, about every ``_PIECE_SIZE``
    characters, with the line each piece starts on. A cut inside a multi-line construct leaves
    a piece that does not parse (an open brace, heredoc or comment): then the caller parses the
    whole text instead."""
    if len(text) <= _PIECE_SIZE:
        return [(1, text)]
    pieces: list[tuple[int, str]] = []
    start, line = 0, 1
    for match in _TOP_LEVEL_BLOCK.finditer(text, _PIECE_SIZE):
        cut = match.start()
        if cut - start < _PIECE_SIZE:
            continue
        pieces.append((line, text[start:cut]))
        line += text.count("\n", start, cut)
        start = cut
    pieces.append((line, text[start:]))
    return pieces


def _parse_piece(text: str, file: str, first_line: int) -> Body:
    try:
        tree = _parser().parse(text + "\n")
    except LarkError as error:
        line = getattr(error, "line", None)
        column = getattr(error, "column", None)
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        # (a piece's error is not reported: the whole text is parsed again and says where)
        raise HclSyntaxError(f"HCL syntax: {first}", file, line, column) from None
    except RecursionError:
        message, at = nesting_message("HCL", text, file)
        raise HclSyntaxError(message, file, at.line, at.column) from None
    start = tree.children[0]
    if not isinstance(start, Tree):  # the grammar's start rule is always a body
        raise HclSyntaxError("HCL syntax: no body", file, None, None)
    try:
        return _Builder(file, first_line).body(start)
    except RecursionError:
        message, at = nesting_message("HCL", text, file)
        raise HclSyntaxError(message, file, at.line, at.column) from None


def parse_file(path: Path) -> Body:
    return parse_text(read_input_text(path), str(path))
