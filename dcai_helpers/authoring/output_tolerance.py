"""A pytest plugin for nbval: numbers in checked outputs may differ by a lab's stated tolerance, nothing else may.

torch and the BLAS libraries pick their kernels by CPU (AVX-512, AVX2, ARM), so a torch lab re-run on another
machine prints other last digits ("AUC 0.672" where the notebook holds "AUC 0.673"). Each lab states how far its
numbers may move (:attr:`dcai_helpers.labs.Lab.output_tolerance`, 0 by default). Before nbval compares a cell's
outputs, this plugin reconciles each text output with the committed one: when the two texts are the same apart
from numbers, and every differing number is within the tolerance, the committed text is taken; otherwise the
output is left as it ran and nbval reports the difference as before. Loaded by ``-p`` in ``pyproject.toml``.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from dcai_helpers.labs import lab_ids

#: A decimal number as outputs print it (a sign belongs to the number: "+-0.008" splits as "+", "-0.008").
NUMBER = re.compile(r"([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)")
#: The output fields that hold text nbval compares.
TEXT_FIELDS = ("text", "text/plain", "text/markdown", "text/html")


def reconcile(ran: str, committed: str, tolerance: float) -> str:
    """``committed`` when ``ran`` differs from it only in numbers each within ``tolerance``, else ``ran``.

    Examples
    --------
    >>> reconcile("AUC 0.672, TPR 0.011", "AUC 0.673, TPR 0.010", 0.002)
    'AUC 0.673, TPR 0.010'
    >>> reconcile("AUC 0.672", "AUC 0.680", 0.002)
    'AUC 0.672'
    >>> reconcile("loss attack: AUC 0.672", "gain attack: AUC 0.672", 0.002)
    'loss attack: AUC 0.672'
    """
    if ran == committed or tolerance <= 0:
        return ran
    ran_parts, committed_parts = NUMBER.split(ran), NUMBER.split(committed)
    if len(ran_parts) != len(committed_parts):
        return ran
    for index, (mine, theirs) in enumerate(zip(ran_parts, committed_parts, strict=True)):
        if mine == theirs:
            continue
        if index % 2 == 0:  # text between numbers: must match exactly
            return ran
        if abs(float(mine) - float(theirs)) > tolerance + 1e-12:
            return ran
    return committed


def reconcile_outputs(ran: list, committed: list, tolerance: float) -> list:
    """The outputs ``ran``, each text field reconciled with the committed output at the same place."""
    if tolerance <= 0 or len(ran) != len(committed):
        return ran
    reconciled = copy.deepcopy(ran)
    for mine, theirs in zip(reconciled, committed, strict=True):
        if mine.get("output_type") != theirs.get("output_type"):
            continue
        if "text" in mine and "text" in theirs:
            mine["text"] = reconcile(_joined(mine["text"]), _joined(theirs["text"]), tolerance)
        for field in TEXT_FIELDS:
            if field in mine.get("data", {}) and field in theirs.get("data", {}):
                mine["data"][field] = reconcile(_joined(mine["data"][field]), _joined(theirs["data"][field]), tolerance)
    return [nbformat.from_dict(output) for output in reconciled]


def _joined(text: str | list) -> str:
    return "".join(text) if isinstance(text, list) else text


def tolerance_of(notebook: Path) -> float:
    """The output tolerance of the lab whose notebook this is (0 for any other notebook)."""
    from dcai_helpers.labs import get_lab

    notebook = Path(notebook)
    return get_lab(notebook.stem).output_tolerance if notebook.stem in lab_ids() else 0.0


def pytest_configure(config) -> None:
    """Wrap nbval's comparison, when nbval is installed, so that each cell is reconciled before it is compared."""
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # nbval is a test dependency only
        return
    if getattr(IPyNbCell.compare_outputs, "reconciled", False):
        return
    compare = IPyNbCell.compare_outputs

    def compare_outputs(self, test, ref, skip_compare=None):
        tolerance = tolerance_of(Path(str(self.parent.fspath)))
        return compare(self, reconcile_outputs(test, ref, tolerance), ref, skip_compare)

    compare_outputs.reconciled = True
    IPyNbCell.compare_outputs = compare_outputs
