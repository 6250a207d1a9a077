"""SARIF 2.1.0 from the canonical record, for code scanning in pull requests.

Only the rules that fired are listed; locations point into the source file where known (a
``heiki:designs/...`` URI for built-in designs), and a logical location names the Azure resource
otherwise. The evidence travels in the result's properties. Validated against the OASIS schema
in the tests.
"""

from __future__ import annotations

import hashlib
from typing import Any

from heiki.reports.folding import fold, instance_names

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
_SECURITY = {"error": "8.0", "warning": "5.0", "info": "2.0"}


def _location(finding: dict[str, Any]) -> dict[str, Any]:
    location: dict[str, Any] = {}
    where = finding["location"]
    if where and where.get("file"):
        physical: dict[str, Any] = {"artifactLocation": {"uri": where["file"]}}
        if where.get("line"):
            region: dict[str, Any] = {"startLine": where["line"]}
            if where.get("column"):
                region["startColumn"] = where["column"]
            physical["region"] = region
        location["physicalLocation"] = physical
    if finding["resource"]:
        location["logicalLocations"] = [
            {"fullyQualifiedName": finding["resource"], "kind": "resource"}
        ]
    return location


def _fingerprint(finding: dict[str, Any]) -> str:
    text = f"{finding['rule']}|{finding['resource']}|{finding['message']}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def sarif_document(record: dict[str, Any]) -> dict[str, Any]:
    rules = [
        {
            "id": rule["id"],
            "name": rule["name"],
            "shortDescription": {"text": rule["title"]},
            "fullDescription": {"text": rule["rationale"][:1000]},
            "help": {
                "text": f"{rule['fix']}\n" + "\n".join(rule["references"]),
                "markdown": f"**Fix:** {rule['fix']}\n\n"
                + "\n".join(f"- <{ref}>" for ref in rule["references"]),
            },
            "defaultConfiguration": {"level": _LEVELS[rule["severity"]]},
            "properties": {
                "tags": [rule["id"].rstrip("0123456789").lower()],
                "security-severity": _SECURITY[rule["severity"]],
            },
        }
        for rule in record["rules"]
    ]
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    results = []
    folded = fold(record["findings"])
    consequences = folded.consequences
    # one defect, one result: consequences travel as related locations, the other instances of
    # a defect repeated at one place as the resources it stands for
    for finding in folded.roots:
        result: dict[str, Any] = {
            "ruleId": finding["rule"],
            "ruleIndex": index[finding["rule"]],
            "level": _LEVELS[finding["severity"]],
            "message": {"text": finding["message"]},
            "partialFingerprints": {"heikiFinding/v1": finding["id"]},
            "properties": {"evidence": finding["evidence"], "fix": finding["fix"]},
        }
        location = _location(finding)
        if location:
            result["locations"] = [location]
        instances = folded.instances.get(finding["id"], ())
        if instances:
            result["message"]["text"] += (
                f" (the same at this place for {len(instances)} more: {instance_names(instances)})"
            )
            result["properties"]["instances"] = [f["resource"] for f in instances]
        related = []
        for position, consequence in enumerate(consequences.get(finding["id"], ())):
            where = _location(consequence) or {}
            related.append(
                {
                    **where,
                    "id": position,
                    "message": {
                        "text": f"consequence {consequence['rule']}: {consequence['message']}"
                    },
                }
            )
        if related:
            result["relatedLocations"] = related
            result["properties"]["consequences"] = [
                f"{c['rule']}: {c['message']}" for c in consequences[finding["id"]]
            ]
        results.append(result)
    # Input diagnostics count towards the verdict, so code scanning must see them too.
    for code in sorted({d["code"] for d in record["diagnostics"]}):
        first = next(d for d in record["diagnostics"] if d["code"] == code)
        index[code] = len(rules)
        rules.append(
            {
                "id": code,
                "name": f"input-{code.lower()}",
                "shortDescription": {"text": "Input diagnostic"},
                "defaultConfiguration": {"level": _LEVELS[first["severity"]]},
                "properties": {"tags": ["input"]},
            }
        )
    for diagnostic in record["diagnostics"]:
        result = {
            "ruleId": diagnostic["code"],
            "ruleIndex": index[diagnostic["code"]],
            "level": _LEVELS[diagnostic["severity"]],
            "message": {"text": diagnostic["message"]},
            "partialFingerprints": {
                "heikiFinding/v1": _fingerprint(
                    {"rule": diagnostic["code"], "resource": None, "message": diagnostic["message"]}
                )
            },
        }
        location = _location({"location": diagnostic["location"], "resource": None})
        if location:
            result["locations"] = [location]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "heiki",
                        "version": record["tool"]["version"],
                        "informationUri": "https://github.com/heiki/heiki",
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": f"heiki/{record['environment']}"},
                "results": results,
            }
        ],
    }
