"""Azure rejects an NSG rule whose address field lists a service tag among several entries:
an error at the rule (IN016, exit 2), not a warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from heiki.cli.main import cli
from test_coverage import NET, ml_template, outbound_allow, resource, write


def _nsg(destinations: list[str]) -> object:
    rule = outbound_allow("allow-out", destinations)
    return resource(f"{NET}/networkSecurityGroups", "nsg-ml", {"securityRules": [rule]})


@pytest.mark.parametrize(
    ("destinations", "rejected"),
    [
        (["Storage", "AzureCloud"], True),
        (["Storage.japaneast", "203.0.113.0/24"], True),
        (["203.0.113.0/24", "198.51.100.7"], False),
        (["Storage"], False),
    ],
)
def test_several_entries_with_a_service_tag_are_rejected(
    tmp_path: Path, destinations: list[str], rejected: bool
) -> None:
    path = write(tmp_path, ml_template(_nsg(destinations)))
    result = CliRunner().invoke(cli, ["check", path])
    assert (result.exit_code == 2) is rejected, result.output
    assert ("IN016" in result.output) is rejected
    if rejected:
        assert f"{path}:" in result.output and "Traceback" not in result.output
        assert "split the rule" in " ".join(result.output.split())
