"""Reading notebooks and their nbgrader metadata."""

from __future__ import annotations

from conftest import tiny_notebook

from dcai_helpers.grading import notebooks
from dcai_helpers.grading.notebooks import (
    SOLUTION_MARKERS,
    first_line,
    is_solution_cell,
    is_test_cell,
    lab_of_notebook,
    marked_lines,
    total_points,
)


def test_cell_kinds_and_points():
    nb = tiny_notebook()
    assert [is_solution_cell(c) for c in nb.cells] == [False, True, False]
    assert [is_test_cell(c) for c in nb.cells] == [False, False, True]
    assert len(notebooks.test_cells(nb)) == 1 and total_points(nb) == 3.0


def test_lab_from_metadata_then_file_name(tiny_lab, tmp_path):
    nb = tiny_notebook()
    assert lab_of_notebook(nb, tmp_path / "renamed.ipynb", [tiny_lab]) is tiny_lab
    nb.metadata.pop("dcai")
    assert lab_of_notebook(nb, tmp_path / "tiny_lab.ipynb", [tiny_lab]) is tiny_lab


def test_marked_lines_and_first_line():
    source = "a = 1\n### BEGIN SOLUTION\n  b = 2\n\n### END SOLUTION\nc = 3\n"
    assert marked_lines(source, SOLUTION_MARKERS) == ["b = 2"]
    assert first_line("\n\n  Error: bad\nmore") == "Error: bad"
    assert first_line("") == ""
