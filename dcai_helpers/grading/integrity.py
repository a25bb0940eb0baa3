"""Detect tampering with the test cells, before grading: cells changed against the release.

:func:`prepare_submission` compares the submission's graded cells with the release and reports each change as
a :class:`~dcai_helpers.grading.status.Finding` (status ``tampered``). It keeps the notebook gradable on the
release's cells: a duplicated graded cell (JupyterLab copies a cell with its metadata) is graded once, a cell
claiming a grade id the release does not have is dropped, and changed grading metadata is restored. nbgrader
then restores edited and retyped test cells itself; a deleted test cell scores 0.

Nothing here watches the student's kernel at run time: the grader's verdicts are made outside it
(:mod:`dcai_helpers.verdicts.trusted`), so what a submission does to its own interpreter (replacing numpy's
comparisons, hooks, tracebacks) cannot change a verdict and needs no detection.
"""

from __future__ import annotations

import copy
import json

from nbformat import NotebookNode

from dcai_helpers.course.notebooks import nbgrader_meta
from dcai_helpers.grading.status import Event, Finding

#: nbgrader metadata keys that decide how a cell is graded (restored from the release when changed).
GRADING_KEYS = ("grade", "solution", "locked", "points", "task")


def prepare_submission(submission: dict, release: dict) -> tuple[NotebookNode, list[Finding]]:
    """The submission made gradable on the release's cells, and what was changed against the release.

    - A graded cell whose grade id appears again: the first copy keeps it; a later copy of a test cell is
      dropped, a later copy of a solution cell stays as ordinary code (its answer still runs).
    - A cell with nbgrader metadata whose grade id the release does not have: dropped when it claims to be
      graded or locked, ordinary code otherwise.
    - A known cell whose grading metadata (grade, solution, locked, points) changed: the release's restored.
    - A locked cell edited, retyped or deleted: reported; nbgrader restores the first two when grading.

    Parameters
    ----------
    submission : dict
        The student's notebook (not changed).
    release : dict
        The lab's student release, as ``generate_assignment`` made it.

    Returns
    -------
    (NotebookNode, list of Finding)
        The notebook to grade, and one finding per changed cell, in the release's order.
    """
    nb = copy.deepcopy(submission)
    released = {nbgrader_meta(c)["grade_id"]: c for c in release["cells"] if nbgrader_meta(c).get("grade_id")}
    findings: list[Finding] = []
    seen: set[str] = set()
    kept = []
    for cell in nb["cells"]:
        meta = nbgrader_meta(cell)
        grade_id = meta.get("grade_id")
        if not meta or not grade_id:
            kept.append(cell)
            continue
        original = released.get(grade_id)
        claims_grade = bool(meta.get("grade") or meta.get("locked"))
        if original is None or grade_id in seen:
            event = Event.CELL_ADDED if original is None else Event.CELL_DUPLICATED
            findings.append(Finding(event, grade_id))
            is_answer = (original is not None and nbgrader_meta(original).get("solution")) or not claims_grade
            if is_answer:  # the student's code still runs, as an ordinary cell
                cell["metadata"].pop("nbgrader", None)
                kept.append(cell)
            continue
        seen.add(grade_id)
        theirs = {key: meta.get(key) for key in GRADING_KEYS}
        ours = {key: nbgrader_meta(original).get(key) for key in GRADING_KEYS}
        if theirs != ours:
            changed = ", ".join(
                f"{key} {theirs[key]!r} instead of {ours[key]!r}" for key in ours if theirs[key] != ours[key]
            )
            findings.append(Finding(Event.METADATA_CHANGED, grade_id, changed))
            cell["metadata"]["nbgrader"] = copy.deepcopy(nbgrader_meta(original))
        kept.append(cell)
    nb["cells"] = kept
    findings += changed_locked_cells(nb, release)
    return NotebookNode(nb) if not isinstance(nb, NotebookNode) else nb, _in_release_order(findings, release)


def changed_locked_cells(submission: dict, release: dict) -> list[Finding]:
    """How the submission's locked cells differ from the release: one finding per edited, retyped or deleted cell."""
    submitted = {}
    for cell in submission.get("cells", []):
        submitted.setdefault(nbgrader_meta(cell).get("grade_id"), cell)
    findings = []
    for cell in release["cells"]:
        meta = nbgrader_meta(cell)
        if not meta.get("locked") or not meta.get("grade_id"):
            continue
        grade_id = meta["grade_id"]
        theirs = submitted.get(grade_id)
        if theirs is None:
            if meta.get("grade"):  # a deleted locked Markdown cell costs nothing
                findings.append(Finding(Event.CELL_DELETED, grade_id))
        elif theirs.get("cell_type") != cell["cell_type"]:
            findings.append(Finding(Event.CELL_RETYPED, grade_id, str(theirs.get("cell_type"))))
        elif _normalised(theirs.get("source", "")) != _normalised(cell["source"]):
            findings.append(Finding(Event.CELL_EDITED, grade_id))
    return findings


def _in_release_order(findings: list[Finding], release: dict) -> list[Finding]:
    """``findings`` sorted by where their cell stands in the release (unknown cells last)."""
    order = {nbgrader_meta(c).get("grade_id"): i for i, c in enumerate(release["cells"])}
    return sorted(findings, key=lambda f: order.get(f.cell, len(order)))


def _normalised(source: str | list) -> str:
    """Cell source without trailing whitespace, the way JupyterLab may save it."""
    text = "".join(source) if isinstance(source, list) else source
    return json.dumps([line.rstrip() for line in text.strip().splitlines()])
