"""``dcai grade``: grade a class's submissions of one lab with nbgrader, isolated, limited and in parallel.

nbgrader does the grading (``generate_assignment``, ``autograde``, ``generate_feedback``); this module
adds what it lacks around it:

- submissions from nbgrader's submitted layout or an LMS zip (:mod:`dcai_helpers.grading.submissions`);
- one worker process per submission (:mod:`dcai_helpers.grading.worker`), each with its own copy of the
  gradebook, so parallel workers never share an SQLite file; the parent merges every result into the
  class gradebook, one at a time, with nbgrader's ``Gradebook`` API;
- a wall-time limit per submission (the worker is killed past it) and, for its kernel, a memory
  limit, a process limit, no network and no file system beyond its own scratch folder
  (:mod:`dcai_helpers.grading.sandbox`);
- a status per submission, tamper detection (:mod:`dcai_helpers.grading.integrity`) and feedback without
  hidden tests (:mod:`dcai_helpers.grading.feedback`).

Output folder ``out`` (an nbgrader course folder): ``grades.csv``, ``gradebook.db``,
``autograded/<student>/<lab>/<lab>.ipynb`` (for the instructor: hidden tests included) and
``feedback/<student>/<lab>/<lab>.html`` (for the student: no hidden tests) and ``logs/<student>.log``
(nbgrader's and the kernel's messages, for each submission that was run and is not ``ok``).
"""

from __future__ import annotations

import contextlib
import functools
import json
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

from dcai_helpers.grading import feedback
from dcai_helpers.grading.config import speed_up_gradebook
from dcai_helpers.grading.course import Course
from dcai_helpers.grading.integrity import edited_test_cells
from dcai_helpers.grading.notebooks import read_notebook
from dcai_helpers.grading.records import GradeRow, write_csv
from dcai_helpers.grading.sandbox import bwrap_available, claim_kernel_uid
from dcai_helpers.grading.status import Status
from dcai_helpers.grading.submissions import ZIP_NAME_REGEXP, Submission, collect
from dcai_helpers.grading.worker import serve, summarise
from dcai_helpers.labs import Lab, get_lab

#: Seconds one submission's notebook may run in all (every cell shares this budget).
DEFAULT_TIMEOUT = 600
#: Address-space limit of a submission's kernel, in MiB.
DEFAULT_MEMORY_MB = 4096
#: Seconds a worker gets beyond ``timeout`` to start nbgrader and the kernel and to save the grades.
WORKER_GRACE = 60
#: The statuses of ``grades.csv``, best first.
STATUSES = tuple(Status)
#: Words in a dead kernel's log that mean it ran out of memory.
MEMORY_SIGNS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "out of memory")


