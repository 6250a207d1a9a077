"""The environment model: frozen, typed, ARM-shaped values. Imports nothing else of heiki."""

from heiki.model.environment import Environment
from heiki.model.source import SourceLocation
from heiki.model.values import DnsName, PortRange, Prefix, ResourceId

__all__ = ["DnsName", "Environment", "PortRange", "Prefix", "ResourceId", "SourceLocation"]
