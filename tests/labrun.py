"""Building and running variants of a lab's solution notebook for the end-to-end tests."""

from __future__ import annotations

import copy
import importlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from dcai_helpers.course.notebooks import SOLUTION_MARKERS, is_test_cell, nbgrader_meta, read_notebook, split_hidden
from dcai_helpers.labs import Lab, get_lab
from dcai_helpers.verdicts.trusted import TestPlan, TrustedTests, Verdict

#: Seconds one cell may run in the tests (the machine may be loaded).
CELL_TIMEOUT = 600


@dataclass(frozen=True)
class Mistake:
    """A plausible beginner mistake in one exercise (``tests/mistakes/<lab>.py``).

    Attributes
    ----------
    what : str
        The mistake in a few words ("over-samples every class", "p-value without the +1").
    rule : str
        Text the public test's failure message must contain: the name of the rule that was broken.
    answers : dict
        Solution cell grade_id -> the full mistaken source of that cell.
    """

    what: str
    rule: str
    answers: dict[str, str]


def mistakes(lab: Lab) -> dict[str, list[Mistake]]:
    """``tests/mistakes/<lab>.py``'s ``MISTAKES``: test cell id -> the mistakes its public part must catch."""
    return importlib.import_module(f"mistakes.{lab.id}").MISTAKES


@dataclass
class VariantRun:
    """What one variant of a test cell's solution cells gave: the kernel's run of the public part (what a student
    sees in ``dcai check``) and the grader's verdict on the whole test cell (what grading gives)."""

    public: list
    verdict: Verdict | None = None


@dataclass
class LabRun:
    """The variants' runs per test cell, and the grader's verdict on the solution itself at each test cell."""

    variants: dict[str, list[VariantRun]]
    solution: dict[str, Verdict] = field(default_factory=dict)


def run_variants(lab: Lab, variants: dict[str, list[dict[str, str]]], *, verdicts: bool = True) -> LabRun:
    """Run the solution once, in one kernel, trying variants of the solution cells at each test cell.

    The kernel runs each test cell without its hidden part, as at grading. At each test cell named in
    ``variants``, each variant's sources replace their solution cells, the test's public part runs in the
    kernel, and the grader's trusted runner (:class:`~dcai_helpers.verdicts.trusted.TrustedTests`) gives its
    verdict on the whole test cell, calling the variant's functions in that kernel; then the original solution
    cells run again (so the notebook goes on as written), the test cell runs, and the grader gives its verdict on
    the solution. One kernel per lab instead of one per variant: a test cell only uses its own fixtures and its
    own solution cell's names (CONTRIBUTING.md), so what ran before it does not depend on the variant.

    Parameters
    ----------
    variants : dict
        Test cell grade_id -> list of {solution cell grade_id -> replacement source}.
    verdicts : bool
        Also have the grader judge each variant and the solution (:attr:`VariantRun.verdict` is None otherwise).
    """
    nb = read_notebook(lab.solution)
    originals = {nbgrader_meta(c).get("grade_id"): c.source for c in nb.cells}
    missing = sorted(test_id for test_id in variants if test_id not in originals)
    if missing:
        raise KeyError(f"{lab.id}: no test cells {missing}")
    found = LabRun({test_id: [] for test_id in variants})
    trusted = TrustedTests(TestPlan.from_notebook(nb))
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(lab.solution.parent)}},
    )
    cells = list(nb.cells)
    nb.cells = []

    def execute(source: str) -> list:
        cell = nbformat.v4.new_code_cell(source)
        nb.cells.append(cell)
        client.execute_cell(cell, len(nb.cells) - 1)
        return cell.outputs

    def verdict(test_id: str) -> Verdict | None:
        return trusted.verdict(test_id, client.km, deadline=time.monotonic() + CELL_TIMEOUT) if verdicts else None

    with client.setup_kernel():
        try:
            for cell in cells:
                if cell.cell_type != "code":
                    continue
                test_id = nbgrader_meta(cell).get("grade_id")
                if not is_test_cell(cell):
                    execute(cell.source)
                    continue
                public, _ = split_hidden(cell.source)
                for variant in variants.get(test_id, []):
                    for source in variant.values():
                        execute(source)
                    found.variants[test_id].append(VariantRun(execute(public), verdict(test_id)))
                    for grade_id in variant:
                        execute(originals[grade_id])
                execute(public)
                if verdicts:
                    found.solution[test_id] = verdict(test_id)
        finally:
            trusted.close()
    return found


def hardcoded_answers(lab: Lab) -> dict[str, dict[str, str]]:
    """``tests/hardcoded/<lab>.py``'s ``HARDCODED``: test cell id -> {solution cell id -> cheating source}."""
    return importlib.import_module(f"hardcoded.{lab.id}").HARDCODED


def whole_lab_tests(lab: Lab) -> tuple[str, ...]:
    """``tests/hardcoded/<lab>.py``'s ``GRADES_EVERY_EXERCISE``: test cells that grade what all the exercises built
    together (the capstone's final training set), which a wrong answer anywhere may cost by design."""
    return tuple(getattr(importlib.import_module(f"hardcoded.{lab.id}"), "GRADES_EVERY_EXERCISE", ()))


def cell_index(nb: dict, grade_id: str) -> int:
    """Index of the cell whose nbgrader ``grade_id`` is ``grade_id``."""
    for index, cell in enumerate(nb["cells"]):
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            return index
    raise KeyError(f"no cell with grade_id '{grade_id}'")


def solution_code(lab_id: str, grade_id: str) -> str:
    """The code of solution cell ``grade_id`` of lab ``lab_id`` without its solution markers: the answer key, for
    hard-coded answers and mistakes that reuse it (so they follow the solution rather than a pasted copy)."""
    nb = read_notebook(get_lab(lab_id).solution)
    source = nb.cells[cell_index(nb, grade_id)].source
    return "".join(line for line in source.splitlines(keepends=True) if line.strip() not in SOLUTION_MARKERS)


def with_answers(nb: dict, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose solution cells named in ``answers`` hold the given sources instead."""
    nb = copy.deepcopy(nb)
    for grade_id, source in answers.items():
        nb.cells[cell_index(nb, grade_id)].source = source
    return nb


def run(nb: dict, cwd: Path) -> dict:
    """Execute ``nb`` in place in folder ``cwd``, carrying on past errors."""
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT, allow_errors=True, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()
    return nb


def errors(outputs: list) -> list[str]:
    """``"Name: value"`` of each error in a cell's outputs."""
    return [f"{o.ename}: {o.evalue}" for o in outputs if o.get("output_type") == "error"]
