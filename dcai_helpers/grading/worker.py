"""Autograde ONE submission with nbgrader in a course folder of its own.

``dcai grade`` runs one such process per submission (:func:`serve`, forked from a server that has
imported this module already, so nbgrader's imports are paid once), under a wall-time limit, so that
parallel submissions never share a gradebook file and a submission that hangs nbgrader itself can be
killed. ``python -m dcai_helpers.grading.worker SPEC.json`` does the same by hand, for debugging.

The process copies the gradebook made by ``generate_assignment`` (:attr:`WorkerSpec.template_db`), runs
nbgrader's ``autograde`` with its usual preprocessors plus three of ours (integrity probes around a
sandboxed ``Execute``), and writes a :class:`WorkerResult` as JSON. While the kernel runs, every cell's
start and end goes to :attr:`WorkerSpec.progress` (one JSON line each), so that when the kernel hangs,
dies or kills this process, the parent still knows which cells ran, what they earned, and which cell
was running.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

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
from sqlalchemy import event
from sqlalchemy.engine import Engine
from traitlets import Float, Unicode
from traitlets.config import Config

from dcai_helpers.grading import feedback
from dcai_helpers.grading.config import COURSE_ID, course_config, speed_up_gradebook
from dcai_helpers.grading.integrity import InjectIntegrityProbes, ScoreIntegrityProbes, is_probe, probe_of, probe_report
from dcai_helpers.grading.notebooks import nbgrader_meta
from dcai_helpers.grading.sandbox import KernelLimits, SandboxedKernelManager

#: Seconds every cell gets at least, even when the submission's time is (nearly) spent.
MIN_CELL_SECONDS = 5
#: Seconds a kernel past its time has to answer on its control channel before it counts as hung: generous,
#: because a busy kernel's control thread waits for the GIL, and on a loaded 2-core machine 5 s was too short
#: (CI once read an endless loop as a hang). Only a kernel that really hangs pays it.
CONTROL_REPLY_SECONDS = 15


class Spans:
    """Seconds spent per phase (``time.perf_counter``), summed by name: where grading's time goes.

    Only ``benchmarks/grading.py`` reads them (from :attr:`WorkerResult.timings` and ``grade(..., timings=)``);
    nothing is shown to users.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def add(self, name: str, seconds: float) -> None:
        """Count ``seconds`` more for ``name``."""
        self.seconds[name] = self.seconds.get(name, 0.0) + float(seconds)

    @contextlib.contextmanager
    def span(self, name: str):
        """Count the time the block takes for ``name`` (also when it raises)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)


#: The progress record that says the submission's kernel has ended (what follows, scores and feedback, needs no core
#: of a kernel's: the parent starts the next submission then).
EXECUTED = "executed"
#: This worker process's spans (a worker grades one submission, so they are that submission's).
SPANS = Spans()


@dataclass
class WorkerSpec:
    """What one worker grades, where, and under which limits."""

    course: str  # the worker's own nbgrader course folder
    work: str  # the worker's scratch folder
    lab: str
    notebook_name: str
    nbgrader_id: str  # the student's id in nbgrader's folders and gradebook
    notebook: str  # the submission, as prepared for grading
    template_db: str  # the gradebook generate_assignment made
    uid: int  # the kernel's user id
    result: str  # where the WorkerResult goes (JSON)
    progress: str  # where cell starts and ends go (JSON lines)
    token: str  # put in the kernel's environment, so all it starts can be found and ended
    timeout: int
    memory_mb: int
    isolate: bool
    threads: int = 0
    alembic_version: str | None = None

    def write(self, path: Path) -> None:
        """Save as JSON."""
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def read(cls, path: str | Path) -> WorkerSpec:
        """Load from JSON."""
        return cls(**json.loads(Path(path).read_text()))


@dataclass
class CellScore:
    """The score of one autograded test cell."""

    grade_id: str
    score: float
    max_score: float


@dataclass
class WorkerResult:
    """What a worker found: nbgrader's verdict, scores and logs."""

    success: bool  # nbgrader graded the whole notebook
    log: str = ""
    score: float = 0.0
    cells: list[CellScore] = field(default_factory=list)
    grader_error: str = ""  # the worker itself failed (a traceback)
    feedback_error: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase (see Spans), for the benchmark

    def write(self, path: str | Path) -> None:
        """Save as JSON."""
        Path(path).write_text(json.dumps(asdict(self)))

    @classmethod
    def read(cls, path: str | Path) -> WorkerResult:
        """Load from JSON."""
        data = json.loads(Path(path).read_text())
        data["cells"] = [CellScore(**cell) for cell in data.get("cells", [])]
        return cls(**data)


