"""Input diagnostics: what is wrong with the user's input, where, and how bad.

Bad input is reported, never raised as a traceback (cfn-lint's E0000, sqlfluff's PRS). Sources
collect ``Diagnostic`` values; an ``InputError`` carries them out when loading cannot go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from heiki.model.source import SourceLocation


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in the input. ``code`` is stable (``IN001``...) so tests and users can key on it."""

    code: str
    severity: Severity
    message: str
    location: SourceLocation | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.severity.value} {self.code}: {self.message}"


class InputError(Exception):
    """Loading stopped: the input cannot become a model. Exit code 2."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic) -> None:
        self.diagnostics = [diagnostics] if isinstance(diagnostics, Diagnostic) else diagnostics
        super().__init__("\n".join(str(d) for d in self.diagnostics))


# Codes of the input diagnostics; one place, so that docs and tests agree.
YAML_SYNTAX = "IN001"
SCHEMA = "IN002"
FILE_UNREADABLE = "IN003"
FILE_TOO_LARGE = "IN004"
DUPLICATE_KEY = "IN005"
OVERLAPPING_ADDRESS_SPACE = "IN010"
SUBNET_OUTSIDE_VNET = "IN011"
OVERLAPPING_SUBNETS = "IN012"
RESERVED_SUBNET = "IN013"
DELEGATED_SUBNET = "IN014"
REGION_MISMATCH = "IN015"
"""A resource in a subnet is not in its VNet's region."""
NSG_TAGS_PER_FIELD = "IN016"
"""An NSG rule field with a service tag among several entries: Azure rejects the rule."""
INVALID_NAME = "IN017"
"""A name Azure refuses for its resource type (catalog ``name_rules``)."""
UNKNOWN_REFERENCE = "IN020"
REMOTE_GATEWAY_MISSING = "IN021"
DUPLICATE_NAME = "IN022"
DOCKER_BRIDGE_OVERLAP = "IN030"
UNSUPPORTED_BY_SKU = "IN031"
NOT_EXPRESSIBLE = "IN032"
ADDRESS_SPACE_EXHAUSTED = "IN033"
UNKNOWN_DESIGN = "IN040"
OPTION_NOT_FOR_INPUT = "IN041"
"""A command-line option that only template or Terraform inputs take, given with a blueprint or
design; or a deployment-target option (subscription, resource group, location) Azure refuses."""
CONFIG = "IN050"
TEMPLATE = "IN060"
"""An ARM template or expression that cannot be expanded (with file, JSON path, expression)."""
UNSUPPORTED_TYPE = "IN061"
"""A resource type heiki does not model: skipped with a notice, never fatal."""
UNKNOWN_VALUE = "IN062"
"""A value known only at deployment (listKeys, runtime reference, newGuid...)."""
BICEP = "IN063"
"""A .bicep file and no Bicep compiler installed."""
PARAMETER_VALUE = "IN064"
"""A template parameter value Azure would reject (type, allowedValues, min/max value or length)."""
ASSUMED_PARAMETER = "IN065"
"""A template parameter with no value and no default: checked with a placeholder."""
OUTPUT_EXISTS = "IN070"
"""`heiki build` into a non-empty folder without --force."""
NO_HUB_DNS = "IN071"
"""`heiki build`: on-premises must forward zones, but there is no hub DNS endpoint to forward to."""
OUTPUT_UNWRITABLE = "IN072"
"""`heiki build`: the output folder or a file in it cannot be written."""
GIT_REVISION = "IN074"
"""`heiki diff --base-ref`: not a git work tree, an unknown revision, or an input outside it."""
DEPLOYMENT_SIZE = "IN073"
"""A template, resource definition or deployment job over Azure's size limits (compressed): a
warning on an imported template; `heiki build --to arm` links the modules from files instead."""
