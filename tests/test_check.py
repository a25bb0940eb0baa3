"""dcai check: a student's notebook is run headless and each public test reported with its points."""

from __future__ import annotations

import nbformat
import pytest
from conftest import grade_meta, tiny_notebook

from dcai_helpers import cli
from dcai_helpers.authoring import check
from dcai_helpers.authoring.check import check_notebook
from dcai_helpers.course.notebooks import NotebookError, error_of
from dcai_helpers.labs import SOLUTIONS_DIR


@pytest.fixture
def student_notebook(tiny_lab, tmp_path):
    """Write a variant of the tiny lab's notebook where a student would keep it, with ``extra`` cells appended."""

    def write(solution: str, name: str = "tiny_lab.ipynb", *, test: str | None = None, extra=()):
        path = tmp_path / "student" / name
        path.parent.mkdir(exist_ok=True)
        nb = tiny_notebook(solution=solution) if test is None else tiny_notebook(solution=solution, test=test)
        nb.cells.extend(extra)
        nbformat.write(nb, path)
        return path

    return write


CORRECT = "def double(x):\n    return x + x\n"


def second_test(source: str = "assert double(0) == 0\n") -> nbformat.NotebookNode:
    """A one-point test cell to append after the tiny lab's own."""
    return nbformat.v4.new_code_cell(source, metadata=grade_meta("test_double_again", grade=True, points=1))


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


def test_printed_result_lines_are_shown_under_their_test(tiny_lab, student_notebook):
    test = "print('double(2) is', double(2), '(must be 4)')\nassert double(2) == 4\n"
    report = check_notebook(student_notebook(CORRECT, test=test), labs=[tiny_lab])
    assert report.results[0].printed == ["double(2) is 4 (must be 4)"]
    lines = report.render().splitlines()
    assert lines[lines.index("  PASS  test_double  3 pts   cell 3") + 1].strip() == "double(2) is 4 (must be 4)"


def test_an_ungraded_cell_that_raises_fails_the_check(tiny_lab, student_notebook, capsys, monkeypatch):
    broadcast = nbformat.v4.new_code_cell("import numpy as np\nnp.ones(2) + np.ones(40)\n")
    path = student_notebook(CORRECT, extra=[broadcast, second_test()])
    report = check_notebook(path, labs=[tiny_lab])
    assert report.tests_passed and report.points == 4 and not report.passed
    text = report.render()
    assert "cell 4 (ungraded code): ValueError: operands could not be broadcast together with shapes (2,) (40,)" in text
    assert text.endswith("1 ungraded cell raised: fix it before you submit, the graded run will fail the same way."), (
        text
    )
    monkeypatch.setattr(check, "LABS", [tiny_lab])
    assert cli.main(["check", str(path)]) == cli.EXIT_FAILURE
    assert "1 ungraded cell raised" in capsys.readouterr().out


def test_syntax_error_is_blamed_on_the_solution_cell_not_the_test(tiny_lab, student_notebook):
    report = check_notebook(student_notebook("def double(x):\n    return 2 *\n"), labs=[tiny_lab])
    [error] = report.ungraded_errors
    assert (error.number, error.label, error.message) == (2, "double", "SyntaxError: invalid syntax (line 2)")
    assert report.results[0].message == "cannot pass while its solution cell 2 (double) raises; fix that first"
    assert "NameError" not in report.render()


def test_a_later_exercise_is_not_blamed_on_an_earlier_solution(tiny_lab, student_notebook):
    path = student_notebook("def double(x):\n    return 2 *\n", extra=[second_test("assert 1 == 2, 'wrong'\n")])
    report = check_notebook(path, labs=[tiny_lab])
    assert report.results[1].message == "AssertionError: wrong"


