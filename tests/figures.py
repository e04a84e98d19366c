"""Figures the reliability and security suites measure, for `python -m bench.reliability`.

A test calls `record(section, figure, value, target=...)`; when RELIABILITY_FIGURES names a
file, each figure is appended there as a JSON line and the reliability command prints them
as a table. `scale(short, long)` picks the CI size or the long size
(RELIABILITY_SCALE=long), so CI runs the same code with fewer rounds.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def is_long() -> bool:
    """True when the long versions were asked for (the reliability command sets this)."""
    return os.environ.get("RELIABILITY_SCALE") == "long"


def scale(short: int, long: int) -> int:
    """Rounds or examples to run: `short` in CI, `long` under the reliability command."""
    return long if is_long() else short


def record(section: str, figure: str, value: float | int | str, *, target: str = "") -> None:
    """Keep one measured figure (no-op unless RELIABILITY_FIGURES is set)."""
    path = os.environ.get("RELIABILITY_FIGURES")
    if not path:
        return
    line = json.dumps({"section": section, "figure": figure, "value": value, "target": target})
    with Path(path).open("a", encoding="utf-8") as sink:
        sink.write(line + "\n")
