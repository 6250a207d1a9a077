"""JSON reader (heiki.sources.arm.load.parse_json): any bytes -> a value or an InputError."""

import atheris
from _harness import main, text

with atheris.instrument_imports(include=["heiki"]):
    from heiki.sources.arm.load import parse_json


def test_one(data: bytes) -> None:
    parse_json(text(data), "fuzz.json")


if __name__ == "__main__":
    main(test_one)
