"""Reliability and security figures: `python -m bench.reliability [--short] [pytest args]`.

Runs the reliability and security suites at their long size (RELIABILITY_SCALE=long; CI
runs the same tests at the short size) with each figure recorded through tests/figures.py,
then prints one table: section, figure, value, target.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SUITES = ["tests/reliability", "tests/security"]


def run(short: bool, extra: list[str]) -> tuple[int, list[dict[str, object]]]:
    """Run the suites in a child pytest and read back the figures they recorded."""
    with tempfile.TemporaryDirectory() as workdir:
        figures = Path(workdir) / "figures.jsonl"
        env = {**os.environ, "RELIABILITY_FIGURES": str(figures)}
        if not short:
            env["RELIABILITY_SCALE"] = "long"
        code = subprocess.call([sys.executable, "-m", "pytest", "-q", *SUITES, *extra], env=env)
        rows = [json.loads(line) for line in figures.read_text().splitlines()] \
            if figures.exists() else []
    return code, rows


def table(rows: list[dict[str, object]]) -> str:
    """A Markdown table, ready for the README's reliability section."""
    lines = ["| section | figure | value | target |", "|---|---|---|---|"]
    for row in sorted(rows, key=lambda r: (str(r["section"]), str(r["figure"]))):
        lines.append(f"| {row['section']} | {row['figure']} | {row['value']} | {row['target']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--short", action="store_true", help="the CI sizes, for a quick look")
    args, extra = parser.parse_known_args()
    code, rows = run(args.short, extra)
    print(table(rows))
    sys.exit(code)


if __name__ == "__main__":
    main()
