"""DNS toil: lifecycle events applied to a copy of the environment, changes counted per team."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from dnshelp import CATALOG, design
from heiki.analyses.dns import Outcome, Resolver
from heiki.analyses.dns.toil import (
    ONPREM_DNS_TEAM,
    LifecycleEvent,
    delete_compute_instance,
    dns_toil,
    new_compute_instance,
    new_private_endpoint,
)
from heiki.analyses.vantage import find_vantage
from heiki.model.dns import RecordSet, RecordType
from heiki.model.ml import Compute, ComputeType
from heiki.model.onprem import OnPremDnsZone
from heiki.model.values import DnsName


def test_closed_aml_needs_no_manual_change_for_any_event() -> None:
    toil = dns_toil(design("closed-aml"), CATALOG)
    assert [e.event for e in toil.events] == list(LifecycleEvent)
    assert toil.total == 0
    assert all(not e.not_applicable for e in toil.events)


def test_a_record_design_needs_one_change_per_new_instance_and_it_fixes_resolution() -> None:
    env = design("a-record-dns")
    event = new_compute_instance(env, CATALOG, "ci-carol")
    assert event.count == 1
    change = event.changes[0]
    assert change.team == ONPREM_DNS_TEAM and change.action == "add A records"
    assert "ci-carol.japaneast.instances.azureml.ms A 10.1.1.37" in change.items
    # before the change: the new instance's name gets the workspace's public endpoint
    assert all(r.outcome is Outcome.PUBLIC for r in event.failing)
    # apply the change request exactly as listed, and the name resolves privately
    workspace = env.workspaces[0]
    compute = Compute(
        id=workspace.id.child("computes", "ci-carol"),
        name="ci-carol",
        location=workspace.location,
        workspace=workspace.id,
        compute_type=ComputeType.COMPUTE_INSTANCE,
        subnet=env.computes[0].subnet,
        enable_node_public_ip=False,
    )
    assert env.on_premises is not None
    server = env.on_premises.dns_servers[0]
    added = tuple(
        OnPremDnsZone(
            DnsName(item.split(" A ")[0]),
            (
                RecordSet(
                    "@", RecordType.A, a_records=(ipaddress.IPv4Address(item.split(" A ")[1]),)
                ),
            ),
        )
        for item in change.items
    )
    fixed = replace(
        env,
        computes=(*env.computes, compute),
        on_premises=replace(
            env.on_premises, dns_servers=(replace(server, zones=server.zones + added),)
        ),
    )
    resolution = Resolver(fixed, CATALOG).resolve(
        find_vantage(fixed, "onprem"), "ci-carol.japaneast.instances.azureml.ms"
    )
    assert resolution.outcome is Outcome.PRIVATE
    assert new_compute_instance(fixed, CATALOG, "ci-dave").count == 1


def test_deleting_an_instance_leaves_stale_records_only_in_the_a_record_design() -> None:
    assert delete_compute_instance(design("closed-aml"), CATALOG).count == 0
    event = delete_compute_instance(design("a-record-dns"), CATALOG)
    assert event.count == 1
    assert event.changes[0].action == "remove stale A records"
    assert len(event.changes[0].items) == 4  # two suffixes x (name, -22 name)


def test_new_storage_endpoint() -> None:
    assert new_private_endpoint(design("closed-aml"), CATALOG).count == 0
    event = new_private_endpoint(design("a-record-dns"), CATALOG)
    assert event.count == 1
    assert event.changes[0].items[0].startswith("stnewaccount.blob.core.windows.net A ")


def test_missing_forwarder_is_one_change_to_the_onprem_dns_team() -> None:
    env = design("closed-aml")
    assert env.on_premises is not None
    server = env.on_premises.dns_servers[0]
    kept = tuple(f for f in server.conditional_forwarders if str(f.zone) != "blob.core.windows.net")
    env = replace(
        env,
        on_premises=replace(
            env.on_premises, dns_servers=(replace(server, conditional_forwarders=kept),)
        ),
    )
    event = new_private_endpoint(env, CATALOG)
    assert event.count == 1
    assert event.changes[0].action == "add conditional forwarders"
    assert event.changes[0].items == ("blob.core.windows.net -> the hub DNS endpoint",)


def test_events_not_applicable_without_a_private_link_workspace() -> None:
    env = design("closed-aml")
    env = replace(
        env,
        private_endpoints=tuple(
            pe for pe in env.private_endpoints if "amlworkspace" not in pe.group_ids
        ),
    )
    event = new_compute_instance(env, CATALOG)
    assert event.not_applicable and event.count == 0
