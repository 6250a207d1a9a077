"""Hostile and broken input (issue 18, first slice): every input file comes through one door
(heiki/inputs.py) - a FIFO, directory or device is refused at once, the encodings real tools
write are read, nesting and alias expansion are bounded - and a rule selection that names no
rule is an error, not a silent pass. Each case: exit 2, a located message, no traceback."""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from heiki.cli.main import cli

VNET = {
    "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
    "Microsoft.Network/virtualNetworks/vnet-a",
    "type": "Microsoft.Network/virtualNetworks",
    "name": "vnet-a",
    "location": "japaneast",
    "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": []},
}


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _refused(code: str, *args: str) -> str:
    exit_code, output = _run(*args)
    assert exit_code == 2, output
    assert f"error {code}" in output, output
    assert "Traceback" not in output
    return output


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_fifo_is_refused_at_once(tmp_path: Path, suffix: str) -> None:
    fifo = tmp_path / f"input{suffix}"
    os.mkfifo(fifo)
    assert "FIFO" in _refused("IN003", "check", str(fifo))


def test_a_fifo_as_configuration_or_onprem_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "heiki.toml"
    os.mkfifo(fifo)
    _refused("IN003", "check", "--config", str(fifo))
    onprem = tmp_path / "onprem.yaml"
    os.mkfifo(onprem)
    _refused("IN003", "check", "closed-aml", "--onprem", str(onprem))


def test_a_device_is_refused_without_reading_it() -> None:
    assert "character device" in _refused("IN003", "check", "/dev/zero")


def test_a_folder_without_terraform_files_is_not_an_empty_environment(tmp_path: Path) -> None:
    folder = tmp_path / "design.yaml"
    folder.mkdir()
    assert "without .tf files" in _refused("IN003", "check", str(folder))


def test_text_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: x\ndescription: caf\xe9\n".encode("latin-1"))
    output = _refused("IN003", "check", str(path))
    assert "latin1.yaml:2" in output and "UTF-8" in output


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"), (b"", "utf-8")],
)
def test_windows_powershell_utf16_exports_are_read(
    tmp_path: Path, bom: bytes, encoding: str
) -> None:
    """`az resource list > file` in Windows PowerShell 5.1 writes UTF-16 LE with a BOM."""
    path = tmp_path / "export.json"
    path.write_bytes(bom + json.dumps([VNET]).encode(encoding))
    code, output = _run("show", str(path), "--format", "json")
    assert code == 0, output
    assert "vnet-a" in output


def test_deep_nesting_is_an_input_error_not_a_recursion_error(tmp_path: Path) -> None:
    deep_json = tmp_path / "deep.json"
    deep_json.write_text('{"a": "[[[",\n "b": ' + "[" * 50_000 + "]" * 50_000 + "}", "utf-8")
    # located where the nesting passes the limit (brackets inside strings do not count)
    assert "deep.json:2:506: error IN060: JSON nested too deeply" in _refused(
        "IN060", "check", str(deep_json)
    )
    deep_yaml = tmp_path / "deep.yaml"
    deep_yaml.write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")
    # libyaml stops at its own depth limit (with the place); PyYAML's parser at Python's
    refused = _refused("IN001", "check", str(deep_yaml))
    assert "nested too deeply" in refused or "maximum nesting depth" in refused
    deep_toml = tmp_path / "deep.toml"
    deep_toml.write_text("select = " + "[" * 50_000 + "]" * 50_000, encoding="utf-8")
    assert "deep.toml:1:510: error IN050: TOML nested too deeply" in _refused(
        "IN050", "check", "--config", str(deep_toml)
    )
    folder = tmp_path / "tf"
    folder.mkdir()
    (folder / "main.tf").write_text(
        'variable "a" {\n  default = ' + "[" * 5_000 + "]" * 5_000 + "\n}\n", "utf-8"
    )
    assert "main.tf:2:512: error IN060: HCL nested too deeply" in _refused(
        "IN060", "check", str(folder)
    )


def test_an_integer_too_long_to_convert_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"a": ' + "9" * 5000 + "}", encoding="utf-8")
    _refused("IN060", "check", str(path))


def test_a_yaml_alias_bomb_is_cut_at_the_value_budget(tmp_path: Path) -> None:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(9):
        this, last = chr(98 + i), chr(97 + i)
        lines.append(f"{this}: &{this} [{', '.join(f'*{last}' for _ in range(9))}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    output = _refused("IN001", "check", str(path))
    assert "bomb.yaml:" in output and "expands to more than" in output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--select", "ZZZ"), "names no rule"),
        (("--select", "DSN001"), "did you mean DNS001?"),
        (("--ignore", ""), "is empty"),
        (("--select", "DNS", "--ignore", "DNS"), "leaves no rule to run"),
    ],
)
def test_a_rule_selection_that_matches_nothing_is_an_error(
    args: tuple[str, ...], expected: str
) -> None:
    """Otherwise every rule is off and `check nsg-only` passes in CI."""
    assert expected in _refused("IN050", "check", "nsg-only", *args)


