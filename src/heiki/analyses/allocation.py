"""Private endpoint IPs left to Azure, allocated as Azure does (``heiki.catalog.allocation``: the
sources need it too, to write on-premises A records for an imported template)."""

from heiki.catalog.allocation import allocate_endpoint_ips

__all__ = ["allocate_endpoint_ips"]
