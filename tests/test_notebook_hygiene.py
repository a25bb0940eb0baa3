"""Notebooks do not rewrite themselves: re-running a solution and releasing it again changes no byte.

Lab contract, item 10. ``dcai execute`` re-runs a solution headless and tidies it (no timestamps, no widget
state, stable cell ids); ``dcai release`` tidies the student notebook it writes. Run twice, both must give
the same bytes, so ``git diff solutions/ labs/`` stays empty after re-executing and releasing a lab.
"""

from __future__ import annotations

import dataclasses
import shutil

import nbformat
import pytest
from conftest import tiny_notebook

from dcai_helpers.authoring import release
from dcai_helpers.course.notebooks import read_notebook, untidiness
from dcai_helpers.labs import get_lab


def execute_and_release(lab, dest) -> tuple[bytes, bytes]:
    """Run ``dcai execute`` on ``lab`` (which releases into ``dest``); the solution's and the release's bytes."""
    release.execute([lab])
    [path] = release.release([lab], dest=dest)
    return lab.solution.read_bytes(), path.read_bytes()


def differing_cells(first: bytes, second: bytes) -> list[str]:
    """The ids of the cells that differ between two saves of a notebook (for the failure message)."""
    a, b = (nbformat.reads(text.decode(), as_version=4) for text in (first, second))
    return [x.get("id") for x, y in zip(a.cells, b.cells, strict=False) if x != y] or ["notebook metadata"]


def test_tiny_lab_rerun_changes_no_byte(tiny_lab, tmp_path):
    nb = tiny_notebook(test="print('double(2):', double(2))\nassert double(2) == 4\n")
    nb.cells[1].metadata["execution"] = {"iopub.status.busy": "2026-11-23T10:04:22.066234Z"}
    nbformat.write(nb, tiny_lab.solution)
    solution, student = execute_and_release(tiny_lab, tmp_path / "labs")
    assert execute_and_release(tiny_lab, tmp_path / "labs") == (solution, student)
    executed = read_notebook(tiny_lab.solution)
    assert untidiness(executed) == [] and [c.get("execution_count") for c in executed.cells] == [None, 1, 2]
    assert executed.cells[2].outputs[0].text == "double(2): 4\n", "the solution keeps its outputs"
    assert release.check([tiny_lab], dest=tmp_path / "labs") == []


@pytest.mark.notebook
def test_a_real_lab_rerun_changes_no_byte(tmp_path):
    real = get_lab("label_errors")
    lab = dataclasses.replace(real, solutions_dir=tmp_path / "solutions")
    shutil.copytree(real.solution.parent, lab.solution.parent)
    first = execute_and_release(lab, tmp_path / "labs")
    second = execute_and_release(lab, tmp_path / "labs")
    assert first[1] == second[1], f"the release changed in cells {differing_cells(first[1], second[1])}"
    assert first[0] == second[0], f"the solution's outputs changed in cells {differing_cells(first[0], second[0])}"
