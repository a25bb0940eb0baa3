"""The records a grading run leaves: ``grades.csv``, one row per student and lab, sorted.

Grading again into the same folder updates the rows it grades and keeps the others
(:func:`update_csv`), so regrading one student leaves the rest of the class in place. The file is
always replaced whole (written beside it, then renamed), so a run that stops half-way never leaves
half a file.

The name is ``grades.csv`` and stays so; nbgrader's ``export`` writes a file of the same name by
default, so run it as ``nbgrader export --to nbgrader-grades.csv`` in a grading folder.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

CSV_COLUMNS = ("student_id", "lab", "score", "max_score", "status", "detail")
#: What a spreadsheet (Excel, LibreOffice, an LMS import) may read as the start of a formula (OWASP's CSV injection
#: rule): a text cell starting with one of these is written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs as a formula: a leading ``'`` when it starts like one."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def restored(cell: str) -> str:
    """The text :func:`neutralised` wrote as ``cell``."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


class RecordsError(ValueError):
    """A ``grades.csv`` that dcai did not write or cannot read; the message says what to do."""


@dataclass
class GradeRow:
    """One line of ``grades.csv``."""

    student_id: str
    lab: str
    score: float
    max_score: float
    status: str
    detail: str

    @property
    def key(self) -> tuple[str, str]:
        """What identifies the row: one per student and lab."""
        return (self.student_id, self.lab)

    def as_csv(self) -> dict:
        """The row as CSV cells: scores written the same way every time, text that no spreadsheet runs."""
        text = {key: neutralised(value) for key, value in asdict(self).items() if isinstance(value, str)}
        return {**text, "score": f"{self.score:g}", "max_score": f"{self.max_score:g}"}


def write_csv(path: Path, rows: Iterable[GradeRow]) -> None:
    """Write ``grades.csv`` (sorted by student id, then lab), replacing any file at ``path``.

    Raises
    ------
    RecordsError
        When two rows are for the same student and lab.
    """
    rows = sorted(rows, key=lambda r: r.key)
    for before, after in zip(rows, rows[1:], strict=False):
        if before.key == after.key:
            raise RecordsError(f"two rows for student {before.student_id!r} in lab {before.lab!r}; one is expected")
    path = Path(path)
    fd, partial = tempfile.mkstemp(prefix=".grades-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(row.as_csv() for row in rows)
        os.chmod(partial, 0o644)  # mkstemp's 0600 would hide the grades from a TA's account
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def read_csv(path: str | Path) -> list[dict]:
    """The rows of a ``grades.csv``, as dicts of strings (as they were before :func:`neutralised`)."""
    with Path(path).open(newline="", encoding="utf-8") as f:
        return [{key: restored(value or "") for key, value in row.items()} for row in csv.DictReader(f)]


def read_rows(path: str | Path) -> list[GradeRow]:
    """The rows of a ``grades.csv`` that dcai wrote; an empty list when there is no file.

    Raises
    ------
    RecordsError
        When the file's columns are not dcai's (say, nbgrader's ``export`` wrote over it) or a score
        is not a number.
    """
    path = Path(path)
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
            raise RecordsError(
                f"{path} was not written by dcai grade (its columns are {', '.join(reader.fieldnames or ['none'])}; "
                f"expected {', '.join(CSV_COLUMNS)}); move it away and grade again. nbgrader export writes "
                "grades.csv too: run it as `nbgrader export --to nbgrader-grades.csv`."
            )
        rows = []
        for line, raw in enumerate(reader, start=2):
            try:
                rows.append(
                    GradeRow(
                        restored(raw["student_id"]),
                        restored(raw["lab"]),
                        float(raw["score"]),
                        float(raw["max_score"]),
                        restored(raw["status"]),
                        restored(raw["detail"]),
                    )
                )
            except (TypeError, ValueError):
                raise RecordsError(f"{path}, line {line}: the score is not a number; got {raw}") from None
    return rows


def merge_rows(kept: Iterable[GradeRow], new: Iterable[GradeRow]) -> list[GradeRow]:
    """``kept`` with each row of ``new`` in place of the row of the same student and lab, sorted."""
    by_key = {row.key: row for row in kept}
    by_key.update({row.key: row for row in new})
    return sorted(by_key.values(), key=lambda r: r.key)


def update_csv(path: str | Path, rows: Iterable[GradeRow]) -> list[GradeRow]:
    """Write ``rows`` into the ``grades.csv`` at ``path``, keeping its rows for other students; return all rows.

    A regrade of some students replaces their rows (one per student and lab) and leaves the others.

    Raises
    ------
    RecordsError
        When the file at ``path`` was not written by dcai (see :func:`read_rows`).
    """
    path = Path(path)
    merged = merge_rows(read_rows(path), rows)
    write_csv(path, merged)
    return merged