def test_configuration_naming_rules_that_do_not_exist_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "heiki.toml"
    config.write_text('select = ["ZZZ"]\n[severity]\nDNS999 = "error"\n', encoding="utf-8")
    output = _refused("IN050", "check", "nsg-only", "--config", str(config))
    assert "select 'ZZZ' names no rule" in output
    assert "[severity] DNS999 names no rule" in output
    assert str(config) in output


def test_a_valid_selection_still_runs() -> None:
    code, output = _run("check", "nsg-only", "--select", "dns0", "--ignore", "DNS015")
    assert code in (0, 1), output
    assert "Result:" in output


@pytest.mark.parametrize(
    "option", [("--parameters", "x=1"), ("--var", "a=b"), ("--allow-outside", ".")]
)
def test_template_options_with_a_blueprint_are_an_error(option: tuple[str, str]) -> None:
    """Ignoring them would let the user believe the blueprint was checked with those values."""
    assert option[0] in _refused("IN041", "check", "nsg-only", *option)


def test_a_parameter_the_template_does_not_declare_is_the_error_azure_gives(
    tmp_path: Path,
) -> None:
    template = tmp_path / "t.json"
    template.write_text(
        json.dumps(
            {
                "$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
                "deploymentTemplate.json#",
                "contentVersion": "1.0.0.0",
                "parameters": {"name": {"type": "string", "defaultValue": "vnet-a"}},
                "resources": [],
            }
        ),
        encoding="utf-8",
    )
    parameters = tmp_path / "t.parameters.json"
    parameters.write_text(
        json.dumps({"parameters": {"name": {"value": "x"}, "nmae": {"value": "typo"}}}),
        encoding="utf-8",
    )
    output = _refused("IN064", "show", str(template), "--parameters", str(parameters))
    assert "'nmae' is not declared" in output and "t.parameters.json:" in output
    inline = _refused("IN064", "show", str(template), "--parameters", "other=1")
    assert "'other' is not declared" in inline


def _template_with(variables: dict[str, str], path: Path) -> Path:
    document = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
        "deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "variables": variables,
        "resources": [
            {
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": "2023-04-01",
                "name": "[variables('x')]",
                "location": "japaneast",
                "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
            }
        ],
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _doubled(times: int) -> dict[str, str]:
    variables = {"v0": "aaaaaaaaaa"}
    for i in range(1, times + 1):
        variables[f"v{i}"] = f"[concat(variables('v{i - 1}'), variables('v{i - 1}'))]"
    variables["x"] = f"[substring(variables('v{times}'), 0, 5)]"
    return variables


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        (_doubled(40), "more than a whole template may hold"),
        ({"x": "[padLeft('a', 2000000000, 'b')]"}, "padLeft(): a width of 2000000000"),
        ({"x": "[format('{0,2000000000}', 'a')]"}, "an alignment of 2000000000"),
        ({"x": "[format('{0:D2000000000}', 5)]"}, "a width of 2000000000"),
        ({"x": "[string(length(range(0, 100000000)))]"}, "range(): count"),
    ],
)
def test_expression_bombs_are_located_errors_not_memory_exhaustion(
    tmp_path: Path, variables: dict[str, str], expected: str
) -> None:
    path = _template_with(variables, tmp_path / "bomb.json")
    output = _refused("IN060", "check", str(path))
    assert expected in output and "bomb.json:" in output and "/variables/" in output


def _design_with(tmp_path: Path, old: str, new: str) -> Path:
    from heiki.designs import design_file

    resource = design_file("nsg-only")
    assert resource is not None
    text = resource.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "design.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        ("name: mlw-nsgonly", 'name: "mlw nsg only"', "Azure ML workspace"),
        ("name: mlw-nsgonly", 'name: "mlw-\\U0001F600"', "Azure ML workspace"),
        ("name: mlw-nsgonly", "name: " + "w" * 40, "Azure ML workspace"),
        ("instances: [ci-alice]", 'instances: ["ci alice"]', "compute instance"),
        ("instances: [ci-alice]", 'instances: ["ci\\u202ealice"]', "compute instance"),
        ("instances: [ci-alice]", "instances: [1ci]", "compute instance"),
    ],
)
def test_names_azure_refuses_are_located_not_a_crash_in_the_dns(
    tmp_path: Path, old: str, new: str, what: str
) -> None:
    """Spaces, emoji, bidi controls, 40 characters: each becomes a DNS label further on."""
    output = _refused("IN017", "check", str(_design_with(tmp_path, old, new)))
    article = "an" if what[0].lower() in "aeiou" else "a"
    assert f"a name Azure accepts for {article} {what}" in output and "design.yaml:" in output


