"""The template functions, one module per group of Microsoft's reference pages. Importing this
package fills the registry."""

from heiki.sources.arm.expressions.functions import (  # noqa: F401
    cidr,
    collections,
    dates,
    deployment,
    lambdas,
    logic,
    numeric,
    resources,
    strings,
)
