"""dcai release: nbgrader generates the student notebook, and --check catches stale or leaking releases."""

from __future__ import annotations

import nbformat
import pytest
from conftest import SOLUTION, tiny_notebook

from dcai_helpers.authoring import release
from dcai_helpers.course.notebooks import WIDGET_VIEW_MIME, read_notebook, tidy_notebook
from dcai_helpers.labs import LABS


@pytest.fixture
def tiny_lab(tiny_lab):
    """The tiny lab with a tidy solution (stable ids), as `dcai execute` leaves it."""
    write_solution(tiny_lab, tiny_notebook())
    return tiny_lab


def write_solution(lab, nb):
    """Save ``nb`` as the solution of ``lab``, tidied."""
    nbformat.write(tidy_notebook(nb), lab.solution)


def test_release_clears_solution_hidden_tests_and_outputs(tiny_lab, tmp_path):
    [path] = release.release([tiny_lab], dest=tmp_path / "labs")
    text = path.read_text()
    assert "raise NotImplementedError()" in text
    assert "return 2 * x" not in text
    assert "double(21)" not in text, "a hidden test reached the release"
    assert "double(2) == 4" in text, "the public test must stay"
    assert sorted(p.name for p in path.parent.iterdir()) == ["tiny_lab.ipynb"]


def test_release_copies_no_other_file_of_the_source_folder(tiny_lab, tmp_path):
    (tiny_lab.solution.parent / "answers.csv").write_text("secret\n")
    [path] = release.release([tiny_lab], dest=tmp_path / "labs")
    assert sorted(p.name for p in path.parent.iterdir()) == ["tiny_lab.ipynb"]


def test_check_passes_on_fresh_release(tiny_lab, tmp_path):
    release.release([tiny_lab], dest=tmp_path / "labs")
    assert release.check([tiny_lab], dest=tmp_path / "labs") == []


def test_check_names_lab_and_cell_of_a_stale_release(tiny_lab, tmp_path):
    release.release([tiny_lab], dest=tmp_path / "labs")
    write_solution(tiny_lab, tiny_notebook(test="assert double(3) == 6\n"))
    problems = release.check([tiny_lab], dest=tmp_path / "labs")
    assert problems == [
        "lab 'tiny_lab', cell 3 (test_double): labs/ differs from solutions/; run `dcai release tiny_lab`"
    ]


def test_check_reports_a_missing_release(tiny_lab, tmp_path):
    problems = release.check([tiny_lab], dest=tmp_path / "labs")
    assert problems == [
        f"lab 'tiny_lab': {tmp_path / 'labs/tiny_lab/tiny_lab.ipynb'} is missing; run `dcai release tiny_lab`"
    ]


def test_check_catches_a_solution_line_pasted_into_the_release(tiny_lab, tmp_path):
    [path] = release.release([tiny_lab], dest=tmp_path / "labs")
    nb = read_notebook(path)
    nb.cells[1].source = SOLUTION.replace("### BEGIN SOLUTION\n", "").replace("### END SOLUTION\n", "")
    nbformat.write(nb, path)
    problems = release.check([tiny_lab], dest=tmp_path / "labs")
    assert any("solution or hidden-test line reaches students: 'return 2 * x'" in p for p in problems)


def test_check_catches_outputs_and_extra_files(tiny_lab, tmp_path):
    [path] = release.release([tiny_lab], dest=tmp_path / "labs")
    nb = read_notebook(path)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="ok\n")]
    nbformat.write(nb, path)
    (path.parent / "notes.txt").write_text("x")
    problems = "\n".join(release.check([tiny_lab], dest=tmp_path / "labs"))
    assert "has outputs; student notebooks carry none" in problems
    assert "holds files that are not the release: notes.txt" in problems


def test_a_hidden_line_also_written_publicly_is_no_leak(tiny_lab, tmp_path):
    public = "from math import isclose\nassert double(2) == 4\n"
    test = public + "### BEGIN HIDDEN TESTS\nfrom math import isclose\nassert double(-1) == -2\n### END HIDDEN TESTS\n"
    write_solution(tiny_lab, tiny_notebook(test=test))
    release.release([tiny_lab], dest=tmp_path / "labs")
    assert release.check([tiny_lab], dest=tmp_path / "labs") == []


def untidy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` as an editor leaves it after a run: a random id, timestamps, widget state and view."""
    nb.cells[0].id = "0d3a6de4"
    nb.cells[1].metadata["execution"] = {"iopub.status.busy": "2026-11-23T10:04:22.066234Z"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    view = {WIDGET_VIEW_MIME: {"model_id": "b23b9ce3"}, "text/plain": "0%"}
    nb.cells[2].outputs = [nbformat.v4.new_output("display_data", data=view)]
    nb.cells[2].execution_count = 1
    return nb


def test_release_is_tidy_and_takes_the_solution_ids(tiny_lab, tmp_path):
    nbformat.write(untidy(tiny_notebook()), tiny_lab.solution)
    [path] = release.release([tiny_lab], dest=tmp_path / "labs")
    nb = read_notebook(path)
    assert [cell.id for cell in nb.cells] == ["markdown-1", "double", "test_double"]
    assert "widgets" not in nb.metadata and all("execution" not in cell.metadata for cell in nb.cells)
    assert path.read_bytes() == release.release([tiny_lab], dest=tmp_path / "again")[0].read_bytes()


def test_check_names_each_untidy_solution_cell_and_the_fix(tiny_lab, tmp_path):
    release.release([tiny_lab], dest=tmp_path / "labs")
    nbformat.write(untidy(tidy_notebook(tiny_notebook())), tiny_lab.solution)
    problems = release.check([tiny_lab], dest=tmp_path / "labs")
    fix = "run `dcai execute tiny_lab`"
    assert problems == [
        f"lab 'tiny_lab', solution notebook metadata holds editor or widget state: widgets; {fix}",
        f"lab 'tiny_lab', solution cell 1 (ungraded markdown): id '0d3a6de4' is not the stable id 'markdown-1'; {fix}",
        f"lab 'tiny_lab', solution cell 2 (double): execution or editor metadata (execution); {fix}",
        f"lab 'tiny_lab', solution cell 3 (test_double): widget output; {fix}",
    ]


def test_check_catches_a_changed_cell_id_in_the_release(tiny_lab, tmp_path):
    [path] = release.release([tiny_lab], dest=tmp_path / "labs")
    nb = read_notebook(path)
    nb.cells[0].id = "cell-0"
    nbformat.write(nb, path)
    problems = release.check([tiny_lab], dest=tmp_path / "labs")
    assert problems == ["lab 'tiny_lab', cell 1 (markdown): labs/ differs from solutions/; run `dcai release tiny_lab`"]


def test_execute_refuses_a_solution_that_raises_and_leaves_it_unchanged(tiny_lab):
    write_solution(tiny_lab, tiny_notebook(solution="def double(x):\n    return 2 *\n"))
    before = tiny_lab.solution.read_bytes()
    with pytest.raises(RuntimeError) as error:
        release.execute([tiny_lab])
    assert str(error.value) == (
        "lab 'tiny_lab': cell 2 (double) raised SyntaxError: invalid syntax (line 2); "
        "cell 3 (test_double) raised NameError: name 'double' is not defined; "
        f"{tiny_lab.solution} was not changed"
    )
    assert tiny_lab.solution.read_bytes() == before


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_committed_release_is_up_to_date(lab):
    assert release.check([lab]) == []
