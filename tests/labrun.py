"""Building and running variants of a lab's solution notebook for the end-to-end tests."""

from __future__ import annotations

import copy
import importlib
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from dcai_helpers.grading.notebooks import HIDDEN_TEST_MARKERS, nbgrader_meta, read_notebook
from dcai_helpers.labs import Lab

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


def public_runs(lab: Lab, test_id: str, variants: list[dict[str, str]]) -> list[list]:
    """Outputs of the public part of test cell ``test_id``, once per variant of the solution cells.

    The notebook runs once, in one kernel, up to the test cell (the exercise's own solution cells
    left out); then, for each variant, its solution cells and the test's public part run after it.
    """
    nb = read_notebook(lab.solution)
    index = cell_index(nb, test_id)
    replaced = {grade_id for variant in variants for grade_id in variant}
    prefix = [c for c in nb.cells[:index] if nbgrader_meta(c).get("grade_id") not in replaced]
    originals = {grade_id: nb.cells[cell_index(nb, grade_id)].source for grade_id in replaced}
    public, _ = split_hidden(nb.cells[index].source)
    nb.cells = prefix
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(lab.solution.parent)}},
    )
    found = []
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            client.execute_cell(cell, i)
        for variant in variants:
            # Every replaced cell is run again (the original where this variant keeps it), in notebook order.
            sources = [variant.get(grade_id, originals[grade_id]) for grade_id in originals]
            for source in [*sources, public]:
                cell = nbformat.v4.new_code_cell(source)
                nb.cells.append(cell)
                client.execute_cell(cell, len(nb.cells) - 1)
            found.append(nb.cells[-1].outputs)
    return found


def hardcoded_answers(lab: Lab) -> dict[str, dict[str, str]]:
    """``tests/hardcoded/<lab>.py``'s ``HARDCODED``: test cell id -> {solution cell id -> cheating source}."""
    return importlib.import_module(f"hardcoded.{lab.id}").HARDCODED


def cell_index(nb: dict, grade_id: str) -> int:
    """Index of the cell whose nbgrader ``grade_id`` is ``grade_id``."""
    for index, cell in enumerate(nb["cells"]):
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            return index
    raise KeyError(f"no cell with grade_id '{grade_id}'")


def with_answers(nb: dict, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose solution cells named in ``answers`` hold the given sources instead."""
    nb = copy.deepcopy(nb)
    for grade_id, source in answers.items():
        nb.cells[cell_index(nb, grade_id)].source = source
    return nb


def split_hidden(source: str) -> tuple[str, str]:
    """Split a test cell's source into its public part and its hidden part."""
    begin, end = HIDDEN_TEST_MARKERS
    public, hidden, inside = [], [], False
    for line in source.splitlines():
        if line.strip().startswith(begin):
            inside = True
        elif line.strip().startswith(end):
            inside = False
        else:
            (hidden if inside else public).append(line)
    return "\n".join(public), "\n".join(hidden)


def public_and_hidden_run(lab: Lab, test_id: str, answers: dict[str, str]) -> tuple[list, list]:
    """Run the solution up to the test cell ``test_id`` with ``answers`` swapped in.

    Returns
    -------
    (public_outputs, hidden_outputs)
        The outputs of the test cell's public part and of its hidden part, run as two cells.
    """
    nb = with_answers(read_notebook(lab.solution), answers)
    index = cell_index(nb, test_id)
    public, hidden = split_hidden(nb.cells[index].source)
    nb.cells = nb.cells[:index] + [nbformat.v4.new_code_cell(public), nbformat.v4.new_code_cell(hidden)]
    run(nb, lab.solution.parent)
    return nb.cells[-2].outputs, nb.cells[-1].outputs


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
