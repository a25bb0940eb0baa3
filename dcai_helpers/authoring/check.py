"""``dcai check``: run a student's notebook headless and report each public test with its points.

This is what a student runs before submitting. nbgrader's ``validate`` exits 0 even when a test
fails, so we run the notebook cell by cell ourselves (:func:`~dcai_helpers.course.notebooks.run_notebook`)
and read the outputs. Each test cell is judged the way the grader judges it: after the kernel ran it, the
grader's runner (:mod:`dcai_helpers.verdicts.trusted`) runs it again, in this process, calling the student's
functions through the same proxies, so a function that changes its input or returns what the grader cannot
read fails here too, with the grader's message. The report shows every cell that raised, graded or not,
because a cell that raises here raises in the graded run too; what a test cell prints on stdout (by the lab
contract, only result lines such as ``validation balanced accuracy: 0.806 (must beat 0.388)``) is shown under it.
A cell that runs past the time limit, or during which the kernel dies, ends the check there: the
report names it and lists the cells after it as not run, since their results would depend on it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dcai_helpers.course.notebooks import (
    NotebookError,
    Stop,
    cell_label,
    error_of,
    is_solution_cell,
    is_test_cell,
    lab_of_notebook,
    nbgrader_meta,
    printed_lines,
    read_notebook,
    run_notebook,
    test_cells,
)
from dcai_helpers.labs import LABS, Lab
from dcai_helpers.verdicts.trusted import TestPlan, TrustedTests, Verdict

__all__ = ["DEFAULT_CELL_TIMEOUT", "CellError", "CheckReport", "NotebookError", "TestResult", "check_notebook"]

#: Default seconds one cell may run; a lab's solution runs in about a minute in all.
DEFAULT_CELL_TIMEOUT = 300


@dataclass(frozen=True)
class CellError:
    """A cell that raised: its number (from 1, every cell counted, as JupyterLab counts), label and error."""

    number: int
    label: str
    message: str
    graded: bool = False


@dataclass
class TestResult:
    """Outcome of one graded test cell; ``ran`` is False when the check stopped before it."""

    grade_id: str
    points: float
    passed: bool
    message: str = ""
    number: int = 0
    printed: list[str] = field(default_factory=list)
    ran: bool = True


@dataclass
class CheckReport:
    """Outcome of ``dcai check`` on one notebook."""

    lab: Lab
    results: list[TestResult]
    errors: list[CellError] = field(default_factory=list)
    stopped: CellError | None = None
    not_run: list[int] = field(default_factory=list)

    @property
    def ungraded_errors(self) -> list[CellError]:
        """The cells outside the graded tests that raised (solution cells included)."""
        return [error for error in self.errors if not error.graded]

    @property
    def tests_passed(self) -> bool:
        """True when every public test passed."""
        return all(result.passed for result in self.results)

    @property
    def passed(self) -> bool:
        """True when every public test passed, no cell raised and every cell ran."""
        return self.tests_passed and not self.ungraded_errors and self.stopped is None

    @property
    def points(self) -> float:
        """Points of the test cells whose public tests passed."""
        return sum(result.points for result in self.results if result.passed)

    @property
    def max_points(self) -> float:
        """Points of all test cells."""
        return sum(result.points for result in self.results)

    def render(self) -> str:
        """A plain-text report for the terminal."""
        width = max((len(r.grade_id) for r in self.results), default=0)
        lines = [f"{self.lab.id}: {self.lab.title}  (cells numbered from 1, Markdown cells included)"]
        for r in self.results:
            status = "PASS" if r.passed else ("FAIL" if r.ran else "SKIP")
            points = f"{r.points:g} pt{'s' if r.points != 1 else ''}"
            line = f"  {status}  {r.grade_id:<{width}}  {points:<6}  cell {r.number}"
            lines.append(line + (f"  {r.message}" if r.message else ""))
            lines.extend(f"        {printed}" for printed in r.printed)
        if self.ungraded_errors:
            lines.append("Cells outside the tests that raised:")
            lines.extend(f"  cell {e.number} ({e.label}): {e.message}" for e in self.ungraded_errors)
        if self.stopped is not None:
            after = _cell_range(self.not_run)
            lines.append(
                f"Stopped at cell {self.stopped.number} ({self.stopped.label}): {self.stopped.message}"
                + (f"; {after} did not run." if after else ".")
            )
            if "time limit" in self.stopped.message:
                lines.append("  Make that cell faster, or pass --cell-timeout SECONDS on a slow machine.")
        verdict = "all public tests pass" if self.tests_passed else "some public tests fail"
        lines.append(
            f"{verdict}: {self.points:g}/{self.max_points:g} points if the hidden tests, run at grading, pass too."
        )
        n = len(self.ungraded_errors)
        if n:
            lines.append(
                f"{n} ungraded cell{'s' if n != 1 else ''} raised: fix {'them' if n != 1 else 'it'} before you submit, "
                "the graded run will fail the same way."
            )
        if self.stopped is not None:
            lines.append("The check did not finish: fix the cell it stopped at before you submit.")
        return "\n".join(lines)


def _cell_range(numbers: list[int]) -> str:
    """``"cells 7 to 9"``, ``"cell 7"`` or ``""``."""
    if not numbers:
        return ""
    return f"cell {numbers[0]}" if len(numbers) == 1 else f"cells {numbers[0]} to {numbers[-1]}"


def check_notebook(
    path: str | Path, *, cell_timeout: int = DEFAULT_CELL_TIMEOUT, labs: Sequence[Lab] | None = None
) -> CheckReport:
    """Execute the notebook at ``path`` (never modifying it) and report its graded test cells.

    Every cell runs, as in the graded run, whether or not an earlier one raised. A test cell that
    fails after its exercise's solution cell raised is blamed on that solution cell ("cannot pass
    while its solution cell N raises"), not on the ``NameError`` that follows from it.

    Parameters
    ----------
    path : path
        A student's lab notebook.
    cell_timeout : int
        Seconds one cell may run; a cell that runs longer ends the check there.
    labs : sequence of Lab, optional
        The labs the notebook may belong to; default the registry, :data:`dcai_helpers.labs.LABS`.

    Raises
    ------
    NotebookError
        When the file is missing, not a notebook, or of no known lab.
    """
    path = Path(path)
    nb = read_notebook(path)
    lab = lab_of_notebook(nb, path, LABS if labs is None else labs)
    if not test_cells(nb):
        raise NotebookError(f"{path}: has no graded test cells; was it saved from labs/{lab.id}/?")
    trusted = TrustedTests(TestPlan.from_notebook(nb))
    verdicts: dict[int, Verdict] = {}

    def judge(index: int, cell: dict, client) -> None:
        if is_test_cell(cell):
            grade_id = nbgrader_meta(cell)["grade_id"]
            deadline = time.monotonic() + (cell_timeout or DEFAULT_CELL_TIMEOUT)
            verdicts[index] = trusted.verdict(grade_id, client.km, deadline=deadline)

    try:
        stop = run_notebook(nb, cwd=path.parent.resolve(), cell_timeout=cell_timeout, after_cell=judge)
    finally:
        trusted.close()
    return _report(lab, nb, stop, verdicts)


def _report(lab: Lab, nb: dict, stop: Stop | None, verdicts: dict[int, Verdict] | None = None) -> CheckReport:
    """Read the outcome of each cell of the run ``nb`` (and the grader's verdict on each test cell) into a report."""
    verdicts = verdicts or {}
    last_run = len(nb["cells"]) - 1 if stop is None else stop.index
    errors, results = [], []
    raised_solutions: list[CellError] = []  # solution cells of the current exercise that raised
    for index, cell in enumerate(nb["cells"]):
        number, label = index + 1, cell_label(cell)
        stopped_here = stop is not None and index == stop.index
        error = "" if index > last_run or stopped_here else error_of(cell)
        if is_test_cell(cell):
            points = float(nbgrader_meta(cell).get("points", 0))
            if index > last_run:
                message = "did not run: the check stopped before it"
            elif stopped_here:
                message = f"stopped: {stop.reason}"
            elif error and raised_solutions:
                blamed = raised_solutions[-1]
                message = f"cannot pass while its solution cell {blamed.number} ({blamed.label}) raises; fix that first"
            elif error:
                message = error
            elif index in verdicts and not verdicts[index].passed:
                message = f"at grading: {verdicts[index].message}"
            else:
                message = ""
            passed = not message
            results.append(TestResult(label, points, passed, message, number, printed_lines(cell), index <= last_run))
            if error:
                errors.append(CellError(number, label, error, graded=True))
            raised_solutions = []  # the next exercise starts after this test
        elif error:
            errors.append(CellError(number, label, error))
            if is_solution_cell(cell):
                raised_solutions.append(errors[-1])
    stopped = None
    if stop is not None:
        cell = nb["cells"][stop.index]
        stopped = CellError(stop.index + 1, cell_label(cell), stop.reason, graded=is_test_cell(cell))
    not_run = list(range(last_run + 2, len(nb["cells"]) + 1))
    return CheckReport(lab, results, errors, stopped, not_run)