class SandboxedExecute(Execute):
    """nbgrader's ``Execute`` with the kernel in the sandbox, one time budget, and a record of each cell."""

    deadline = Float(0.0, help="time.monotonic() by which the whole notebook must have run").tag(config=True)
    progress_file = Unicode("", help="file that gets one JSON line per cell start and end").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        # Every output is in by then: a graceful shutdown only waits (seconds) for the kernel to exit by itself,
        # while killing it ends the sandbox with it (--die-with-parent, a pid namespace of its own).
        kwargs.setdefault("shutdown_kernel", "immediate")
        super().__init__(*args, **kwargs)
        if self.deadline:
            # Each cell may use what is left of the submission's time, so an endless loop is
            # interrupted when the budget is spent and the remaining (test) cells still run.
            self.timeout_func = lambda cell: max(MIN_CELL_SECONDS, int(self.deadline - time.monotonic()))
        self._running: dict = {}

    def _note(self, **record) -> None:
        if self.progress_file:
            with open(self.progress_file, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")

    # nbconvert's preprocess() runs nbclient's synchronous wrappers, which call the base class's coroutines.
    def start_new_kernel(self, **kwargs):
        with SPANS.span("kernel start"):
            return super().start_new_kernel(**kwargs)

    def start_new_kernel_client(self):
        with SPANS.span("kernel ready"):
            return super().start_new_kernel_client()

    def _cleanup_kernel(self):
        with SPANS.span("kernel shutdown"):
            super()._cleanup_kernel()
        # The kernel is gone: the parent may start the next submission's kernel while this one is scored.
        self._note(event=EXECUTED)

    def preprocess_cell(self, cell, resources, index):
        """Execute one cell, noting its start and its end (or the exception that ended the run)."""
        where = probe_of(cell) if is_probe(cell) else {"grade_id": nbgrader_meta(cell).get("grade_id") or ""}
        self._running = {"index": index, "probe": is_probe(cell), **where}
        self._note(event="start", **self._running)
        try:
            with SPANS.span("probes" if is_probe(cell) else "cells"):
                cell, resources = super().preprocess_cell(cell, resources, index)
        except BaseException as err:
            self._note(event="raised", error=type(err).__name__, message=str(err)[:500], **self._running)
            raise
        errors = [o.get("ename", "") for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        replaced = probe_report(cell) if is_probe(cell) else None
        self._note(event="end", errors=errors, replaced=replaced, **self._running)
        return cell, resources

    async def _async_handle_timeout(self, timeout, cell=None):
        # The cell used its time. A kernel that still answers on its control channel is busy (a limit, whatever
        # it does with the interrupt next); one that answers nothing there has stopped working (a hang).
        answers = await self._kernel_answers()
        self._note(event="timed_out" if answers else "unresponsive", seconds=timeout, **self._running)
        return await super()._async_handle_timeout(timeout, cell)

    async def _kernel_answers(self, seconds: float = CONTROL_REPLY_SECONDS) -> bool:
        """Whether the kernel replies to a ``kernel_info_request`` on its control channel within ``seconds``."""
        try:
            request = self.kc.session.msg("kernel_info_request")
            self.kc.control_channel.send(request)
            deadline = time.monotonic() + seconds
            while (left := deadline - time.monotonic()) > 0:
                reply = await self.kc.control_channel.get_msg(timeout=left)
                if reply.get("parent_header", {}).get("msg_id") == request["header"]["msg_id"]:
                    return True
        except Exception:  # noqa: BLE001 (no reply, a closed channel: it does not answer)
            return False
        return False


def autograde_config(spec: WorkerSpec) -> Config:
    """nbgrader's configuration for the worker's course folder."""
    config = course_config(spec.course)
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
    config.SandboxedExecute.timeout = int(spec.timeout)
    config.SandboxedExecute.deadline = time.monotonic() + float(spec.timeout)
    config.SandboxedExecute.progress_file = spec.progress
    config.SandboxedKernelManager.scratch_root = str(Path(spec.work) / "kernel")
    config.SandboxedKernelManager.token = spec.token
    config.SandboxedKernelManager.limits = KernelLimits(
        memory_mb=int(spec.memory_mb), uid=int(spec.uid), isolate=bool(spec.isolate), threads=int(spec.threads)
    )
    return config


def run(spec: WorkerSpec) -> WorkerResult:
    """Autograde the submission described by ``spec``; return what happened."""
    with SPANS.span("worker set-up"):
        config, api = _set_up(spec)
    lab_id, student, name = spec.lab, spec.nbgrader_id, spec.notebook_name
    root = Path(spec.course)
    with SPANS.span("autograde"):
        outcome = api.autograde(lab_id, student, force=True, create=True)
    log = "\n".join(str(outcome.get(key) or "") for key in ("error", "log"))
    graded = root / "autograded" / student / lab_id / f"{name}.ipynb"
    result = WorkerResult(success=bool(outcome["success"]) and graded.is_file(), log=log[-4000:])
    if result.success:
        with SPANS.span("scores"), Gradebook(config.CourseDirectory.db_url, course_id=COURSE_ID) as gb:
            notebook = gb.find_submission_notebook(name, lab_id, student)
            result.score = float(notebook.score)
            result.cells = [
                CellScore(g.name, float(g.score or 0), float(g.max_score))
                for g in notebook.grades
                if g.cell.__class__.__name__ == "GradeCell"
            ]
        try:  # nbgrader's feedback, hidden tests cut out, made here so that it runs in parallel too
            with SPANS.span("feedback"):
                feedback.generate(root, lab_id, db_url=config.CourseDirectory.db_url)
        except RuntimeError as err:
            result.feedback_error = str(err)[-2000:]
    return result


def _set_up(spec: WorkerSpec) -> tuple[Config, NbGraderAPI]:
    """Lay out the worker's course folder (gradebook copied from the template, submission in place)."""
    speed_up_gradebook(spec.alembic_version)
    event.listen(Engine, "connect", _scratch_sqlite)
    root = Path(spec.course)
    lab_id, student, name = spec.lab, spec.nbgrader_id, spec.notebook_name
    (root / "source" / lab_id).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(spec.template_db, root / "gradebook.db")
    os.chmod(root / "gradebook.db", 0o600)
    submitted = root / "submitted" / student / lab_id / f"{name}.ipynb"
    submitted.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(spec.notebook, submitted)
    # The kernel (another user id) must reach its working folder and nothing next to it.
    for folder in (root, root / "autograded", root / "autograded" / student):
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o711)
    config = autograde_config(spec)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    api.log.setLevel(logging.ERROR)
    return config, api


def _scratch_sqlite(connection, _record) -> None:
    """No fsync on this worker's SQLite files: its gradebook is a scratch copy, thrown away if the worker dies.

    (Only in a worker process: the class gradebook, written by the parent, keeps SQLite's durable default.)
    """
    connection.execute("PRAGMA synchronous = OFF")


def read_progress(path: str | Path) -> list[dict]:
    """The cell records a worker left (a last line cut short by a kill is skipped)."""
    records = []
    path = Path(path)
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if path.is_file() else []:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def serve(spec_path: str, log_path: str) -> None:
    """Run in a forked process: a session of its own (so it can be killed with its kernel), output to a log."""
    SPANS.add("started at", time.time())  # wall clock, so the parent can tell how long the worker took to start
    os.setsid()
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    for stream in (1, 2):
        os.dup2(log, stream)
    main([spec_path])


def ping() -> None:
    """A no-op the parent runs once in a fresh worker, to learn that workers can start at all."""


def main(argv: list[str]) -> int:
    """Entry point: ``python -m dcai_helpers.grading.worker SPEC.json``."""
    spec = WorkerSpec.read(argv[0])
    try:
        result = run(spec)
    except Exception:  # the parent reads the progress and this traceback to decide the status
        result = WorkerResult(success=False, grader_error=traceback.format_exc()[-4000:])
    result.timings = dict(SPANS.seconds)
    result.write(spec.result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
