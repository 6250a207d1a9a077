"""Regenerate docs/rules/ from the rule metadata (tests/test_rule_docs.py fails when it is stale)."""

from __future__ import annotations

import sys
from pathlib import Path

from heiki.reports.ruledocs import doc_pages

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def main() -> int:
    DOCS.mkdir(parents=True, exist_ok=True)
    pages = doc_pages()
    for stale in sorted(DOCS.glob("*.md")):
        if stale.name not in pages:
            stale.unlink()
            print(f"removed {stale.name}")
    for name, text in pages.items():
        path = DOCS / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
