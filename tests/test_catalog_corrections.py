"""Catalog corrections against Microsoft's current pages, each with a trace that shows the
designs meet them: Azure ML's tundra host, the global MicrosoftContainerRegistry tag, Hugging
Face's apex and sign-in hosts."""

from __future__ import annotations

import pytest

from dnshelp import design
from heiki.analyses.trace import Verdict
from heiki.catalog import load_catalog
from nethelp import trace

CATALOG = load_catalog()


def _destinations(profile: str) -> set[tuple[str, str, tuple[int, ...]]]:
    found = CATALOG.egress_profile(profile)
    assert found is not None
    return {(d.fqdn or d.service_tag, d.protocol, d.ports) for d in found.destinations}


def test_azure_ml_compute_needs_the_regional_tundra_host() -> None:
    assert ("*.tundra.{region}.api.azureml.ms", "Udp", (5831,)) in _destinations("azure-ml")


def test_the_container_registry_tag_is_the_global_one() -> None:
    tags = {d for d, _, _ in _destinations("azure-ml")}
    assert "MicrosoftContainerRegistry" in tags
    assert not any(t.startswith("MicrosoftContainerRegistry.") for t in tags)


def test_hugging_face_needs_its_apex_and_sign_in_hosts() -> None:
    names = {d for d, _, _ in _destinations("huggingface")}
    assert {"hf.co", "cdn.auth0.com", "*.hf.co"} <= names


@pytest.mark.parametrize(
    ("destination", "port", "protocol"),
    [
        ("heiki-probe.tundra.japaneast.api.azureml.ms", 5831, "udp"),
        ("mcr.microsoft.com", 443, "tcp"),
        ("tag:MicrosoftContainerRegistry", 443, "tcp"),
        ("hf.co", 443, "tcp"),
        ("cdn.auth0.com", 443, "tcp"),
    ],
)
def test_closed_aml_allows_them(destination: str, port: int, protocol: str) -> None:
    result = trace(design("closed-aml"), "ml/cluster", destination, port, protocol)
    assert result.verdict is Verdict.DELIVERED, result.reason


def test_a_regional_registry_rule_would_not_satisfy_the_global_requirement() -> None:
    # what the traces and the allow-list agree on: mcr.microsoft.com carries the global tag only
    public = next(e for e in CATALOG.public_endpoints if e.pattern == "mcr.microsoft.com")
    assert "MicrosoftContainerRegistry" in public.service_tags
    assert not any(t.startswith("MicrosoftContainerRegistry.") for t in public.service_tags)
