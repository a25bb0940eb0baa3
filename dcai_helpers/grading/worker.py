"""Autograde ONE submission with nbgrader in a course folder of its own.

``dcai grade`` runs one such process per submission (:func:`serve`, forked from a server that has
imported this module already, so nbgrader's imports are paid once), under a wall-time limit, so that
parallel submissions never share a gradebook file and a submission that hangs nbgrader itself can be
killed. ``python -m dcai_helpers.grading.worker SPEC`` does the same by hand, for debugging.
The process copies the gradebook made by ``generate_assignment`` (``SPEC["template_db"]``), runs
nbgrader's ``autograde`` with its usual preprocessors plus three of ours (integrity probes around a
sandboxed ``Execute``), and writes what it found to ``SPEC["result"]`` as JSON. The parent merges the
grades into the class gradebook.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
import traceback
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    Execute,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)
from traitlets import Float
from traitlets.config import Config

from dcai_helpers.grading import feedback
from dcai_helpers.grading.config import course_config, speed_up_gradebook
from dcai_helpers.grading.integrity import TAMPER_ENAME, InjectIntegrityProbes, ScoreIntegrityProbes, replaced_helpers
from dcai_helpers.grading.notebooks import nbgrader_meta
from dcai_helpers.grading.sandbox import KernelLimits, SandboxedKernelManager

#: Seconds every cell gets at least, even when the submission's time is (nearly) spent.
MIN_CELL_SECONDS = 5
#: Error names that mean the kernel ran out of memory.
MEMORY_ERRORS = ("MemoryError", "_ArrayMemoryError")
#: Error names that mean a cell ran out of time.
TIMEOUT_ERRORS = ("CellTimeoutError", "TimeoutError", "KeyboardInterrupt")


class SandboxedExecute(Execute):
    """nbgrader's ``Execute`` with the kernel in the sandbox and one time budget for the whole notebook."""

    deadline = Float(0.0, help="time.monotonic() by which the whole notebook must have run").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)
        if self.deadline:
            # Each cell may use what is left of the submission's time, so an endless loop is
            # interrupted when the budget is spent and the remaining (test) cells still run.
            self.timeout_func = lambda cell: max(MIN_CELL_SECONDS, int(self.deadline - time.monotonic()))


def autograde_config(spec: dict) -> Config:
    """nbgrader's configuration for the worker's course folder."""
    config = course_config(spec["course"])
    # nbgrader's autograde pipeline (converters/autograde.py), with Execute sandboxed and wrapped by
    # the integrity probes: inject them just before execution, score and remove them just after.
    config.Autograde.autograde_preprocessors = [
        InjectIntegrityProbes,
        SandboxedExecute,
        ScoreIntegrityProbes,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    config.SandboxedExecute.timeout = int(spec["timeout"])
    config.SandboxedExecute.deadline = time.monotonic() + float(spec["timeout"])
    config.SandboxedKernelManager.scratch_root = str(Path(spec["work"]) / "kernel")
    config.SandboxedKernelManager.limits = KernelLimits(
        memory_mb=int(spec["memory_mb"]),
        uid=int(spec["uid"]),
        isolate=bool(spec["isolate"]),
        threads=int(spec.get("threads", 0)),
    )
    return config


def run(spec: dict) -> dict:
    """Autograde the submission described by ``spec``; return what happened (see module docstring)."""
    speed_up_gradebook(spec.get("alembic_version"))
    root = Path(spec["course"])
    lab_id, student_id, name = spec["lab"], spec["student_id"], spec["notebook_name"]
    (root / "source" / lab_id).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(spec["template_db"], root / "gradebook.db")
    os.chmod(root / "gradebook.db", 0o600)
    submitted = root / "submitted" / student_id / lab_id / f"{name}.ipynb"
    submitted.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(spec["notebook"], submitted)
    # The kernel (another user id) must reach its working folder and nothing next to it.
    for folder in (root, root / "autograded", root / "autograded" / student_id):
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o711)
    config = autograde_config(spec)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    api.log.setLevel(logging.ERROR)
    outcome = api.autograde(lab_id, student_id, force=True, create=True)
    log = "\n".join(str(outcome.get(key) or "") for key in ("error", "log"))
    graded = root / "autograded" / student_id / lab_id / f"{name}.ipynb"
    result = {"success": bool(outcome["success"]) and graded.is_file(), "log": log[-4000:], "errors": {}}
    if result["success"]:
        executed = nbformat.read(graded, as_version=4)
        result["errors"] = errors_by_cell(executed)
        result["replaced"] = replaced_helpers(executed)
        with Gradebook(config.CourseDirectory.db_url, course_id="dcai") as gb:
            submitted = gb.find_submission_notebook(name, lab_id, student_id)
            result["score"] = float(submitted.score)
            result["cells"] = [
                {"grade_id": g.name, "score": float(g.score or 0), "max_score": float(g.max_score)}
                for g in submitted.grades
                if g.cell.__class__.__name__ == "GradeCell"
            ]
        try:  # nbgrader's feedback, hidden tests cut out, made here so that it runs in parallel too
            feedback.generate(root, lab_id, db_url=config.CourseDirectory.db_url)
        except RuntimeError as err:
            result["feedback_error"] = str(err)[-2000:]
    return result


def errors_by_cell(nb: dict) -> dict[str, list[str]]:
    """Error names of each cell that raised, keyed by grade id (or ``cell <index>``)."""
    found = {}
    for index, cell in enumerate(nb.cells):
        names = [o.get("ename", "") for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if names:
            found[nbgrader_meta(cell).get("grade_id") or f"cell {index}"] = names
    return found


def summarise(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Cells that timed out, ran out of memory, or were scored 0 for tampering."""
    return {
        "timeout": sorted(k for k, v in errors.items() if any(n in TIMEOUT_ERRORS for n in v)),
        "memory": sorted(k for k, v in errors.items() if any(n in MEMORY_ERRORS for n in v)),
        "tampered": sorted(k for k, v in errors.items() if TAMPER_ENAME in v),
    }


def serve(spec_path: str, log_path: str) -> None:
    """Run in a forked process: a session of its own (so it can be killed with its kernel), output to a log."""
    os.setsid()
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    for stream in (1, 2):
        os.dup2(log, stream)
    main([spec_path])


def main(argv: list[str]) -> int:
    """Entry point: ``python -m dcai_helpers.grading.worker SPEC.json``."""
    spec = json.loads(Path(argv[0]).read_text())
    try:
        result = run(spec)
    except Exception:  # the parent turns this into status "crashed" with the reason
        result = {"success": False, "grader_error": True, "log": traceback.format_exc(), "errors": {}}
    Path(spec["result"]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
