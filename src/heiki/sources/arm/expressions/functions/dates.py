"""Date functions (MS Learn: template-functions-date). ``utcNow()`` is unknown (it lives in
deployment.py); the rest are pure."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from heiki.sources.arm.expressions.errors import ExpressionError
from heiki.sources.arm.expressions.functions.registry import arm_function
from heiki.sources.arm.expressions.functions.values import need_int, need_str

if TYPE_CHECKING:
    from heiki.sources.arm.expressions.evaluator import Evaluator

_DURATION = re.compile(
    r"^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def _parse_time(function: str, text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ExpressionError(f"{function}(): {text!r} is not an ISO 8601 date-time") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _add_months(value: datetime, months: int) -> datetime:
    month = value.month - 1 + months
    year = value.year + month // 12
    month = month % 12 + 1
    day = min(
        value.day,
        [
            31,
            29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ][month - 1],
    )
    return value.replace(year=year, month=month, day=day)


@arm_function("dateTimeAdd", 2, 3)
def _date_time_add(ev: Evaluator, args: list[Any]) -> Any:
    base = _parse_time("dateTimeAdd", need_str("dateTimeAdd", args, 0))
    match = _DURATION.match(need_str("dateTimeAdd", args, 1))
    if match is None:
        raise ExpressionError(f"dateTimeAdd(): {args[1]!r} is not an ISO 8601 duration")
    sign = -1 if match.group(1) else 1
    years, months, weeks, days, hours, minutes = (int(g or 0) for g in match.groups()[1:7])
    seconds = float(match.group(8) or 0)
    result = _add_months(base, sign * (years * 12 + months))
    result += sign * timedelta(
        weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds
    )
    return result.strftime("%Y-%m-%dT%H:%M:%SZ")


@arm_function("dateTimeFromEpoch", 1, 1)
def _date_time_from_epoch(ev: Evaluator, args: list[Any]) -> Any:
    value = datetime.fromtimestamp(need_int("dateTimeFromEpoch", args, 0), UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


@arm_function("dateTimeToEpoch", 1, 1)
def _date_time_to_epoch(ev: Evaluator, args: list[Any]) -> Any:
    return int(_parse_time("dateTimeToEpoch", need_str("dateTimeToEpoch", args, 0)).timestamp())
