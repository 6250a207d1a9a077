"""The blueprint path: fuzzed YAML parsed, validated and expanded into the model
(heiki.sources.load_blueprint, as `heiki check FILE.yaml` does) -> an environment or an
InputError."""

import atheris
from _harness import main, text

with atheris.instrument_imports(include=["heiki"]):
    from heiki.sources import load_blueprint
    from heiki.sources.yamlread import parse_yaml


def test_one(data: bytes) -> None:
    load_blueprint(parse_yaml(text(data), "fuzz.yaml"))


if __name__ == "__main__":
    main(test_one)
