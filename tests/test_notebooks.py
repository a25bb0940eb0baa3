"""Reading notebooks and their nbgrader metadata."""

from __future__ import annotations

import nbformat
from conftest import grade_meta, tiny_notebook

from dcai_helpers.course import notebooks
from dcai_helpers.course.notebooks import (
    SOLUTION_MARKERS,
    first_line,
    is_solution_cell,
    is_test_cell,
    lab_of_notebook,
    marked_lines,
    stable_cell_ids,
    tidy_notebook,
    total_points,
    untidiness,
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


def untidy_notebook() -> nbformat.NotebookNode:
    """The tiny lab as JupyterLab saves it after a run: timestamps, editor state, widget views, random ids."""
    nb = tiny_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    for cell, cell_id in zip(nb.cells, ["a1b2c3d4", "cell-0", "cell-0"], strict=True):
        cell.id = cell_id
        cell.metadata["collapsed"] = False
    code = nb.cells[1]
    code.metadata["execution"] = {"iopub.status.busy": "2026-11-23T10:04:22.066234Z"}
    code.metadata["tags"] = ["keep-me"]
    code.execution_count = 7
    code.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={notebooks.WIDGET_VIEW_MIME: {"model_id": "b23b9ce3"}, "text/plain": "  0%|          | 0/60"},
        ),
        nbformat.v4.new_output("execute_result", data={"text/plain": "4"}, execution_count=7),
    ]
    nb.cells[2].execution_count = 9
    nb.cells[2].outputs = [
        nbformat.v4.new_output("stream", text=text) for text in ("score: 0.9\n", "(must beat 0.8)\n")
    ]
    return nb


def test_tidy_drops_run_and_editor_state_and_keeps_the_rest():
    nb = untidy_notebook()
    tidy = tidy_notebook(nb)
    assert "widgets" not in tidy.metadata and tidy.metadata["dcai"] == {"lab": "tiny_lab"}
    assert tidy.metadata["kernelspec"]["name"] == "python3" and "language_info" in tidy.metadata
    assert [cell.id for cell in tidy.cells] == ["markdown-1", "double", "test_double"]
    assert all(set(cell.metadata) <= {"nbgrader", "tags"} for cell in tidy.cells)
    code = tidy.cells[1]
    assert code.metadata["tags"] == ["keep-me"] and code.metadata["nbgrader"] == nb.cells[1].metadata["nbgrader"]
    assert code.outputs[0].data == {"text/plain": "  0%|          | 0/60"}
    assert (code.execution_count, code.outputs[1].execution_count, tidy.cells[2].execution_count) == (1, 1, 2)
    assert tidy.cells[2].outputs == [nbformat.v4.new_output("stream", text="score: 0.9\n(must beat 0.8)\n")]
    assert nb.cells[1].execution_count == 7, "tidy_notebook returns a copy"
    assert tidy_notebook(tidy) == tidy
    nbformat.validate(tidy)


def test_untidiness_names_each_cell_and_is_empty_once_tidy():
    problems = untidiness(untidy_notebook())
    assert problems[0] == "notebook metadata holds editor or widget state: widgets"
    assert problems[1] == (
        "cell 1 (ungraded markdown): execution or editor metadata (collapsed); "
        "id 'a1b2c3d4' is not the stable id 'markdown-1'"
    )
    assert problems[2] == (
        "cell 2 (double): execution or editor metadata (collapsed, execution); duplicate id 'cell-0'; "
        "widget output; execution count 7, not 1: run out of order"
    )
    assert problems[3] == (
        "cell 3 (test_double): execution or editor metadata (collapsed); duplicate id 'cell-0'; "
        "stream output split in chunks; execution count 9, not 2: run out of order"
    )
    assert len(problems) == 4
    assert untidiness(tidy_notebook(untidy_notebook())) == []


def test_stable_ids_use_grade_ids_once_and_skip_taken_names():
    cells = [
        nbformat.v4.new_markdown_cell("a"),
        nbformat.v4.new_code_cell("b", metadata=grade_meta("markdown-1")),
        nbformat.v4.new_markdown_cell("c"),
        nbformat.v4.new_code_cell("d", metadata=grade_meta("dup")),
        nbformat.v4.new_code_cell("e", metadata=grade_meta("dup")),
        nbformat.v4.new_code_cell("f", metadata=grade_meta("not valid!")),
        nbformat.v4.new_raw_cell("g"),
    ]
    assert stable_cell_ids(cells) == ["markdown-2", "markdown-1", "markdown-3", "code-1", "code-2", "code-3", "raw-1"]


def test_run_notebook_uses_one_blas_thread_and_records_no_timing(tmp_path):
    nb = tiny_notebook(test="import os\nprint(os.environ['OMP_NUM_THREADS'], os.getcwd())\n")
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="stale\n")]
    assert notebooks.run_notebook(nb, cwd=tmp_path, cell_timeout=60) is None
    assert notebooks.printed_lines(nb.cells[2]) == [f"1 {tmp_path}"]
    assert all("execution" not in cell.metadata for cell in nb.cells)
