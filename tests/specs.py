"""Where the reference specs live: `shared/specs/` beside the checkout (as CI lays it out)."""

from __future__ import annotations

from pathlib import Path


def spec_path(name: str) -> Path:
    relative = Path("shared/specs") / name
    for parent in Path(__file__).resolve().parents:
        if (parent / relative).is_file():
            return parent / relative
    fallback = Path("/work") / relative
    if fallback.is_file():
        return fallback
    raise FileNotFoundError(f"{relative} not found beside any parent of {__file__}")
