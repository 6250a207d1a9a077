"""YAML reader (heiki.sources.yamlread): any bytes -> a located document or an InputError."""

import atheris
from _harness import main, text

with atheris.instrument_imports(include=["heiki"]):
    from heiki.sources.yamlread import parse_yaml


def test_one(data: bytes) -> None:
    parse_yaml(text(data), "fuzz.yaml")


if __name__ == "__main__":
    main(test_one)
