"""heiki.toml reader (heiki.config.parse_config): any bytes -> a config or an InputError."""

import atheris
from _harness import main, text

with atheris.instrument_imports(include=["heiki"]):
    from heiki.config import parse_config


def test_one(data: bytes) -> None:
    parse_config(text(data), "heiki.toml")


if __name__ == "__main__":
    main(test_one)
