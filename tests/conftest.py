"""Shared fixtures: a tiny lab built in a temporary folder, so pipeline tests run in seconds."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from dcai_helpers.labs import Lab

TINY_LAB_ID = "tiny_lab"

SOLUTION = '''def double(x):
    """Return twice ``x``."""
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION
'''

TEST = """assert double(2) == 4, "Exercise 1 (double): expected double(2) == 4"
### BEGIN HIDDEN TESTS
assert double(21) == 42, "Exercise 1 (double): expected double(21) == 42"
### END HIDDEN TESTS
"""


def grade_meta(grade_id: str, *, solution: bool = False, grade: bool = False, points: int = 0) -> dict:
    """nbgrader metadata of a cell."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution, "schema_version": 3, "solution": solution}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def tiny_notebook(solution: str = SOLUTION, test: str = TEST) -> nbformat.NotebookNode:
    """A one-exercise lab: a solution cell defining ``double`` and its 3-point test cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "dcai": {"lab": TINY_LAB_ID},
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny lab\n\nWrite `double`."),
        nbformat.v4.new_code_cell(solution, metadata=grade_meta("double", solution=True)),
        nbformat.v4.new_code_cell(test, metadata=grade_meta("test_double", grade=True, points=3)),
    ]
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
    return nb


@pytest.fixture
def tiny_lab(tmp_path: Path) -> Lab:
    """A registered-looking lab whose solution lives under ``tmp_path/solutions``."""
    lab = Lab(TINY_LAB_ID, "Tiny lab", 3, (), "none", solutions_dir=tmp_path / "solutions")
    lab.solution.parent.mkdir(parents=True)
    nbformat.write(tiny_notebook(), lab.solution)
    return lab
