"""Seed corpora for the harnesses, written into a folder per harness: the built-in designs, the
templates and Terraform quickstarts of ../shared (when it is beside the checkout), heiki's own
ARM and Terraform output, the ARM expressions found in them, and small heiki.toml files."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"

TOML_SEEDS = [
    'select = ["DNS", "CLS001"]\n',
    'ignore = ["NSG002"]\nfail-on = "warning"\n',
    '[severity]\nDNS014 = "warning"\n',
    '[[suppress]]\nrule = "CLS001"\nresource = "*"\nreason = "accepted for the pilot"\n',
    "[tool.heiki]\nselect = []\n",
]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def seeds() -> dict[str, list[bytes]]:
    sys.path.insert(0, str(ROOT / "src"))
    from heiki.generators.arm import arm_template
    from heiki.generators.terraform import terraform_project
    from heiki.sources import load

    designs = sorted((ROOT / "src" / "heiki" / "designs").glob("*.yaml"))
    yaml_seeds = [p.read_bytes() for p in designs]
    # closed-genai with an attached AKS cluster: the blueprint's Kubernetes keys
    genai = (ROOT / "src" / "heiki" / "designs" / "closed-genai.yaml").read_text(encoding="utf-8")
    yaml_seeds.append(
        genai.replace(
            "      batch_endpoints: [bep-score]\n",
            "      batch_endpoints: [bep-score]\n      kubernetes_computes:\n"
            "        - {name: k8s-score, cluster: aks-score, front_end: internal}\n",
            1,
        )
        .replace(
            "      - {name: srch-genai}\n",
            "      - {name: srch-genai}\n    aks_clusters:\n"
            "      - {name: aks-score, outbound_type: userDefinedRouting}\n",
            1,
        )
        .encode()
    )
    templates = [json.dumps(arm_template(load("closed-aml").environment)).encode()]
    templates += [p.read_bytes() for p in sorted(SHARED.rglob("*.json"))] if SHARED.exists() else []
    hcl = [
        text.encode()
        for name, text in sorted(terraform_project(load("closed-aml").environment).items())
        if name.endswith(".tf")
    ]
    hcl += [p.read_bytes() for p in sorted(SHARED.rglob("*.tf"))] if SHARED.exists() else []
    expressions: list[bytes] = []
    for template in templates:
        try:
            document = json.loads(template)
        except ValueError:
            continue
        for text in _strings(document):
            if text.startswith("[") and not text.startswith("[[") and len(text) < 400:
                expressions.append(text.encode())
    expressions = sorted(set(expressions))[:500]
    return {
        "yaml": yaml_seeds,
        "blueprint": yaml_seeds,
        "json": templates,
        "template": templates,
        "toml": [s.encode() for s in TOML_SEEDS],
        "expression": expressions,
        "hcl": [re.sub(rb"\r\n", b"\n", h) for h in hcl],
    }


def write(folder: Path) -> dict[str, Path]:
    """The corpus folder of each harness, filled with its seeds."""
    folders = {}
    for harness, items in seeds().items():
        target = folder / harness
        target.mkdir(parents=True, exist_ok=True)
        for index, data in enumerate(items):
            (target / f"seed-{index:04d}").write_bytes(data)
        folders[harness] = target
    return folders
