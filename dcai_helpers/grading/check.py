"""``dcai check``: run a student's notebook headless and report each public test with its points.

This is what a student runs before submitting. nbgrader's ``validate`` exits 0 even when a test
fails, so we execute with nbclient ourselves and read the test cells' outputs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from dcai_helpers.grading.notebooks import (
    NotebookError,
    first_line,
    lab_of_notebook,
    nbgrader_meta,
    read_notebook,
    test_cells,
)
from dcai_helpers.labs import LABS, Lab

#: Default seconds one cell may run; a lab's solution runs in about a minute in all.
DEFAULT_CELL_TIMEOUT = 300
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class TestResult:
    """Outcome of one graded test cell."""

    grade_id: str
    points: float
    passed: bool
    message: str = ""


@dataclass
class CheckReport:
    """Outcome of ``dcai check`` on one notebook."""

    lab: Lab
    results: list[TestResult]

    @property
    def passed(self) -> bool:
        """True when every public test passed."""
        return all(result.passed for result in self.results)

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
        lines = [f"{self.lab.id}: {self.lab.title}"]
        for r in self.results:
            status = "PASS" if r.passed else "FAIL"
            line = f"  {status}  {r.grade_id:<{width}}  {r.points:g} pt{'s' if r.points != 1 else ''}"
            lines.append(line + (f"  {r.message}" if r.message else ""))
        verdict = "all public tests pass" if self.passed else "some public tests fail"
        lines.append(
            f"{verdict}: {self.points:g}/{self.max_points:g} points if the hidden tests, run at grading, pass too."
        )
        return "\n".join(lines)


class CheckError(RuntimeError):
    """The notebook could not be checked (it timed out, or its kernel died); the message says why."""


def error_of(cell: dict) -> str:
    """``"Name: first line of message"`` of the first error a cell's outputs hold, or ``""``."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            message = first_line(_ANSI.sub("", output.get("evalue", "")))
            return f"{output.get('ename', 'Error')}: {message}" if message else output.get("ename", "Error")
    return ""


def check_notebook(
    path: str | Path, *, cell_timeout: int = DEFAULT_CELL_TIMEOUT, labs: Sequence[Lab] = LABS
) -> CheckReport:
    """Execute the notebook at ``path`` (never modifying it) and report its graded test cells.

    Parameters
    ----------
    path : path
        A student's lab notebook.
    cell_timeout : int
        Seconds one cell may run.
    labs : sequence of Lab
        The labs the notebook may belong to (the registry by default).

    Raises
    ------
    NotebookError
        When the file is missing, not a notebook, or of no known lab.
    CheckError
        When a cell runs past ``cell_timeout`` or the kernel dies.
    """
    path = Path(path)
    nb = read_notebook(path)
    lab = lab_of_notebook(nb, path, labs)
    if not test_cells(nb):
        raise NotebookError(f"{path}: has no graded test cells; was it saved from labs/{lab.id}/?")
    client = NotebookClient(
        nb,
        timeout=cell_timeout,
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    try:
        client.execute()
    except CellTimeoutError:
        raise CheckError(
            f"{path}: a cell ran longer than {cell_timeout} s; look for an endless loop, "
            "or pass --timeout SECONDS for a slow machine"
        ) from None
    except DeadKernelError:
        raise CheckError(f"{path}: the Python kernel died (out of memory, or the code exited the process)") from None
    results = []
    for cell in test_cells(nb):
        meta = nbgrader_meta(cell)
        message = error_of(cell)
        results.append(TestResult(meta.get("grade_id", "?"), float(meta.get("points", 0)), not message, message))
    return CheckReport(lab, results)
