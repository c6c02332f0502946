"""Prints bench/results.json as a Markdown table for the README (between the BENCH markers)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def table(results: list[dict]) -> str:
    rows = ["| figure | value | reference (same run) | target |", "|---|---|---|---|"]
    for r in sorted(results, key=lambda r: r["name"]):
        value = f"{r['value']:,.4g} {r['unit']}"
        ref = ""
        if r.get("reference") is not None:
            ref = f"{r['reference']:,.4g} {r['unit']} ({r.get('reference_name', '')[:40]}; ×{r.get('ratio')})"
        rows.append(f"| {r['name']} | {value} | {ref} | {r.get('target', '')} |")
    return "\n".join(rows)


def main() -> int:
    results = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
    text = table(results)
    if "--readme" in sys.argv:
        readme = ROOT / "README.md"
        body = readme.read_text(encoding="utf-8")
        new = re.sub(
            r"<!-- BENCH -->.*?<!-- /BENCH -->", lambda m: f"<!-- BENCH -->\n{text}\n<!-- /BENCH -->", body, flags=re.S
        )
        readme.write_text(new, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
