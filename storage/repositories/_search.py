"""Prefix search over byte-ordered key columns: `key >= q AND key < q + U+10FFFF` is a
range scan on an index on both SQLite and PostgreSQL (LIKE would not be on PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

TOP = "\U0010ffff"


def search_key(text: str | None) -> str | None:
    """The form names are stored and searched in: case-folded, spaces collapsed."""
    if text is None:
        return None
    key = " ".join(text.casefold().split())
    return key[:255] or None


def starts_with(column: Any, prefix: str) -> ColumnElement[bool]:
    return (column >= prefix) & (column < prefix + TOP)  # type: ignore[no-any-return]
