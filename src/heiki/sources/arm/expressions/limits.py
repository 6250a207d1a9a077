"""Bounds on what one expression may build: no value of a deployment can exceed the 4 MB Azure
accepts for a whole template (learn.microsoft.com/azure/azure-resource-manager/templates/
best-practices, "Template limits"); a template that builds more - a variable doubled 40 times,
``padLeft`` to two billion characters - is a located error, never memory exhaustion."""

MAX_TEXT = 4 * 1024 * 1024
"""Characters one string value (or a format width / padding) may have."""
MAX_ITEMS = 1_000_000
"""Items one array or object value may have."""
