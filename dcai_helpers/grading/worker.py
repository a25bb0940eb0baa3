"""Autograde ONE submission with nbgrader in a course folder of its own, the verdicts made outside the kernel.

``dcai grade`` runs one such process per submission (:func:`serve`, forked from a server that has imported
this module and the lab's test libraries already), under a wall-time limit and a memory limit of its own.
``python -m dcai_helpers.grading.worker SPEC.json`` does the same by hand, for debugging.

nbgrader's ``autograde`` runs with its own sanitising steps (which restore every test cell from the
gradebook) and this pipeline (see :func:`autograde_config`):

1. :class:`HideHiddenTestsFromKernel`: the hidden part of every test cell is cut out (and kept aside), so the
   kernel runs the notebook exactly as the student's release has it;
2. :class:`SandboxedExecute`: runs the notebook in the sandboxed kernel, cell by cell, output capped in bytes;
   right after each test cell has run there, the grader runs that test cell of the answer key, public and
   hidden parts, in this process (:mod:`dcai_helpers.verdicts.trusted`), calling the student's functions in
   the kernel through proxies that return plain data only (:mod:`dcai_helpers.verdicts.proxy`);
3. :class:`RecordVerdicts`: the answer key's test sources go back into the graded notebook (the instructor's
   copy), each test cell gets its verdict as an output;
4. nbgrader's own clean-up steps, and :class:`SaveVerdictScores`, which writes the verdicts' points into the
   gradebook (nbgrader's output-based scoring is never used).

Every cell's start and end and every verdict go to the event log (:mod:`dcai_helpers.grading.events`) as they
happen, so that when the kernel hangs, dies or kills this process, the parent still knows what each test cell
earned and which cell was running.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import shutil
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbformat.v4 import new_output
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    Execute,
    IgnorePattern,
    LimitOutput,
    NbGraderPreprocessor,
    SaveAutoGrades,
)
from sqlalchemy import event
from sqlalchemy.engine import Engine
from traitlets import Float, Integer, Unicode
from traitlets.config import Config

from dcai_helpers.course.config import CourseFolder, course_config, speed_up_gradebook
from dcai_helpers.course.notebooks import CutHiddenTests, is_test_cell, nbgrader_meta
from dcai_helpers.grading import feedback
from dcai_helpers.grading.events import EventLog, Kind
from dcai_helpers.grading.limits import Limits
from dcai_helpers.grading.sandbox import SandboxedKernelManager
from dcai_helpers.verdicts.trusted import TestPlan, TrustedTests, Verdict, verdict_output

#: Seconds every cell (and every grader test) gets at least, even when the submission's time is (nearly) spent.
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
    plan: str  # the answer key's TestPlan (JSON), which the kernel cannot read
    uid: int  # the kernel's user id
    result: str  # where the WorkerResult goes (JSON)
    events: str  # the event log (JSON lines)
    token: str  # put in the kernel's environment, so all it starts can be found and ended
    limits: Limits = field(default_factory=Limits)
    alembic_version: str | None = None

    def write(self, path: Path) -> None:
        """Save as JSON."""
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def read(cls, path: str | Path) -> WorkerSpec:
        """Load from JSON."""
        data = json.loads(Path(path).read_text())
        data["limits"] = Limits(**data["limits"])
        return cls(**data)


@dataclass
class WorkerResult:
    """How the worker's own work went (the points are in the event log's verdicts, not here)."""

    success: bool  # nbgrader graded the whole notebook
    log: str = ""
    grader_error: str = ""  # the worker itself failed (a traceback)
    feedback_error: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase (see Spans), for the benchmark

    def write(self, path: str | Path) -> None:
        """Save as JSON."""
        Path(path).write_text(json.dumps(asdict(self)))

    @classmethod
    def read(cls, path: str | Path) -> WorkerResult:
        """Load from JSON."""
        return cls(**json.loads(Path(path).read_text()))


class HideHiddenTestsFromKernel(CutHiddenTests):
    """Cut the hidden part of every test cell before the kernel runs it; keep the whole sources aside."""

    note = Unicode("")

    def preprocess(self, nb, resources):
        resources["dcai_test_sources"] = {
            nbgrader_meta(cell)["grade_id"]: cell.source for cell in nb.cells if is_test_cell(cell)
        }
        return super().preprocess(nb, resources)


class KernelGone(RuntimeError):
    """The grader could no longer talk to the kernel (it died or stopped answering); the run ends here."""


class SandboxedExecute(Execute):
    """nbgrader's ``Execute`` with the kernel in the sandbox, one time budget, capped output, and the grader's
    verdict on each test cell made right after the kernel ran it."""

    deadline = Float(0.0, help="time.monotonic() by which the whole notebook must have run").tag(config=True)
    events_file = Unicode("", help="file that gets one JSON line per cell start, end and verdict").tag(config=True)
    plan_file = Unicode("", help="the answer key's TestPlan (JSON)").tag(config=True)
    output_cell_bytes = Integer(1024 * 1024, help="output kept per cell, in bytes").tag(config=True)
    output_notebook_bytes = Integer(16 * 1024 * 1024, help="output kept per notebook, in bytes").tag(config=True)
    # nbclient's 4 s for the last outputs of a cell after its reply is too short for one of hundreds of MB (which is
    # then cut, see output()): a student's huge print is not a hung kernel.
    iopub_timeout = Integer(60, help="seconds to wait for a cell's last outputs after its reply").tag(config=True)

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
        self.events = EventLog(self.events_file)
        self._running: dict = {}
        self._cell_bytes: dict[int, int] = {}
        self._notebook_bytes = 0
        self._cut: set[int] = set()
        self._hung = False  # the kernel stopped answering (past a cell's time, nothing on its control channel)

    def preprocess(self, nb, resources=None, km=None):
        plan = TestPlan.from_json(Path(self.plan_file).read_text()) if self.plan_file else TestPlan("", (), (), ())
        self.trusted = TrustedTests(plan, min_seconds=MIN_CELL_SECONDS)
        self.verdicts: dict[str, Verdict] = {}
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            self.trusted.close()
            resources["dcai_verdicts"] = {grade_id: v.to_dict() for grade_id, v in self.verdicts.items()}
        return nb, resources

    # nbconvert's preprocess() runs nbclient's synchronous wrappers, which call the base class's coroutines.
    def start_new_kernel(self, **kwargs):
        with SPANS.span("kernel start"):
            return super().start_new_kernel(**kwargs)

    def start_new_kernel_client(self):
        with SPANS.span("kernel ready"):
            result = super().start_new_kernel_client()
        self.km.lock_kernel_folder()
        return result

    def _cleanup_kernel(self):
        with SPANS.span("kernel shutdown"):
            super()._cleanup_kernel()
        # The kernel is gone: the parent may start the next submission's kernel while this one is scored.
        self.events.write(Kind.KERNEL_ENDED)

    def preprocess_cell(self, cell, resources, index):
        """Execute one cell, noting its start and end; after a test cell, the grader's verdict on it."""
        grade_id = nbgrader_meta(cell).get("grade_id") or ""
        self._running = {"index": index, "grade_id": grade_id}
        self.events.write(Kind.START, **self._running)
        try:
            with SPANS.span("cells"):
                cell, resources = super().preprocess_cell(cell, resources, index)
        except BaseException as err:
            self.events.write(Kind.RAISED, error=type(err).__name__, message=str(err)[:500], **self._running)
            raise
        errors = [o.get("ename", "") for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        self.events.write(Kind.END, errors=errors, **self._running)
        if self._hung:  # nothing more can be asked of it: the run ends here, with what the earlier cells earned
            raise KernelGone("the kernel stopped answering")
        if is_test_cell(cell) and grade_id in {c.grade_id for c in self.trusted.plan.cells}:
            self.events.write(Kind.TESTING, **self._running)
            with SPANS.span("grader tests"):
                verdict = self.trusted.verdict(grade_id, self.km, deadline=self.deadline or time.monotonic() + 600)
            self.verdicts[grade_id] = verdict
            self.events.write(Kind.VERDICT, verdict=verdict.to_dict(), **self._running)
            if self.trusted.lost:
                self.events.write(Kind.RAISED, error="KernelGone", message=self.trusted.lost, **self._running)
                raise KernelGone(self.trusted.lost)
        return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        """Keep an output only while the cell's and the notebook's outputs stay under their byte limits."""
        size = _output_size(msg.get("content", {}))
        used = self._cell_bytes.get(cell_index, 0)
        if used + size <= self.output_cell_bytes and self._notebook_bytes + size <= self.output_notebook_bytes:
            self._cell_bytes[cell_index] = used + size
            self._notebook_bytes += size
            return super().output(outs, msg, display_id, cell_index)
        if cell_index not in self._cut:
            self._cut.add(cell_index)
            outs.append(
                new_output(
                    "stream",
                    name="stderr",
                    text=f"[output cut here: the grader keeps {self.output_cell_bytes // 1024} KiB of output per "
                    f"cell and {self.output_notebook_bytes // 1024} KiB per notebook]\n",
                )
            )
        return None

    async def _async_handle_timeout(self, timeout, cell=None):
        # The cell used its time. A kernel that still answers on its control channel is busy (a limit, whatever
        # it does with the interrupt next); one that answers nothing there has stopped working (a hang).
        answers = await self._kernel_answers()
        self.events.write(Kind.TIMED_OUT if answers else Kind.UNRESPONSIVE, seconds=timeout, **self._running)
        if not answers:  # waiting for a hung kernel's reply and last outputs would only spend the worker's time
            self._hung = True
            raise KernelGone("the kernel stopped answering past the cell's time")
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


def _output_size(content: dict) -> int:
    """Bytes an output message carries (its text, data and traceback)."""
    parts = [content.get("text", ""), *content.get("traceback", []), content.get("evalue", "")]
    parts += [value if isinstance(value, str) else json.dumps(value) for value in content.get("data", {}).values()]
    return sum(len(part) for part in parts if isinstance(part, str))


class RecordVerdicts(NbGraderPreprocessor):
    """Put the answer key's test sources back (the graded notebook is the instructor's) and each verdict under its
    test cell."""

    def preprocess_cell(self, cell, resources, index):
        if not is_test_cell(cell):
            return cell, resources
        grade_id = nbgrader_meta(cell)["grade_id"]
        cell.source = resources.get("dcai_test_sources", {}).get(grade_id, cell.source)
        verdict = resources.get("dcai_verdicts", {}).get(grade_id)
        if verdict is not None:
            cell.outputs.append(verdict_output(verdict))
        return cell, resources


class SaveVerdictScores(SaveAutoGrades):
    """nbgrader's ``SaveAutoGrades``, with each test cell's points taken from the grader's verdict (0 without one)."""

    def _add_score(self, cell, resources):
        if cell.cell_type != "code":
            return super()._add_score(cell, resources)
        grade = self.gradebook.find_grade(
            nbgrader_meta(cell)["grade_id"], self.notebook_id, self.assignment_id, self.student_id
        )
        verdict = resources.get("dcai_verdicts", {}).get(nbgrader_meta(cell)["grade_id"])
        grade.auto_score = float(verdict["points"]) if verdict else 0.0
        grade.needs_manual_grade = grade.manual_score is not None
        self.gradebook.db.commit()


def autograde_config(spec: WorkerSpec) -> Config:
    """nbgrader's configuration for the worker's course folder."""
    config = course_config(spec.course)
    # nbgrader's autograde pipeline (converters/autograde.py), with the kernel kept from the hidden tests, the
    # verdicts made by the grader, and the points taken from them.
    config.Autograde.autograde_preprocessors = [
        HideHiddenTestsFromKernel,
        SandboxedExecute,
        RecordVerdicts,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveVerdictScores,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    limits = spec.limits
    config.SandboxedExecute.timeout = int(limits.seconds)
    config.SandboxedExecute.deadline = time.monotonic() + float(limits.seconds)
    config.SandboxedExecute.events_file = spec.events
    config.SandboxedExecute.plan_file = spec.plan
    config.SandboxedExecute.output_cell_bytes = limits.output_cell_kb * 1024
    config.SandboxedExecute.output_notebook_bytes = limits.output_notebook_kb * 1024
    config.SandboxedKernelManager.scratch_root = str(Path(spec.work) / "kernel")
    config.SandboxedKernelManager.token = spec.token
    config.SandboxedKernelManager.limits = limits
    config.SandboxedKernelManager.uid = int(spec.uid)
    return config


def run(spec: WorkerSpec) -> WorkerResult:
    """Autograde the submission described by ``spec``; return how the worker's work went."""
    with SPANS.span("worker set-up"):
        config, api = _set_up(spec)
    lab_id, student, name = spec.lab, spec.nbgrader_id, spec.notebook_name
    root = Path(spec.course)
    with SPANS.span("autograde"):
        outcome = api.autograde(lab_id, student, force=True, create=True)
    log = "\n".join(str(outcome.get(key) or "") for key in ("error", "log"))
    graded = CourseFolder(root).autograded(student, lab_id) / f"{name}.ipynb"
    result = WorkerResult(success=bool(outcome["success"]) and graded.is_file(), log=log[-4000:])
    if result.success:
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
    root, course = Path(spec.course), CourseFolder(spec.course)
    lab_id, student, name = spec.lab, spec.nbgrader_id, spec.notebook_name
    course.source(lab_id).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(spec.template_db, course.gradebook)
    os.chmod(course.gradebook, 0o600)
    submitted = course.submitted(student, lab_id) / f"{name}.ipynb"
    submitted.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(spec.notebook, submitted)
    # The kernel (another user id) must reach its working folder and nothing next to it.
    for folder in (root, course.autograded(student).parent, course.autograded(student)):
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


def serve(spec_path: str, log_path: str) -> None:
    """Run in a forked process: a session of its own (so it can be killed with its kernel), output to a log,
    and a memory limit (a soft one: the kernel it starts sets its own)."""
    SPANS.add("started at", time.time())  # wall clock, so the parent can tell how long the worker took to start
    os.setsid()
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    for stream in (1, 2):
        os.dup2(log, stream)
    limit_memory(WorkerSpec.read(spec_path).limits.worker_memory_mb)
    main([spec_path])


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at ``megabytes`` MiB: a soft limit, which the kernel it starts may raise
    to its own (``prlimit`` in the sandbox), so that a hostile kernel's output cannot make the worker eat the
    machine."""
    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def ping() -> None:
    """A no-op the parent runs once in a fresh worker, to learn that workers can start at all."""


def main(argv: list[str]) -> int:
    """Entry point: ``python -m dcai_helpers.grading.worker SPEC.json``."""
    spec = WorkerSpec.read(argv[0])
    try:
        result = run(spec)
    except MemoryError:
        result = WorkerResult(success=False, grader_error="MemoryError: the grading worker ran out of memory")
    except Exception:  # the parent reads the event log and this traceback to decide the status
        result = WorkerResult(success=False, grader_error=traceback.format_exc()[-4000:])
    result.timings = dict(SPANS.seconds)
    result.write(spec.result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
