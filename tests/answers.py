"""A student's answers as tests write them: the solution's code, pasted into the release's solution cells."""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
#: The lines that mark the solution inside a solution cell; a student's answer has none of them.
SOLUTION_MARKERS = {"### BEGIN SOLUTION", "### END SOLUTION"}


def solution_answers(lab: str) -> dict[str, str]:
    """Each solution cell's code without its markers, by ``grade_id``: right answers, as a student would paste them."""
    notebook = nbformat.read(REPO / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: "\n".join(
            line for line in cell.source.splitlines() if line.strip() not in SOLUTION_MARKERS
        )
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }


def answer(notebook: MutableMapping, answers: dict[str, str], grade_ids: Iterable[str] | None = None) -> int:
    """Write ``answers`` into the solution cells of ``notebook`` (nbformat's or the contents API's JSON).

    ``grade_ids`` picks the exercises answered (default: all). Returns how many cells were answered.
    """
    chosen = set(answers if grade_ids is None else grade_ids)
    answered = 0
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if cell["metadata"].get("nbgrader", {}).get("solution") and grade_id in chosen:
            cell["source"] = answers[grade_id]
            answered += 1
    return answered
