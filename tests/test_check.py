"""dcai check: a student's notebook is run headless and each public test reported with its points."""

from __future__ import annotations

import nbformat
import pytest
from conftest import tiny_notebook

from dcai_helpers.grading import cli
from dcai_helpers.grading.check import CheckError, check_notebook, error_of
from dcai_helpers.grading.notebooks import NotebookError


@pytest.fixture
def student_notebook(tiny_lab, tmp_path):
    """Write a variant of the tiny lab's notebook where a student would keep it."""

    def write(solution: str, name: str = "tiny_lab.ipynb"):
        path = tmp_path / "student" / name
        path.parent.mkdir(exist_ok=True)
        nbformat.write(tiny_notebook(solution=solution), path)
        return path

    return write


def test_correct_answer_passes(tiny_lab, student_notebook):
    report = check_notebook(student_notebook("def double(x):\n    return x + x\n"), labs=[tiny_lab])
    assert report.passed and report.points == 3 == report.max_points
    assert "PASS  test_double  3 pts" in report.render()


def test_wrong_answer_fails_with_first_line_of_error(tiny_lab, student_notebook):
    report = check_notebook(student_notebook("def double(x):\n    return x\n"), labs=[tiny_lab])
    assert not report.passed and report.points == 0
    assert report.results[0].message == "AssertionError: Exercise 1 (double): expected double(2) == 4"


def test_unanswered_release_fails(tiny_lab, student_notebook):
    report = check_notebook(student_notebook("def double(x):\n    raise NotImplementedError()\n"), labs=[tiny_lab])
    assert report.results[0].message.startswith("NameError") or "NotImplementedError" in report.results[0].message


def test_does_not_modify_the_notebook(tiny_lab, student_notebook):
    path = student_notebook("def double(x):\n    return 2 * x\n")
    before = path.read_bytes()
    check_notebook(path, labs=[tiny_lab])
    assert path.read_bytes() == before


def test_endless_loop_hits_the_time_limit(tiny_lab, student_notebook):
    path = student_notebook("while True:\n    pass\n")
    with pytest.raises(CheckError, match="ran longer than 2 s"):
        check_notebook(path, cell_timeout=2, labs=[tiny_lab])


def test_dead_kernel_is_reported(tiny_lab, student_notebook):
    with pytest.raises(CheckError, match="kernel died"):
        check_notebook(student_notebook("import os\nos._exit(1)\n"), labs=[tiny_lab])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("", "not a Jupyter notebook"),
        ("{not json", "not a Jupyter notebook"),
        ('{"cells": 3}', "not a"),
    ],
)
def test_bad_files_get_one_line(tmp_path, content, message):
    path = tmp_path / "label_errors.ipynb"
    if content is not None:
        path.write_text(content)
    with pytest.raises(NotebookError, match=message):
        check_notebook(path)


def test_notebook_of_no_known_lab(tmp_path):
    path = tmp_path / "homework.ipynb"
    nb = tiny_notebook()
    nb.metadata.pop("dcai")
    nbformat.write(nb, path)
    with pytest.raises(NotebookError, match="belongs to no known lab"):
        check_notebook(path)


def test_error_of_strips_ansi_colours():
    cell = {"outputs": [{"output_type": "error", "ename": "ValueError", "evalue": "\x1b[0;31mbad\x1b[0m\nmore"}]}
    assert error_of(cell) == "ValueError: bad"


def test_cli_exit_codes_and_one_line_messages(tmp_path, capsys):
    assert cli.main(["check", str(tmp_path / "missing.ipynb")]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err and "Traceback" not in err
    (tmp_path / "x.ipynb").write_text("not json")
    assert cli.main(["check", str(tmp_path / "x.ipynb")]) == cli.EXIT_USAGE
    assert cli.main(["release", "label_error"]) == cli.EXIT_USAGE
    assert "Did you mean 'label_errors'?" in capsys.readouterr().err
