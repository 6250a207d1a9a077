"""Terraform's built-in functions that Azure configurations use, with the documented semantics
(developer.hashicorp.com/terraform/language/functions). An unknown argument gives an unknown
result; functions whose value exists only at apply time (``timestamp``, ``uuid``) or outside the
configuration (``file``) are unknown."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import math
import re
import uuid
from collections.abc import Callable
from typing import Any

from heiki.sources.arm.expressions.unknown import Unknown, contains_unknown
from heiki.sources.terraform.evaluate import MAX_TEXT, Evaluator, TfEvalError, to_number, to_string
from heiki.sources.terraform.syntax import Expr

FUNCTIONS: dict[str, Callable[..., Any]] = {}


def _register(
    name: str, *, deep: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A function of ``name``; an unknown argument (anywhere inside, with ``deep``) makes the
    result unknown."""

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        def strict(*args: Any) -> Any:
            for arg in args:
                found = contains_unknown(arg) if deep else arg if isinstance(arg, Unknown) else None
                if found is not None:
                    return found
            return function(*args)

        FUNCTIONS[name] = strict
        return function

    return wrap


def _unknown(name: str, why: str) -> None:
    FUNCTIONS[name] = lambda *args: Unknown(f"{name}() {why}")


for _name in ("timestamp", "uuid", "bcrypt", "plantimestamp"):
    _unknown(_name, "is known only when Terraform applies")
for _name in ("file", "filebase64", "templatefile", "fileset", "filemd5", "filesha256"):
    _unknown(_name, "reads files outside the configuration, which heiki does not")


def _str(value: Any) -> str:
    return to_string(value)


# -- strings -------------------------------------------------------------------------------------

_VERB = re.compile(
    r"%(?P<flags>[-+# 0]*)(?P<width>\d+)?(?:\.(?P<precision>\d+))?(?P<verb>[a-zA-Z%])"
)


@_register("format", deep=True)
def _format(spec: str, *args: Any) -> str:
    values = list(args)

    def replace(match: re.Match[str]) -> str:
        verb = match["verb"]
        if verb == "%":
            return "%"
        if not values:
            raise TfEvalError("not enough arguments for format")
        value = values.pop(0)
        if verb in ("s", "v"):
            text = json.dumps(value) if isinstance(value, (list, dict)) else to_string(value)
        elif verb == "d":
            text = str(int(to_number(value)))
        elif verb == "f":
            precision = int(match["precision"] or 6)
            text = f"{float(to_number(value)):.{precision}f}"
        elif verb == "q":
            text = json.dumps(to_string(value))
        elif verb == "t":
            text = "true" if value is True else "false"
        elif verb in ("x", "X"):
            text = format(int(to_number(value)), verb)
        else:
            raise TfEvalError(f"unsupported format verb %{verb}")
        width = int(match["width"] or 0)
        if width > MAX_TEXT:
            raise TfEvalError(f"a width of {width} characters")
        if width:
            pad = "0" if "0" in (match["flags"] or "") and verb in "dfxX" else " "
            text = text.ljust(width) if "-" in (match["flags"] or "") else text.rjust(width, pad)
        return text

    return _VERB.sub(replace, spec)


@_register("formatlist", deep=True)
def _formatlist(spec: str, *args: Any) -> list[str]:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise TfEvalError("formatlist lists must have the same length")
    count = lengths.pop() if lengths else 1
    return [
        _format(spec, *(a[i] if isinstance(a, list) else a for a in args)) for i in range(count)
    ]


@_register("join", deep=True)
def _join(separator: str, *lists: list[Any]) -> str:
    return separator.join(_str(v) for items in lists for v in items)


@_register("split")
def _split(separator: str, text: str) -> list[str]:
    return text.split(separator) if text else [""]


