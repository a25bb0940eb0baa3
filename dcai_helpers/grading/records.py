"""The records a grading run leaves: ``grades.csv``, one row per student entry."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

CSV_COLUMNS = ("student_id", "lab", "score", "max_score", "status", "detail")


@dataclass
class GradeRow:
    """One line of ``grades.csv``."""

    student_id: str
    lab: str
    score: float
    max_score: float
    status: str
    detail: str

    def as_csv(self) -> dict:
        """The row with scores written the same way every time."""
        return {**asdict(self), "score": f"{self.score:g}", "max_score": f"{self.max_score:g}"}


def write_csv(path: Path, rows: list[GradeRow]) -> None:
    """Write ``grades.csv`` (one row per student, sorted by student id)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(row.as_csv() for row in sorted(rows, key=lambda r: r.student_id))


def read_csv(path: str | Path) -> list[dict]:
    """The rows of a ``grades.csv``."""
    with Path(path).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
