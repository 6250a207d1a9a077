"""ARM expressions: a fuzzed string as a template variable and output, parsed and evaluated by
the template engine (heiki.sources.arm.template) -> a value or a TemplateError, within the
evaluation budget."""

import atheris
from _harness import main, text

with atheris.instrument_imports(include=["heiki"]):
    from heiki.sources.arm.template import expand_template


def test_one(data: bytes) -> None:
    expression = text(data)
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"p": {"type": "string", "defaultValue": "a,b"}},
        "variables": {"v": expression},
        "resources": [],
        "outputs": {"o": {"type": "string", "value": "[string(variables('v'))]"}},
    }
    expand_template(template, "fuzz.json")


if __name__ == "__main__":
    main(test_one)
