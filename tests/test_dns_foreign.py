"""Public DNS of resources outside the environment: the ``privatelink`` CNAME chain of a foreign
resource resolves from anywhere, and a foreign account with its own private endpoint answers
NXDOMAIN from a VNet linked to the same privatelink zone - unless the link falls back to the
internet (NxDomainRedirect)."""

from __future__ import annotations

from dnshelp import ask, design, details, env_of, with_internet_fallback
from heiki.analyses.dns import Outcome

FOREIGN_WITH_ENDPOINT = "heiki-foreign-pe.blob.core.windows.net"

NO_ZONES = """\
name: no-zones
location: japaneast
spokes:
  ml:
    address_space: 10.1.0.0/16
    vms: [{name: vm-one}]
"""


def test_a_foreign_privatelink_name_resolves_publicly_from_anywhere() -> None:
    env = env_of(NO_ZONES)
    r = ask(env, "vm-one", "otheraccount.privatelink.blob.core.windows.net")
    assert r.outcome is Outcome.PUBLIC
    assert "public endpoint" in details(r)


def test_a_foreign_account_with_an_endpoint_resolves_publicly_without_our_zone() -> None:
    env = env_of(NO_ZONES)
    r = ask(env, "vm-one", FOREIGN_WITH_ENDPOINT)
    assert r.outcome is Outcome.PUBLIC
    assert "heiki-foreign-pe.privatelink.blob.core.windows.net" in details(r)


def test_our_linked_privatelink_zone_answers_nxdomain_for_a_foreign_account() -> None:
    r = ask(design("closed-aml"), "ml/compute", FOREIGN_WITH_ENDPOINT)
    assert r.outcome is Outcome.NXDOMAIN
    assert "privatelink.blob.core.windows.net" in details(r)


def test_with_internet_fallback_the_foreign_account_resolves_publicly() -> None:
    env = with_internet_fallback(design("closed-aml"))
    r = ask(env, "ml/compute", FOREIGN_WITH_ENDPOINT)
    assert r.outcome is Outcome.PUBLIC


def test_a_foreign_account_without_an_endpoint_is_plain_public() -> None:
    r = ask(design("closed-aml"), "ml/compute", "someaccount.blob.core.windows.net")
    assert r.outcome is Outcome.PUBLIC
    assert "privatelink" not in details(r)
