"""ARM templates and deployed-resource JSON: the expression language and, on top of it, the loader."""
