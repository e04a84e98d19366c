"""Reading a contacts CSV (phone,name,company,notes with a header) for `contacts import`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from bot.errors import InvalidInput

COLUMNS = ("phone", "name", "company", "notes")


def read_rows(path: Path) -> list[tuple[int, dict[str, str | None]]]:
    """(line number, row) for every data line; InvalidInput when the file is not readable
    as a contacts CSV at all (missing, not text, no phone column)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"can't read {path}: {exc}", field="file") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    if "phone" not in header:
        raise InvalidInput(
            f"{path} has no header with a phone column; expected: {','.join(COLUMNS)}",
            field="file",
        )
    reader.fieldnames = header
    return list(_rows(reader))


def _rows(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, str | None]]]:
    for row in reader:
        if not any((value or "").strip() for key, value in row.items() if key):
            continue  # a blank line
        # line_num: the line the record ends on (a quoted field may span lines)
        yield reader.line_num, {column: row.get(column) for column in COLUMNS}
