"""Offline DNS: resolve any name from any vantage with the steps Azure and on-premises take."""

from heiki.analyses.dns.resolver import Resolver, resolve
from heiki.analyses.dns.types import DnsStep, Outcome, PublicAnswer, Resolution, StepKind

__all__ = ["DnsStep", "Outcome", "PublicAnswer", "Resolution", "Resolver", "StepKind", "resolve"]