def test_time_limit_stops_the_check_and_keeps_earlier_results(tiny_lab, student_notebook, capsys, monkeypatch):
    slow = nbformat.v4.new_code_cell("while True:\n    pass\n")
    path = student_notebook(CORRECT, extra=[slow, second_test()])
    report = check_notebook(path, cell_timeout=2, labs=[tiny_lab])
    assert report.results[0].passed and not report.results[1].ran and not report.passed
    assert report.stopped.number == 4 and report.not_run == [5]
    text = report.render()
    assert "Stopped at cell 4 (ungraded code): it ran past the time limit of 2 s; cell 5 did not run." in text
    assert "SKIP  test_double_again  1 pt    cell 5  did not run: the check stopped before it" in text
    assert "endless loop" not in text
    monkeypatch.setattr(check, "LABS", [tiny_lab])
    assert cli.main(["check", str(path), "--cell-timeout", "2"]) == cli.EXIT_FAILURE
    out, err = capsys.readouterr()
    assert "Stopped at cell 4" in out and "Traceback" not in out + err and err.splitlines() == [KEY_LINE]


def test_a_graded_cell_past_the_time_limit_is_named(tiny_lab, student_notebook):
    report = check_notebook(student_notebook(CORRECT, test="while True:\n    pass\n"), cell_timeout=2, labs=[tiny_lab])
    assert report.results[0].message == "stopped: it ran past the time limit of 2 s"
    assert "Stopped at cell 3 (test_double)" in report.render()


def test_dead_kernel_names_the_cell(tiny_lab, student_notebook):
    report = check_notebook(student_notebook("import os\nos._exit(1)\n"), labs=[tiny_lab])
    assert not report.passed and not report.results[0].ran
    assert "Stopped at cell 2 (double): the Python kernel died while it ran" in report.render()


def test_kernel_start_up_warnings_never_reach_the_student(tiny_lab, student_notebook, monkeypatch, capfd):
    # Every kernel start prints "[IPKernelApp] WARNING | Kernel is running over TCP without encryption" on stderr.
    monkeypatch.setattr(check, "LABS", [tiny_lab])
    assert cli.main(["check", str(student_notebook(CORRECT))]) == cli.EXIT_OK
    out, err = capfd.readouterr()
    assert "WARNING" not in out + err and "Debugger warning" not in out + err and err.splitlines() == [KEY_LINE]
    assert "all public tests pass" in out


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


#: The first line of ``dcai check``, as of every command that reads the answer key.
KEY_LINE = f"dcai check: answer key: {SOLUTIONS_DIR} (the repository's)"


def test_error_of_strips_ansi_colours():
    cell = {"outputs": [{"output_type": "error", "ename": "ValueError", "evalue": "\x1b[0;31mbad\x1b[0m\nmore"}]}
    assert error_of(cell) == "ValueError: bad"


def test_cli_exit_codes_and_one_line_messages(tmp_path, capsys):
    assert cli.main(["check", str(tmp_path / "missing.ipynb")]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.splitlines()[0] == KEY_LINE and err.count("\n") == 2 and "no such file" in err
    assert "Traceback" not in err
    (tmp_path / "x.ipynb").write_text("not json")
    assert cli.main(["check", str(tmp_path / "x.ipynb")]) == cli.EXIT_USAGE
    assert cli.main(["release", "label_error"]) == cli.EXIT_USAGE
    assert "Did you mean 'label_errors'?" in capsys.readouterr().err


def test_what_only_the_grader_refuses_fails_here_too(tiny_lab, student_notebook):
    # The test passes in the kernel, but the grader calls the function with a copy and sees the input change.
    test = "_values = [1, 2]\nassert double(_values) == 4, 'Exercise 1 (double): expected 4'\n"
    sorts_in_place = "def double(values):\n    values.append(0)\n    return 2 * (len(values) - 1)\n"
    report = check_notebook(student_notebook(sorts_in_place, test=test), labs=[tiny_lab])
    assert not report.passed
    assert report.results[0].message.startswith("at grading: double() changed its input in place")
    fine = "def double(values):\n    return 2 * len(values)\n"
    assert check_notebook(student_notebook(fine, test=test), labs=[tiny_lab]).passed
