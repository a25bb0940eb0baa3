"""Building and running variants of a lab's solution notebook for the end-to-end tests."""

from __future__ import annotations

import copy
import importlib
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from dcai_helpers.labs import Lab
from dcai_helpers.notebooks import HIDDEN_TEST_MARKERS, nbgrader_meta, read_notebook

#: Seconds one cell may run in the tests (the machine may be loaded).
CELL_TIMEOUT = 600


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