def grade(
    lab: str | Lab,
    submissions: str | Path,
    *,
    out: str | Path,
    jobs: int | None = None,
    timeout: int = DEFAULT_TIMEOUT,
    memory: int = DEFAULT_MEMORY_MB,
    isolate: bool | None = None,
    name_regexp: str = ZIP_NAME_REGEXP,
) -> list[GradeRow]:
    """Grade every submission of ``lab`` and write ``grades.csv``, feedback and the gradebook to ``out``.

    Parameters
    ----------
    lab : str or Lab
        The lab id (or the lab).
    submissions : path
        A folder ``<student_id>/<lab>/<lab>.ipynb`` or an LMS zip (see :mod:`dcai_helpers.grading.submissions`).
    out : path
        The output folder; created if missing. Grading again updates it.
    jobs : int, optional
        Submissions graded at once; default: the number of CPU cores.
    timeout : int
        Seconds one submission's notebook may run in all.
    memory : int
        Memory (address space) one submission's kernel may use, in MiB.
    isolate : bool, optional
        Run kernels in bubblewrap; default: whenever bubblewrap works here.
    name_regexp : str
        How an LMS zip's file names give ``student_id`` and ``file_id``.

    Returns
    -------
    list of GradeRow
        One row per student, sorted by student id (as in ``grades.csv``).

    Raises
    ------
    ValueError
        When ``jobs``, ``timeout`` or ``memory`` is not positive.
    RuntimeError
        When grading itself fails (nbgrader cannot set the lab up); never for a bad submission.

    Notes
    -----
    Workers are forked from a :mod:`multiprocessing` fork server, so a script that calls ``grade``
    must do so under ``if __name__ == "__main__":``, as with any multiprocessing code.
    """
    lab = get_lab(lab) if isinstance(lab, str) else lab
    jobs = jobs or os.cpu_count() or 1
    for name, value in (("jobs", jobs), ("timeout", timeout), ("memory", memory)):
        if int(value) < 1:
            raise ValueError(f"`{name}` must be a positive integer; got {value}")
    isolate = bwrap_available() if isolate is None else isolate
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="dcai-grade-"))
    os.chmod(work, 0o711)
    try:
        course = Course(lab, work / "course", gradebook=out / "gradebook.db")
        course.setup()
        template = work / "template.db"
        shutil.copyfile(out / "gradebook.db", template)
        os.chmod(template, 0o600)
        release = read_notebook(work / "course" / "release" / lab.id / lab.solution.name)
        max_score = course.max_score()
        entries = collect(lab, submissions, scratch=work, name_regexp=name_regexp)
        cores = os.cpu_count() or 1
        settings = {
            "timeout": int(timeout),
            "memory_mb": int(memory),
            "isolate": bool(isolate),
            "threads": kernel_threads(jobs, cores),
            "alembic_version": speed_up_gradebook(),  # asked once here, not once per worker
        }
        merging = threading.Lock()

        def run(index: int, entry: Submission) -> GradeRow:
            result = None
            if entry.notebook is not None:
                with claim_kernel_uid() as uid:
                    result = run_worker(lab, entry, work / f"s{index}", uid=uid, template=template, **settings)
            # One merge at a time into the class gradebook, while the other workers keep running.
            with merging:
                row = decide(lab, entry, result, release=release, max_score=max_score, timeout=int(timeout))
                record(course, out, entry, result, row)
            shutil.rmtree(work / f"s{index}", ignore_errors=True)
            return row

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            rows = list(pool.map(run, range(len(entries)), entries))
        write_status_pages(lab, out, rows)
        write_csv(out / "grades.csv", rows)
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def kernel_threads(jobs: int, cores: int) -> int:
    """Threads of the numerical libraries in each kernel (0: the libraries' default).

    An ``OMP_NUM_THREADS`` set for the grader caps them (the test suite sets 1, as its own workers fill
    the cores); otherwise parallel jobs share the cores, and one job alone keeps the default, as a
    student's own run would.
    """
    shares = 0 if jobs == 1 else max(1, cores // jobs)
    cap = os.environ.get("OMP_NUM_THREADS", "")
    if cap.isdigit() and int(cap) > 0:
        return min(shares, int(cap)) if shares else int(cap)
    return shares


@functools.cache
def worker_processes() -> multiprocessing.context.ForkServerContext:
    """Where grading workers come from: a fork server that has imported nbgrader and the worker once."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["dcai_helpers.grading.worker"])
    return context


def run_worker(lab: Lab, entry: Submission, work: Path, *, uid: int, template: Path, **settings) -> dict:
    """Autograde one submission in a worker process; kill it past its time. Returns the worker's result."""
    work.mkdir()
    os.chmod(work, 0o711)
    spec = {
        "course": str(work / "course"),
        "work": str(work),
        "lab": lab.id,
        "notebook_name": lab.solution.stem,
        "student_id": entry.student_id,
        "notebook": str(entry.notebook),
        "template_db": str(template),
        "uid": uid,
        "result": str(work / "result.json"),
        **settings,
    }
    (work / "spec.json").write_text(json.dumps(spec))
    process = worker_processes().Process(target=serve, args=(str(work / "spec.json"), str(work / "worker.log")))
    process.start()
    process.join(settings["timeout"] + WORKER_GRACE)
    if process.exitcode is None:
        with contextlib.suppress(ProcessLookupError):  # the worker's session: it, and the kernel's bwrap with it
            os.killpg(process.pid, signal.SIGKILL)
        process.join()
        return {"success": False, "killed": True, "log": "", "errors": {}, "work": str(work)}
    result_file = work / "result.json"
    if result_file.is_file():
        result = json.loads(result_file.read_text())
    else:
        log = f"the worker exited with code {process.exitcode} and no result"
        result = {"success": False, "grader_error": True, "log": log, "errors": {}}
    log_file = work / "worker.log"
    worker_log = log_file.read_text(errors="replace") if log_file.is_file() else ""
    return {**result, "worker_log": worker_log[-20000:], "work": str(work)}


def decide(
    lab: Lab, entry: Submission, result: dict | None, *, release: dict, max_score: float, timeout: int
) -> GradeRow:
    """The status, score and one-sentence detail of a submission from what its worker found."""
    if result is None:
        return GradeRow(entry.student_id, lab.id, 0.0, max_score, entry.status, entry.detail)
    edits = edited_test_cells(read_notebook(entry.notebook), release)
    if result.get("killed"):
        detail = f"the notebook ran past the {timeout} s limit and was stopped; nothing could be graded."
        return GradeRow(entry.student_id, lab.id, 0.0, max_score, "timeout", detail)
    if result.get("grader_error"):
        detail = "the grader failed on this submission (a bug to report, with logs/ attached); nothing was graded."
        return GradeRow(entry.student_id, lab.id, 0.0, max_score, "crashed", detail)
    if not result["success"]:
        log = result.get("log", "") + result.get("worker_log", "")
        if "Kernel died" in log or "DeadKernelError" in log or "UnresponsiveKernelError" in log:
            if any(sign in log for sign in MEMORY_SIGNS):
                detail = "the kernel died for lack of memory; nothing could be graded."
                return GradeRow(entry.student_id, lab.id, 0.0, max_score, "memory", detail)
            detail = "the kernel died (the notebook exited or crashed Python); nothing could be graded."
            return GradeRow(entry.student_id, lab.id, 0.0, max_score, "crashed", detail)
        # The kernel lived, so nbgrader refused the notebook itself (broken or duplicated cell metadata).
        detail = "nbgrader could not grade the notebook (its cell metadata may be broken); see logs/ for why."
        return GradeRow(entry.student_id, lab.id, 0.0, max_score, "invalid", detail)
    score = float(result["score"])
    found = summarise(result["errors"])
    notes = []
    if edits:
        # nbgrader restores an edited or retyped test cell from the gradebook; a deleted one scores 0.
        notes.append(f"test cells were changed ({'; '.join(edits)}); nbgrader graded the original tests")
    if found["tampered"]:
        replaced = result.get("replaced", [])
        shown = ", ".join(replaced[:3]) + (f" and {len(replaced) - 3} more" if len(replaced) > 3 else "")
        notes.append(f"test helpers were replaced ({shown}), so {', '.join(found['tampered'])} scored 0")
    if found["timeout"]:
        notes.append(f"{', '.join(found['timeout'])} ran out of the {timeout} s limit and was interrupted")
    if found["memory"]:
        notes.append(f"{', '.join(found['memory'])} ran out of memory")
    status = (
        "tampered"
        if edits or found["tampered"]
        else "timeout"
        if found["timeout"]
        else "memory"
        if found["memory"]
        else "ok"
    )
    failed = sum(1 for cell in result["cells"] if cell["score"] < cell["max_score"])
    summary = f"graded: {score:g}/{max_score:g} points, {failed} of {len(result['cells'])} test cells lost points"
    detail = "; ".join([summary, *notes]) + "."
    return GradeRow(entry.student_id, lab.id, score, max_score, status, detail)


def record(course: Course, out: Path, entry: Submission, result: dict | None, row: GradeRow) -> None:
    """Merge a worker's grades into the class gradebook and keep the autograded notebook under ``out``."""
    graded_dir = out / "autograded" / entry.student_id / course.lab.id
    shutil.rmtree(graded_dir, ignore_errors=True)
    shutil.rmtree(out / "feedback" / entry.student_id / course.lab.id, ignore_errors=True)
    log = out / "logs" / f"{entry.student_id}.log"
    log.unlink(missing_ok=True)
    if result is not None and row.status != "ok":
        log.parent.mkdir(exist_ok=True)
        log.write_text(f"{row.status}: {row.detail}\n\n{result.get('log', '')}\n{result.get('worker_log', '')}")
    if result is None or entry.notebook is None:
        return
    worker_db = f"sqlite:///{Path(result['work']) / 'course' / 'gradebook.db'}"
    notebook_id = course.lab.solution.stem
    scores: dict[str, tuple[float | None, str | None]] = {}
    if result.get("success"):
        with Gradebook(worker_db, course_id="dcai") as gb:
            submitted = gb.find_submission_notebook(notebook_id, course.lab.id, entry.student_id)
            scores = {g.name: (g.auto_score, None) for g in submitted.grades}
            scores.update({f"comment:{c.name}": (None, c.auto_comment) for c in submitted.comments})
        # Only the notebook and its feedback leave the scratch course; whatever else the kernel wrote stays.
        name = course.lab.solution.name
        worker_course = Path(result["work"]) / "course"
        graded_dir.mkdir(parents=True)
        shutil.copyfile(worker_course / "autograded" / entry.student_id / course.lab.id / name, graded_dir / name)
        html_page = (worker_course / "feedback" / entry.student_id / course.lab.id / name).with_suffix(".html")
        if html_page.is_file():
            page = out / "feedback" / entry.student_id / course.lab.id / html_page.name
            page.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(html_page, page)
    with Gradebook(course.db_url, course_id="dcai") as gb, warnings.catch_warnings():
        # nbgrader's update_or_create_submission trips SQLAlchemy's autoflush warnings; they are harmless.
        warnings.simplefilter("ignore", SAWarning)
        gb.update_or_create_student(entry.student_id)
        gb.update_or_create_submission(course.lab.id, entry.student_id)
        try:
            submitted = gb.find_submission_notebook(notebook_id, course.lab.id, entry.student_id)
        except MissingEntry:
            return
        for grade in submitted.grades:
            grade.auto_score = scores.get(grade.name, (0.0, None))[0] if scores else 0.0
            grade.manual_score = None
            grade.needs_manual_grade = grade.auto_score is None
        for comment in submitted.comments:
            comment.auto_comment = scores.get(f"comment:{comment.name}", (None, None))[1]
        gb.db.commit()


def write_status_pages(lab: Lab, out: Path, rows: list[GradeRow]) -> None:
    """A one-page feedback for every submission whose worker left no nbgrader feedback."""
    for row in rows:
        page = out / "feedback" / row.student_id / lab.id / f"{lab.solution.stem}.html"
        if row.status in ("invalid", "missing", "crashed") or not page.is_file():
            feedback.status_page(
                page,
                student_id=row.student_id,
                lab_id=lab.id,
                status=row.status,
                detail=row.detail,
                score=row.score,
                max_score=row.max_score,
            )
