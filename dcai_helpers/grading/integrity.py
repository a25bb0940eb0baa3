"""Detect tampering: cells changed against the release, and test helpers replaced at run time.

Two checks, both reported as :class:`~dcai_helpers.grading.status.Finding` data and the status ``tampered``:

- :func:`prepare_submission` compares the submission's graded cells with the release, before grading. It
  keeps the notebook gradable on the release's cells: a duplicated graded cell (JupyterLab copies a cell
  with its metadata) is graded once, a cell claiming a grade id the release does not have is dropped, and
  changed grading metadata is restored. nbgrader then restores edited and retyped test cells itself; a
  deleted test cell scores 0.
- :class:`InjectIntegrityProbes` and :class:`ScoreIntegrityProbes` are nbgrader preprocessors that run
  around nbgrader's ``Execute``. A probe cell injected first runs :func:`dcai_helpers.grading.probe.snapshot`
  (that module's source, read with :mod:`inspect`), which records the pristine test helpers; a probe
  before and after every test cell reports what was replaced since. A test cell that ran with a replaced
  helper scores 0: it gets an error output saying what was replaced, so nbgrader's own scoring gives it 0
  points and the feedback says why.

This deters the usual monkeypatches (``np.allclose = lambda *a, **k: True``, a no-op ``assert_allclose``,
a silenced traceback, an AST transformer that drops asserts). Code running in the same interpreter can
always defeat an in-process check it has studied; the instructor sees the status ``tampered`` and the
reason, and decides.
"""

from __future__ import annotations

import copy
import inspect
import json

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from dcai_helpers.grading import probe
from dcai_helpers.grading.notebooks import nbgrader_meta
from dcai_helpers.grading.status import Event, Finding

PROBE_MIME = probe.PROBE_MIME
#: Marks the grader's probe cells (a tag, so they are removed after execution) and where they stand.
PROBE_TAG = "dcai_integrity_probe"
PROBE_META = "dcai_probe"
#: Error name given to a test cell that ran with a replaced helper.
TAMPER_ENAME = "IntegrityError"
#: nbgrader metadata keys that decide how a cell is graded (restored from the release when changed).
GRADING_KEYS = ("grade", "solution", "locked", "points", "task")

#: The first probe cell: the probe module's source runs in a namespace of its own, out of the student's way.
SNAPSHOT_CELL = f"""
def _dcai_integrity_snapshot():
    from IPython.display import publish_display_data
    namespace = {{}}
    exec(compile({inspect.getsource(probe)!r}, "dcai_integrity_probe", "exec"), namespace)
    return namespace["snapshot"](get_ipython(), publish_display_data)

_dcai_integrity_report = _dcai_integrity_snapshot()
del _dcai_integrity_snapshot
_dcai_integrity_report("start")
"""


def _probe_cell(source: str, position: str = "start", grade_id: str = "") -> NotebookNode:
    """A grader cell, tagged so that :class:`ScoreIntegrityProbes` finds and removes it."""
    cell = new_code_cell(source.strip())
    cell.metadata["tags"] = [PROBE_TAG]
    cell.metadata[PROBE_META] = {"position": position, "grade_id": grade_id}
    return cell


def is_probe(cell: dict) -> bool:
    """True for a cell the grader injected."""
    return PROBE_TAG in cell.get("metadata", {}).get("tags", [])


def probe_of(cell: dict) -> dict:
    """``{"position": "start" | "before" | "after", "grade_id": ...}`` of a probe cell."""
    return dict(cell.get("metadata", {}).get(PROBE_META, {}))


class InjectIntegrityProbes(NbGraderPreprocessor):
    """Inject a helper snapshot first and a probe before and after every test cell."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        cells = [_probe_cell(SNAPSHOT_CELL)]
        for cell in nb.cells:
            grade_id = nbgrader_meta(cell).get("grade_id")
            is_test = cell.cell_type == "code" and nbgrader_meta(cell).get("grade") and grade_id
            if is_test:
                cells.append(_probe_cell(f"_dcai_integrity_report('before:{grade_id}')", "before", grade_id))
            cells.append(cell)
            if is_test:
                cells.append(_probe_cell(f"_dcai_integrity_report('after:{grade_id}')", "after", grade_id))
        nb.cells = cells
        return nb, resources


def probe_report(cell: dict) -> list[str] | None:
    """What a probe cell reported replaced; ``None`` when it did not run (interrupted or kernel gone)."""
    for output in cell.get("outputs", []):
        report = output.get("data", {}).get(PROBE_MIME)
        if report is not None:
            return list(report.get("replaced", []))
    errors = [output.get("ename", "") for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    if any(name in ("CellTimeoutError", "KeyboardInterrupt") for name in errors):
        return None
    if cell.get("execution_count") is None and not cell.get("outputs"):
        return None
    # It ran but reported nothing: its reporting was suppressed or the probe was removed.
    return [f"the integrity probe's report ({', '.join(errors) or 'no output'})"]


def replaced_by_test_cell(probe_reports: list[tuple[dict, list[str] | None]]) -> dict[str, list[str]]:
    """Helpers found replaced around each test cell, from ``(probe_of(cell), probe_report(cell))`` pairs."""
    found: dict[str, set[str]] = {}
    for where, replaced in probe_reports:
        if replaced and where.get("grade_id"):
            found.setdefault(where["grade_id"], set()).update(replaced)
    return {grade_id: sorted(names) for grade_id, names in found.items()}


class ScoreIntegrityProbes(NbGraderPreprocessor):
    """Remove the probe cells; give every test cell that ran with a replaced helper an error output (0 points)."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        reports = [(probe_of(cell), probe_report(cell)) for cell in nb.cells if is_probe(cell)]
        findings = replaced_by_test_cell(reports)
        nb.cells = [cell for cell in nb.cells if not is_probe(cell)]
        for cell in nb.cells:
            grade_id = nbgrader_meta(cell).get("grade_id")
            if grade_id in findings and cell.cell_type == "code":
                replaced = ", ".join(findings[grade_id])
                message = f"this test ran after the submission replaced {replaced}; it scores 0"
                cell.outputs.append(
                    new_output("error", ename=TAMPER_ENAME, evalue=message, traceback=[f"{TAMPER_ENAME}: {message}"])
                )
        return nb, resources


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
