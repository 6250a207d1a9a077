"""The ARM path: fuzzed JSON as a template, expanded and converted into the model
(heiki.sources.arm.load.load_arm, as `heiki check FILE.json` does) -> an environment or an
InputError."""

import tempfile
from pathlib import Path

import atheris
from _harness import main

with atheris.instrument_imports(include=["heiki"]):
    from heiki.sources.arm.load import load_arm

FILE = Path(tempfile.mkdtemp(prefix="heiki-fuzz-")) / "template.json"


def test_one(data: bytes) -> None:
    FILE.write_bytes(data)
    load_arm([FILE])


if __name__ == "__main__":
    main(test_one)
