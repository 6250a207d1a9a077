"""Azure's size limits of a deployment: the template, each resource definition (an inline nested
deployment is one) and the deployment job. The limits and how they are measured (compressed,
estimated with gzip) are catalog data (``deployment_limits``); this module measures."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from typing import Any

from heiki.catalog import DeploymentLimits


def compressed_size(document: Any) -> int:
    """Bytes of the document as compact JSON, gzip-compressed (deterministic: no timestamp)."""
    return _gzipped(_compact(document))


def _compact(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _gzipped(text: bytes) -> int:
    return len(gzip.compress(text, compresslevel=6, mtime=0))


def _deflate_bound(size: int) -> int:
    """At most the bytes gzip makes of ``size`` bytes: zlib's deflateBound (stored blocks at
    worst) with room to spare, and the 18 bytes of gzip's header and trailer."""
    return size + size // 1024 + 64


@dataclass(frozen=True, slots=True)
class SizeProblem:
    """A template or resource over one of Azure's deployment size limits."""

    what: str
    """``template``, ``job`` or ``resource NAME``."""
    size: int
    limit: int

    def text(self) -> str:
        return (
            f"the {self.what} is {_megabytes(self.size)} compressed; Azure refuses more than "
            f"{_megabytes(self.limit)}"
        )


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.2f} MB" if size >= 2**18 else f"{size / 2**10:.1f} KB"


def size_problems(
    template: dict[str, Any], limits: DeploymentLimits, parameters: Any = None
) -> list[SizeProblem]:
    """What of ``template`` is over Azure's limits: the template, each top-level resource
    definition, and the job (the template and its parameters, with room for the request)."""
    problems: list[SizeProblem] = []
    whole = compressed_size(template)
    if whole > limits.template_bytes:
        problems.append(SizeProblem("template", whole, limits.template_bytes))
    job = whole + (compressed_size(parameters) if parameters is not None else 0)
    job_limit = limits.job_bytes - limits.job_metadata_allowance
    if job > job_limit:
        problems.append(SizeProblem("deployment job", job, job_limit))
    resources = template.get("resources")
    items = resources.values() if isinstance(resources, dict) else resources or []
    for resource in items:
        if not isinstance(resource, dict):
            continue
        text = _compact(resource)
        if _deflate_bound(len(text)) <= limits.resource_bytes:
            continue  # under the limit however well it compresses (nearly every resource)
        size = _gzipped(text)
        if size > limits.resource_bytes:
            name = resource.get("name", "?")
            problems.append(SizeProblem(f"resource definition {name}", size, limits.resource_bytes))
    return problems