FUNCTIONS["lower"] = lambda s: s if isinstance(s, Unknown) else _str(s).lower()
FUNCTIONS["upper"] = lambda s: s if isinstance(s, Unknown) else _str(s).upper()
FUNCTIONS["title"] = lambda s: s if isinstance(s, Unknown) else _str(s).title()
FUNCTIONS["trimspace"] = lambda s: s if isinstance(s, Unknown) else _str(s).strip()
FUNCTIONS["chomp"] = lambda s: s if isinstance(s, Unknown) else _str(s).rstrip("\r\n")
FUNCTIONS["strrev"] = lambda s: s if isinstance(s, Unknown) else _str(s)[::-1]


@_register("replace")
def _replace(text: str, search: str, replacement: str) -> str:
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        return re.sub(search[1:-1], re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", replacement), text)
    return text.replace(search, replacement)


@_register("substr")
def _substr(text: str, offset: int, length: int) -> str:
    if offset < 0:
        offset = max(len(text) + offset, 0)
    return text[offset:] if length == -1 else text[offset : offset + length]


@_register("trim")
def _trim(text: str, characters: str) -> str:
    return text.strip(characters)


@_register("trimprefix")
def _trimprefix(text: str, prefix: str) -> str:
    return text.removeprefix(prefix)


@_register("trimsuffix")
def _trimsuffix(text: str, suffix: str) -> str:
    return text.removesuffix(suffix)


@_register("startswith")
def _startswith(text: str, prefix: str) -> bool:
    return text.startswith(prefix)


@_register("endswith")
def _endswith(text: str, suffix: str) -> bool:
    return text.endswith(suffix)


@_register("regex")
def _regex(pattern: str, text: str) -> Any:
    match = re.search(pattern, text)
    if match is None:
        raise TfEvalError("pattern did not match")
    if match.groupdict():
        return match.groupdict()
    return list(match.groups()) if match.groups() else match.group(0)


@_register("regexall")
def _regexall(pattern: str, text: str) -> list[Any]:
    return [(m.groups() and list(m.groups())) or m.group(0) for m in re.finditer(pattern, text)]


@_register("indent")
def _indent(spaces: int, text: str) -> str:
    return text.replace("\n", "\n" + " " * int(spaces))


# -- collections --------------------------------------------------------------------------------


@_register("concat")
def _concat(*lists: list[Any]) -> list[Any]:
    return [v for items in lists for v in items]


@_register("merge")
def _merge(*maps: dict[str, Any] | None) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for item in maps:
        if item is not None:
            result.update(item)
    return result


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if isinstance(mapping, Unknown) or isinstance(key, Unknown):
        return mapping if isinstance(mapping, Unknown) else key
    if _str(key) in mapping:
        return mapping[_str(key)]
    if default:
        return default[0]
    raise TfEvalError(f"no key {key!r} and no default")


FUNCTIONS["lookup"] = _lookup


@_register("element")
def _element(items: list[Any], position: int) -> Any:
    if not items:
        raise TfEvalError("element of an empty list")
    return items[int(to_number(position)) % len(items)]


@_register("length")
def _length(value: Any) -> int:
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise TfEvalError("length needs a string or collection")


def _distinct_items(items: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


@_register("toset")
def _toset(items: list[Any]) -> list[Any]:
    return sorted(_distinct_items(items), key=lambda v: json.dumps(v, sort_keys=True))


FUNCTIONS["distinct"] = lambda items: (
    items if isinstance(items, Unknown) else _distinct_items(items)
)
FUNCTIONS["tolist"] = lambda items: items if isinstance(items, Unknown) else list(items)
FUNCTIONS["tomap"] = lambda item: item if isinstance(item, Unknown) else dict(item)


@_register("keys")
def _keys(mapping: dict[str, Any]) -> list[str]:
    return sorted(mapping)


@_register("values")
def _values(mapping: dict[str, Any]) -> list[Any]:
    return [mapping[k] for k in sorted(mapping)]


def _coalesce(*args: Any) -> Any:
    for arg in args:
        if isinstance(arg, Unknown):
            return arg
        if arg is not None and arg != "":
            return arg
    raise TfEvalError("no non-null, non-empty argument")


FUNCTIONS["coalesce"] = _coalesce


def _coalescelist(*lists: Any) -> Any:
    for items in lists:
        if isinstance(items, Unknown):
            return items
        if items:
            return items
    return []


FUNCTIONS["coalescelist"] = _coalescelist


@_register("compact")
def _compact(items: list[Any]) -> list[Any]:
    return [i for i in items if i is not None and i != ""]


def _flatten(items: Any) -> Any:
    if isinstance(items, Unknown):
        return items
    result: list[Any] = []
    for item in items:
        if isinstance(item, list):
            flat = _flatten(item)
            if isinstance(flat, Unknown):
                return flat
            result += flat
        else:
            result.append(item)
    return result


FUNCTIONS["flatten"] = _flatten


@_register("contains", deep=True)
def _contains(items: list[Any], value: Any) -> bool:
    return value in items


@_register("zipmap", deep=True)
def _zipmap(keys: list[Any], values: list[Any]) -> dict[str, Any]:
    if len(keys) != len(values):
        raise TfEvalError("zipmap lists must have the same length")
    return {_str(k): v for k, v in zip(keys, values, strict=True)}


@_register("range")
def _range(*args: Any) -> list[int | float]:
    numbers = [to_number(a) for a in args]
    start, stop, step = (0, numbers[0], 1) if len(numbers) == 1 else (*numbers, 1)[:3]
    if step == 0 or len(numbers) > 3:
        raise TfEvalError("invalid range")
    count = max(0, math.ceil((stop - start) / step))
    if count > 1024:
        raise TfEvalError("range of more than 1024 items")
    return [start + i * step for i in range(count)]


@_register("index", deep=True)
def _index(items: list[Any], value: Any) -> int:
    if value not in items:
        raise TfEvalError("value not in list")
    return items.index(value)


@_register("slice")
def _slice(items: list[Any], start: int, end: int) -> list[Any]:
    return items[int(start) : int(end)]


@_register("sort", deep=True)
def _sort(items: list[Any]) -> list[str]:
    return sorted(_str(i) for i in items)


@_register("reverse")
def _reverse(items: list[Any]) -> list[Any]:
    return list(reversed(items))


@_register("setunion", deep=True)
def _setunion(*sets: list[Any]) -> list[Any]:
    return list(_toset([v for s in sets for v in s]))


@_register("setintersection", deep=True)
def _setintersection(first: list[Any], *others: list[Any]) -> list[Any]:
    return list(_toset([v for v in first if all(v in o for o in others)]))


@_register("one")
def _one(items: list[Any]) -> Any:
    if len(items) > 1:
        raise TfEvalError("one() of a collection with more than one element")
    return items[0] if items else None


@_register("chunklist")
def _chunklist(items: list[Any], size: int) -> list[list[Any]]:
    step = int(size) or len(items) or 1
    return [items[i : i + step] for i in range(0, len(items), step)]


# -- numbers and types -------------------------------------------------------------------------


@_register("min", deep=True)
def _min(*numbers: Any) -> Any:
    return min(to_number(n) for n in numbers)


@_register("max", deep=True)
def _max(*numbers: Any) -> Any:
    return max(to_number(n) for n in numbers)


@_register("sum", deep=True)
def _sum(numbers: list[Any]) -> Any:
    return sum(to_number(n) for n in numbers)


FUNCTIONS["abs"] = lambda n: n if isinstance(n, Unknown) else abs(to_number(n))
FUNCTIONS["ceil"] = lambda n: n if isinstance(n, Unknown) else math.ceil(to_number(n))
FUNCTIONS["floor"] = lambda n: n if isinstance(n, Unknown) else math.floor(to_number(n))
FUNCTIONS["signum"] = lambda n: (
    n if isinstance(n, Unknown) else (to_number(n) > 0) - (to_number(n) < 0)
)


@_register("pow")
def _pow(base: Any, exponent: Any) -> Any:
    result = to_number(base) ** to_number(exponent)
    return int(result) if float(result).is_integer() else result


@_register("parseint")
def _parseint(text: str, base: int) -> int:
    return int(text, int(base))


FUNCTIONS["tostring"] = lambda v: v if isinstance(v, Unknown) or v is None else _str(v)
FUNCTIONS["tonumber"] = lambda v: v if isinstance(v, Unknown) or v is None else to_number(v)


def _tobool(value: Any) -> Any:
    if isinstance(value, Unknown) or value is None or isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise TfEvalError(f"{value!r} is not a bool")


FUNCTIONS["tobool"] = _tobool

# -- encodings and hashes ----------------------------------------------------------------------


@_register("jsonencode", deep=True)
def _jsonencode(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


@_register("jsondecode")
def _jsondecode(text: str) -> Any:
    return json.loads(text)


@_register("base64encode")
def _base64encode(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@_register("base64decode")
def _base64decode(text: str) -> str:
    return base64.b64decode(text).decode()


@_register("md5")
def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


@_register("sha1")
def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


@_register("sha256")
def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@_register("uuidv5")
def _uuidv5(namespace: str, name: str) -> str:
    spaces = {
        "dns": uuid.NAMESPACE_DNS,
        "url": uuid.NAMESPACE_URL,
        "oid": uuid.NAMESPACE_OID,
        "x500": uuid.NAMESPACE_X500,
    }
    space = spaces.get(namespace) or uuid.UUID(namespace)
    return str(uuid.uuid5(space, name))


# -- IP networks (documented examples in tests) ------------------------------------------------


def _network(prefix: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        raise TfEvalError(f"invalid CIDR {prefix!r}") from None


@_register("cidrsubnet")
def _cidrsubnet(prefix: str, newbits: int, netnum: int) -> str:
    network = _network(prefix)
    length = network.prefixlen + int(newbits)
    if length > network.max_prefixlen or int(netnum) >= 2 ** int(newbits) or int(netnum) < 0:
        raise TfEvalError(f"no subnet {netnum} of {newbits} more bits in {prefix}")
    size = 2 ** (network.max_prefixlen - length)
    start = int(network.network_address) + int(netnum) * size
    return f"{ipaddress.ip_address(start)}/{length}"


@_register("cidrhost")
def _cidrhost(prefix: str, hostnum: int) -> str:
    network = _network(prefix)
    number = int(hostnum)
    if number < 0:
        number += network.num_addresses
    if not 0 <= number < network.num_addresses:
        raise TfEvalError(f"host {hostnum} is outside {prefix}")
    return str(ipaddress.ip_address(int(network.network_address) + number))


@_register("cidrnetmask")
def _cidrnetmask(prefix: str) -> str:
    return str(_network(prefix).netmask)


@_register("cidrsubnets")
def _cidrsubnets(prefix: str, *newbits: int) -> list[str]:
    network = _network(prefix)
    result: list[str] = []
    cursor = int(network.network_address)
    for bits in newbits:
        length = network.prefixlen + int(bits)
        size = 2 ** (network.max_prefixlen - length)
        cursor = (cursor + size - 1) // size * size  # align
        candidate = ipaddress.ip_network(f"{ipaddress.ip_address(cursor)}/{length}")
        if not candidate.subnet_of(network):  # type: ignore[arg-type]
            raise TfEvalError(f"not enough room in {prefix}")
        result.append(str(candidate))
        cursor += size
    return result


# -- lazy: try and can -------------------------------------------------------------------------


def _try(evaluator: Evaluator, args: tuple[Expr, ...]) -> Any:
    for arg in args:
        try:
            return evaluator.evaluate(arg)
        except TfEvalError:
            continue
    raise TfEvalError("try(): no argument could be evaluated")


def _can(evaluator: Evaluator, args: tuple[Expr, ...]) -> Any:
    if len(args) != 1:
        raise TfEvalError("can() takes one argument")
    try:
        value = evaluator.evaluate(args[0])
    except TfEvalError:
        return False
    return value if isinstance(value, Unknown) else True


LAZY: dict[str, Callable[[Evaluator, tuple[Expr, ...]], Any]] = {"try": _try, "can": _can}
