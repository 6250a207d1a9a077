"""The Terraform path: a fuzzed .tf file in a root module, parsed and evaluated
(heiki.sources.terraform.load.load_terraform) -> resources or an InputError."""

import tempfile
from pathlib import Path

import atheris
from _harness import main

with atheris.instrument_imports(include=["heiki"]):
    from heiki.catalog import load_catalog
    from heiki.sources.terraform.load import load_terraform

FOLDER = Path(tempfile.mkdtemp(prefix="heiki-fuzz-tf-"))
CATALOG = load_catalog()
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def test_one(data: bytes) -> None:
    (FOLDER / "main.tf").write_bytes(data)
    load_terraform([FOLDER], [], [], CATALOG, SUBSCRIPTION, "rg-fuzz")


if __name__ == "__main__":
    main(test_one)