def test_a_template_with_an_invalid_storage_name_is_refused_as_azure_would(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    account = {
        "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
        "Microsoft.Storage/storageAccounts/St Bad",
        "type": "Microsoft.Storage/storageAccounts",
        "name": "St Bad",
        "location": "japaneast",
        "kind": "StorageV2",
        "sku": {"name": "Standard_LRS"},
        "properties": {},
    }
    path.write_text(json.dumps([VNET, account]), encoding="utf-8")
    assert "'St Bad'" in _refused("IN017", "check", str(path))


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--subscription", "not-a-guid", "is not a subscription ID"),
        ("--resource-group", "rg/with/slash", "is not a resource group"),
        ("--resource-group", "ends.", "is not a resource group"),
        ("--location", "", "is not a location"),
        ("--location", "japan/east", "is not a location"),
    ],
)
def test_deployment_target_values_azure_refuses_are_errors(
    tmp_path: Path, option: str, value: str, expected: str
) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps([VNET]), encoding="utf-8")
    assert expected in _refused("IN041", "show", str(path), option, value)


def test_a_location_display_name_is_accepted_as_azure_accepts_it(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps([VNET]), encoding="utf-8")
    code, output = _run("show", str(path), "--location", "Japan East")
    assert code == 0, output


def test_target_options_with_a_blueprint_are_an_error() -> None:
    assert "--subscription" in _refused(
        "IN041", "check", "nsg-only", "--subscription", "00000000-0000-0000-0000-000000000000"
    )


def test_an_arm_prefix_that_is_no_prefix_is_named_not_dropped_silently(tmp_path: Path) -> None:
    vnet = {
        **VNET,
        "properties": {"addressSpace": {"addressPrefixes": ["999.0.0.0/8", "10.0.0.0/16"]}},
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps([vnet]), encoding="utf-8")
    code, output = _run("show", str(path))
    assert code == 0, output
    assert "warning IN064" in output and "'999.0.0.0/8' is not an IPv4 or IPv6 prefix" in output
    ipv6 = {
        **VNET,
        "properties": {"addressSpace": {"addressPrefixes": ["fd00::/48", "10.0.0.0/16"]}},
    }
    path.write_text(json.dumps([ipv6]), encoding="utf-8")
    code, output = _run("show", str(path))
    assert code == 0 and "IN064" not in output, output  # IPv6 is valid, only not modelled


def test_a_region_display_name_is_stored_as_its_name() -> None:
    """Azure accepts "Japan East" and stores japaneast; names built from the region (firewall
    FQDNs, compute instance hosts) use the stored form (found by fuzz/fuzz_blueprint.py with
    spaces inside the region)."""
    from heiki.sources import load_blueprint
    from heiki.sources.yamlread import parse_yaml

    text = (Path(__file__).parents[1] / "src/heiki/designs/closed-aml.yaml").read_text()
    env = load_blueprint(
        parse_yaml(text.replace("location: japaneast", "location: Japan East"), "x.yaml")
    ).environment
    assert env.location == "japaneast"
    assert {v.location for v in env.virtual_networks} == {"japaneast"}


def test_the_input_size_limit_is_an_option(tmp_path: Path) -> None:
    """256 MB by default (a 1,000-spoke ARM template is 64 MB); --max-input-mb moves it."""
    from heiki.inputs import DEFAULT_LIMIT, input_limit, set_input_limit

    big = tmp_path / "big.json"
    export = [
        {
            "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"
            "/Microsoft.Network/virtualNetworks/vnet-a",
            "name": "vnet-a",
            "type": "Microsoft.Network/virtualNetworks",
            "location": "japaneast",
            "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
            "tags": {"padding": "x" * (2 * 1024 * 1024)},
        }
    ]
    big.write_text(json.dumps(export), encoding="utf-8")
    try:
        refused = _refused("IN004", "--max-input-mb", "1", "show", str(big))
        assert "--max-input-mb" in refused
        code, output = _run("show", str(big))
        assert code == 0, output
        assert input_limit() == DEFAULT_LIMIT
    finally:
        set_input_limit(DEFAULT_LIMIT)
