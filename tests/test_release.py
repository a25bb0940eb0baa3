"""dcai release: nbgrader generates the student notebook, and --check catches stale or leaking releases."""

from __future__ import annotations

import nbformat
import pytest
from conftest import SOLUTION, tiny_notebook

from dcai_helpers.grading import release
from dcai_helpers.grading.notebooks import read_notebook
from dcai_helpers.labs import LABS


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
    nb = tiny_notebook(test="assert double(3) == 6\n")
    nbformat.write(nb, tiny_lab.solution)
    problems = release.check([tiny_lab], dest=tmp_path / "labs")
    assert problems and "lab 'tiny_lab', cell 2 (test_double)" in problems[0]


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
    nbformat.write(tiny_notebook(test=test), tiny_lab.solution)
    release.release([tiny_lab], dest=tmp_path / "labs")
    assert release.check([tiny_lab], dest=tmp_path / "labs") == []


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_committed_release_is_up_to_date(lab):
    assert release.check([lab]) == []
