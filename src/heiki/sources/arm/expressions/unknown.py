"""Values known only at deployment time.

``listKeys()``, ``reference()`` to runtime properties, ``newGuid()``, ``utcNow()`` and remote
``templateLink`` targets cannot be known offline. They evaluate to an ``Unknown`` that carries why;
any function given an unknown where it needs the value returns an unknown in turn, so a guess never
enters the model. Containers may hold unknowns: ``length()`` of an array with an unknown element
is still known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value the template does not fix before deployment (a reference, a runtime function)."""

    reason: str
    """Why the value is unknown, e.g. ``listKeys() is a deployment-time value``."""

    def __str__(self) -> str:
        return f"<unknown: {self.reason}>"

    def then(self, what: str) -> Unknown:
        """The unknown that results from using this one (the first reason is kept)."""
        return self if not what else Unknown(f"{self.reason}; {what}")


def first_unknown(values: Any) -> Unknown | None:
    """The first unknown among ``values`` (not looking inside containers)."""
    for value in values:
        if isinstance(value, Unknown):
            return value
    return None


def contains_unknown(value: Any) -> Unknown | None:
    """The first unknown anywhere inside ``value``."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        for item in value:
            found = contains_unknown(item)
            if found is not None:
                return found
    elif isinstance(value, dict):
        for item in value.values():
            found = contains_unknown(item)
            if found is not None:
                return found
    return None


class PartialObject(dict[str, Any]):
    """An object of which only some properties are known (what ``reference()`` returns for a
    resource declared in the template): reading any other property gives an unknown, not an
    error."""

    def missing(self, name: str) -> Unknown:
        return Unknown(f"property {name!r} is known only after deployment")
