"""User configuration: rule selection, severity overrides and suppressions with a reason.

Read from ``--config FILE``, else ``heiki.toml`` in the working directory, else ``[tool.heiki]`` in
its ``pyproject.toml``::

    select = ["DNS", "NET"]          # rule ID prefixes to run (default: all)
    ignore = ["FW002"]               # rule ID prefixes to skip
    fail_on = "warning"              # error | warning | never (the CLI flag wins)

    [severity]
    DNS015 = "error"                 # override a rule's default severity

    [[suppress]]
    rule = "CLS001"
    resource = "ststrayupload"       # matched against the finding's resource ID and message
    reason = "kept until the migration ends (CHG-1234)"   # required

A suppression that matches nothing is reported (CFG001), so stale ones do not pile up.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heiki import diagnostics as dx
from heiki.diagnostics import Diagnostic, InputError, Severity
from heiki.inputs import nesting_message, read_input_text
from heiki.model.source import SourceLocation

CONFIG_FILE = "heiki.toml"
_KEYS = {"select", "ignore", "fail_on", "severity", "suppress"}
MAX_CONFIG_BYTES = 10 * 1024 * 1024
_FAIL_ON = ("error", "warning", "never")


@dataclass(frozen=True, slots=True)
class Suppression:
    """A finding the configuration suppresses: rule, resource and the reason given."""

    rule: str
    resource: str
    reason: str
    location: SourceLocation

    def matches(self, rule_id: str, resource: str | None, message: str) -> bool:
        if not rule_id.upper().startswith(self.rule.upper()):
            return False
        if not self.resource:
            return True
        wanted = self.resource.lower()
        return wanted in (resource or "").lower() or wanted in message.lower()


@dataclass(frozen=True, slots=True)
class Config:
    """The project configuration (``heiki.toml`` or ``[tool.heiki]``): rules, severities,
    suppressions."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    severity: tuple[tuple[str, Severity], ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    path: str | None = None

    def severity_of(self, rule_id: str, default: Severity) -> Severity:
        for key, value in self.severity:
            if key.upper() == rule_id.upper():
                return value
        return default


def _error(message: str, where: SourceLocation) -> InputError:
    return InputError(Diagnostic(dx.CONFIG, Severity.ERROR, message, where))


def _line_of(text: str, pattern: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.search(pattern, line):
            return number
    return None


def parse_config(text: str, display: str, table: tuple[str, ...] = ()) -> Config:
    """Parse configuration text; ``table`` is the path to the heiki table (``tool.heiki``)."""
    try:
        data: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+), column (\d+)", str(exc))
        if match:
            at = SourceLocation(display, int(match.group(1)), int(match.group(2)))
        elif "end of document" in str(exc):
            at = SourceLocation(display, max(1, len(text.splitlines())))
        else:
            at = SourceLocation(display)
        raise _error(f"TOML syntax: {exc}", at) from None
    except RecursionError:
        raise _error(*nesting_message("TOML", text, display)) from None
    for key in table:
        data = data.get(key, {}) if isinstance(data, dict) else {}
    if not isinstance(data, dict):
        raise _error("the heiki configuration must be a table", SourceLocation(display))

    def where(pattern: str) -> SourceLocation:
        return SourceLocation(display, _line_of(text, pattern))

    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise _error(
            f"unknown configuration key {unknown[0]!r}; known: {', '.join(sorted(_KEYS))}",
            where(rf"^\s*{re.escape(unknown[0])}\s*="),
        )

    def strings(key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _error(f"{key} must be a list of rule ID prefixes", where(rf"^\s*{key}\s*="))
        return tuple(value)

    fail_on = data.get("fail_on")
    if fail_on is not None and (not isinstance(fail_on, str) or fail_on not in _FAIL_ON):
        raise _error(f"fail_on must be one of {', '.join(_FAIL_ON)}", where(r"^\s*fail_on\s*="))
    overrides: list[tuple[str, Severity]] = []
    severity = data.get("severity", {})
    if not isinstance(severity, dict):  # `[[severity]]` or `severity = "x"`
        raise _error(
            "severity must be a table of rule ID = error | warning | info",
            where(r"^\s*\[*\s*severity\b"),
        )
    for rule_id, value in severity.items():
        try:
            overrides.append((rule_id.upper(), Severity(str(value).lower())))
        except ValueError:
            raise _error(
                f"severity of {rule_id} must be error, warning or info, not {value!r}",
                where(rf"^\s*{re.escape(rule_id)}\s*="),
            ) from None
    suppressions: list[Suppression] = []
    entries = data.get("suppress", [])
    if not isinstance(entries, list):  # `suppress = 2`: not an array of [[suppress]] tables
        raise _error(
            "suppress must be [[suppress]] tables (rule, resource, reason)",
            where(r"^\s*\[*\s*suppress\b"),
        )
    for index, entry in enumerate(entries):
        line = [
            n
            for n, text_line in enumerate(text.splitlines(), start=1)
            if re.match(r"^\s*\[\[(tool\.heiki\.)?suppress\]\]", text_line)
        ]
        location = SourceLocation(display, line[index] if index < len(line) else None)
        if not isinstance(entry, dict) or not entry.get("rule"):
            raise _error("a suppression needs a rule", location)
        if not str(entry.get("reason", "")).strip():
            raise _error(f"the suppression of {entry['rule']} needs a reason", location)
        extra = set(entry) - {"rule", "resource", "reason"}
        if extra:
            raise _error(f"unknown key {sorted(extra)[0]!r} in a suppression", location)
        suppressions.append(
            Suppression(
                str(entry["rule"]), str(entry.get("resource", "")), str(entry["reason"]), location
            )
        )
    return Config(
        strings("select"),
        strings("ignore"),
        fail_on,
        tuple(overrides),
        tuple(suppressions),
        display,
    )


def load_config(explicit: str | None = None, directory: Path | None = None) -> Config:
    """The configuration in effect: ``explicit``, else heiki.toml, else pyproject.toml."""
    if explicit is not None:
        path = Path(explicit)
        text = read_input_text(path, explicit, MAX_CONFIG_BYTES)
        table = ("tool", "heiki") if path.name == "pyproject.toml" else ()
        return parse_config(text, explicit, table)
    base = directory or Path.cwd()
    own = base / CONFIG_FILE
    if own.is_file():
        return parse_config(read_input_text(own, CONFIG_FILE, MAX_CONFIG_BYTES), CONFIG_FILE)
    project = base / "pyproject.toml"
    if project.is_file():
        text = read_input_text(project, "pyproject.toml", MAX_CONFIG_BYTES)
        if re.search(r"^\s*\[tool\.heiki", text, re.MULTILINE):
            return parse_config(text, "pyproject.toml", ("tool", "heiki"))
    return Config()
