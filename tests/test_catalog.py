"""Catalog integrity: every entry is sourced and dated; every group ID has zones and forwarders."""

from __future__ import annotations

from heiki.catalog import load_catalog
from heiki.model.values import DnsName


def test_every_private_link_entry_is_complete() -> None:
    catalog = load_catalog()
    assert catalog.private_link
    for service in catalog.private_link:
        label = f"{service.resource_type}/{service.group_id}"
        assert service.private_dns_zones, label
        assert service.public_forwarder_zones, label
        assert service.provenance.source.startswith("https://learn.microsoft.com/"), label
        assert service.provenance.as_of, label
        members = {m.name for m in service.members}
        for record in service.records:
            assert record.member in members, f"{label}: record {record.name} has no member"
            assert record.zone in service.private_dns_zones, label
        for zone in (*service.private_dns_zones, *service.public_forwarder_zones):
            DnsName(zone.replace("{region}", "japaneast"))


def test_group_ids_the_designs_rely_on_exist() -> None:
    catalog = load_catalog()
    for resource_type, group in [
        ("Microsoft.MachineLearningServices/workspaces", "amlworkspace"),
        ("Microsoft.Storage/storageAccounts", "blob"),
        ("Microsoft.Storage/storageAccounts", "file"),
        ("Microsoft.Storage/storageAccounts", "dfs"),
        ("Microsoft.KeyVault/vaults", "vault"),
        ("Microsoft.ContainerRegistry/registries", "registry"),
        ("Microsoft.MachineLearningServices/registries", "amlregistry"),
    ]:
        assert catalog.private_link_service(resource_type, group), group
    workspace = catalog.private_link_service(
        "Microsoft.MachineLearningServices/workspaces", "amlworkspace"
    )
    assert workspace is not None
    assert set(workspace.private_dns_zones) == {
        "privatelink.api.azureml.ms",
        "privatelink.notebooks.azure.net",
    }
    # both compute-instance suffixes are forwarded (decision compute-instance-suffix)
    assert {"instances.azureml.ms", "instances.ml.azure.ms"} <= set(
        workspace.public_forwarder_zones
    )


def test_egress_profiles_are_sourced_and_well_formed() -> None:
    catalog = load_catalog()
    for profile in catalog.egress_profiles:
        assert profile.provenance.source.startswith("https://"), profile.name
        assert profile.provenance.as_of, profile.name
        for destination in profile.destinations:
            assert bool(destination.service_tag) != bool(destination.fqdn)
            assert destination.ports and all(0 < p < 65536 for p in destination.ports)
            if destination.fqdn:
                DnsName(destination.fqdn.replace("{region}", "japaneast"))
    pypi = catalog.egress_profile("pypi")
    assert pypi is not None
    assert {d.fqdn for d in pypi.destinations} == {"pypi.org", "files.pythonhosted.org"}
    for capability, profiles in catalog.capabilities:
        for name in profiles:
            assert catalog.egress_profile(name), f"{capability} names unknown profile {name}"


def test_platform_facts() -> None:
    catalog = load_catalog()
    assert str(catalog.azure_dns) == "168.63.129.16"
    assert len(catalog.nsg_default_rules) == 6
    assert {c.name for c in catalog.reserved_subnets} >= {
        "AzureFirewallSubnet",
        "AzureFirewallManagementSubnet",
        "GatewaySubnet",
        "AzureBastionSubnet",
    }
    basic = catalog.firewall_tier("Basic")
    assert basic is not None and not basic.dns_proxy


def test_every_ambiguity_has_a_recorded_decision() -> None:
    catalog = load_catalog()
    assert len(catalog.decisions) >= 15
    for decision in catalog.decisions:
        assert decision.sources and all(s.startswith("https://") for s in decision.sources)
        assert decision.decision and decision.as_of


def test_libyaml_reads_every_catalog_file_as_the_python_parser_does() -> None:
    """The catalog is read with libyaml when PyYAML has it (speed); it must give the same data."""
    from importlib import resources

    import yaml

    folder = resources.files("heiki.catalog").joinpath("data")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
    assert len(names) >= 6
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for name in names:
        text = folder.joinpath(name).read_text(encoding="utf-8")
        assert yaml.load(text, Loader=loader) == yaml.safe_load(text), name
