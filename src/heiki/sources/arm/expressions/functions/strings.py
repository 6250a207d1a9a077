"""String functions (MS Learn: template-functions-string)."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from heiki.sources.arm.expressions.errors import ExpressionError
from heiki.sources.arm.expressions.formatting import dotnet_format, dotnet_string
from heiki.sources.arm.expressions.functions.registry import arm_function
from heiki.sources.arm.expressions.functions.values import (
    need_int,
    need_list,
    need_str,
    type_name,
    wrong_type,
)
from heiki.sources.arm.expressions.hashing import arm_guid, unique_string
from heiki.sources.arm.expressions.limits import MAX_TEXT
from heiki.sources.arm.expressions.unknown import Unknown

if TYPE_CHECKING:
    from heiki.sources.arm.expressions.evaluator import Evaluator


@arm_function("base64", 1, 1)
def _base64(ev: Evaluator, args: list[Any]) -> Any:
    return base64.b64encode(need_str("base64", args, 0).encode("utf-8")).decode("ascii")


def _decode64(function: str, args: list[Any]) -> str:
    try:
        return base64.b64decode(need_str(function, args, 0), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise ExpressionError(f"{function}(): the argument is not valid base64") from None


@arm_function("base64ToString", 1, 1)
def _base64_to_string(ev: Evaluator, args: list[Any]) -> Any:
    return _decode64("base64ToString", args)


@arm_function("base64ToJson", 1, 1)
def _base64_to_json(ev: Evaluator, args: list[Any]) -> Any:
    return _parse_json("base64ToJson", _decode64("base64ToJson", args))


def _parse_json(function: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExpressionError(f"{function}(): not valid JSON: {exc.msg}") from None


@arm_function("json", 1, 1)
def _json(ev: Evaluator, args: list[Any]) -> Any:
    return _parse_json("json", need_str("json", args, 0))


@arm_function("dataUri", 1, 1)
def _data_uri(ev: Evaluator, args: list[Any]) -> Any:
    payload = base64.b64encode(need_str("dataUri", args, 0).encode("utf-8")).decode("ascii")
    return f"data:text/plain;charset=utf8;base64,{payload}"


@arm_function("dataUriToString", 1, 1)
def _data_uri_to_string(ev: Evaluator, args: list[Any]) -> Any:
    text = need_str("dataUriToString", args, 0)
    header, _, payload = text.partition(",")
    if not header.startswith("data:"):
        raise ExpressionError("dataUriToString(): the argument is not a data URI")
    if header.endswith(";base64"):
        return base64.b64decode(payload).decode("utf-8")
    return unquote(payload)


@arm_function("endsWith", 2, 2)
def _ends_with(ev: Evaluator, args: list[Any]) -> Any:
    # case-insensitive, as documented
    return need_str("endsWith", args, 0).lower().endswith(need_str("endsWith", args, 1).lower())


@arm_function("startsWith", 2, 2)
def _starts_with(ev: Evaluator, args: list[Any]) -> Any:
    text = need_str("startsWith", args, 0)
    return text.lower().startswith(need_str("startsWith", args, 1).lower())


@arm_function("format", 1, None)
def _format(ev: Evaluator, args: list[Any]) -> Any:
    return dotnet_format(need_str("format", args, 0), args[1:])


def _hash_parts(function: str, args: list[Any]) -> list[str]:
    return [need_str(function, args, i) for i in range(len(args))]


@arm_function("guid", 1, None)
def _guid(ev: Evaluator, args: list[Any]) -> Any:
    return arm_guid(*_hash_parts("guid", args))


@arm_function("uniqueString", 1, None)
def _unique_string(ev: Evaluator, args: list[Any]) -> Any:
    return unique_string(*_hash_parts("uniqueString", args))


@arm_function("newGuid", 0, 0)
def _new_guid(ev: Evaluator, args: list[Any]) -> Any:
    return Unknown("newGuid() is a new value on every deployment")


@arm_function("join", 2, 2)
def _join(ev: Evaluator, args: list[Any]) -> Any:
    items = need_list("join", args, 0)
    delimiter = need_str("join", args, 1)
    for item in items:
        if isinstance(item, Unknown):
            return item
        if isinstance(item, (list, dict)):
            raise ExpressionError(f"join(): cannot join {type_name(item)} elements")
    return delimiter.join(dotnet_string(item) for item in items)


@arm_function("padLeft", 2, 3)
def _pad_left(ev: Evaluator, args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise wrong_type("padLeft", 0, "a string or integer", value)
    width = need_int("padLeft", args, 1)
    if width > MAX_TEXT:
        raise ExpressionError(f"padLeft(): a width of {width} is more than a template may hold")
    fill = need_str("padLeft", args, 2) if len(args) > 2 else " "
    if len(fill) != 1:
        raise ExpressionError("padLeft(): the padding must be a single character")
    return str(value).rjust(width, fill)


@arm_function("replace", 3, 3)
def _replace(ev: Evaluator, args: list[Any]) -> Any:
    old = need_str("replace", args, 1)
    if not old:
        raise ExpressionError("replace(): the string to replace cannot be empty")
    return need_str("replace", args, 0).replace(old, need_str("replace", args, 2))


@arm_function("split", 2, 2)
def _split(ev: Evaluator, args: list[Any]) -> Any:
    text = need_str("split", args, 0)
    delimiters = args[1]
    if isinstance(delimiters, str):
        delimiters = [delimiters]
    if not isinstance(delimiters, list) or not all(isinstance(d, str) for d in delimiters):
        raise wrong_type("split", 1, "a string or an array of strings", args[1])
    parts = [text]
    for delimiter in delimiters:
        if delimiter:
            parts = [piece for part in parts for piece in part.split(delimiter)]
    return parts


@arm_function("string", 1, 1, accepts_unknown=True)
def _string(ev: Evaluator, args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, Unknown):
        return value
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    return dotnet_string(value)


@arm_function("substring", 2, 3)
def _substring(ev: Evaluator, args: list[Any]) -> Any:
    text = need_str("substring", args, 0)
    start = need_int("substring", args, 1)
    length = need_int("substring", args, 2) if len(args) > 2 else len(text) - start
    if start < 0 or start > len(text) or length < 0 or start + length > len(text):
        raise ExpressionError(
            f"substring(): start {start} and length {length} are outside the string of "
            f"length {len(text)}"
        )
    return text[start : start + length]


@arm_function("toLower", 1, 1)
def _to_lower(ev: Evaluator, args: list[Any]) -> Any:
    return need_str("toLower", args, 0).lower()


@arm_function("toUpper", 1, 1)
def _to_upper(ev: Evaluator, args: list[Any]) -> Any:
    return need_str("toUpper", args, 0).upper()


@arm_function("trim", 1, 1)
def _trim(ev: Evaluator, args: list[Any]) -> Any:
    return need_str("trim", args, 0).strip()


@arm_function("uri", 2, 2)
def _uri(ev: Evaluator, args: list[Any]) -> Any:
    base = need_str("uri", args, 0)
    # .NET's Uri(Uri, string), which ARM uses, needs an absolute base URI (a scheme)
    if not urlsplit(base).scheme or not urlsplit(base).netloc:
        raise ExpressionError(f"uri(): the base {base!r} is not an absolute URI")
    return urljoin(base, need_str("uri", args, 1))


@arm_function("uriComponent", 1, 1)
def _uri_component(ev: Evaluator, args: list[Any]) -> Any:
    # .NET Uri.EscapeDataString: everything but the RFC 3986 unreserved characters
    return quote(need_str("uriComponent", args, 0), safe="-_.~")


@arm_function("uriComponentToString", 1, 1)
def _uri_component_to_string(ev: Evaluator, args: list[Any]) -> Any:
    return unquote(need_str("uriComponentToString", args, 0))
