"""``dcai grade``: grade a class's submissions of one lab with nbgrader, isolated, limited and in parallel.

nbgrader does the grading (``generate_assignment``, ``autograde``, ``generate_feedback``); this module
adds what it lacks around it:

- submissions from nbgrader's submitted layout or an LMS zip (:mod:`dcai_helpers.grading.submissions`);
- the answer key from ``solutions/`` or a private copy (``solutions_dir``), read once per run;
- each submission made gradable on the release's cells first (:func:`~dcai_helpers.grading.integrity.
  prepare_submission`: a duplicated or added graded cell does not cost the whole notebook);
- one worker process per submission (:mod:`dcai_helpers.grading.worker`), each with its own copy of the
  gradebook, so parallel workers never share an SQLite file; the parent merges every result into the
  class gradebook, one at a time, with nbgrader's ``Gradebook`` API;
- a wall-time limit per submission (the worker is killed past it) and, for its kernel, a memory
  limit, a process limit, no network and no file system beyond its own scratch folder
  (:mod:`dcai_helpers.grading.sandbox`); whatever a kernel starts ends with its submission;
- a status per submission (:func:`dcai_helpers.grading.status.decide`) from what the worker recorded cell by
  cell, so a kernel that hangs, dies or kills the worker keeps what the cells before earned; tamper
  detection (:mod:`dcai_helpers.grading.integrity`) and feedback without hidden tests
  (:mod:`dcai_helpers.grading.feedback`);
- a progress bar on a terminal, one line per submission otherwise.

Output folder ``out`` (an nbgrader course folder): ``grades.csv``, ``gradebook.db``,
``autograded/<nbgrader id>/<lab>/<lab>.ipynb`` (for the instructor: hidden tests included),
``feedback/<student>/<lab>/<lab>.html`` (for the student: no hidden tests) and ``logs/<nbgrader id>.log``
(nbgrader's and the kernel's messages, for each submission that was run and is not ``ok``).
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import json
import multiprocessing
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

from dcai_helpers.course.assignment import Course
from dcai_helpers.course.config import COURSE_ID, CourseFolder, speed_up_gradebook
from dcai_helpers.course.notebooks import NotebookError, is_test_cell, nbgrader_meta, read_notebook
from dcai_helpers.grading import events, feedback, limits
from dcai_helpers.grading.formgrader import write_course_config
from dcai_helpers.grading.integrity import prepare_submission
from dcai_helpers.grading.records import GradeRow, read_rows, update_csv
from dcai_helpers.grading.sandbox import bwrap_available, claim_kernel_uid, end_processes
from dcai_helpers.grading.shard import parse_shard, select_shard
from dcai_helpers.grading.status import Event, Finding, Status, decide, event_of_error, event_of_failure
from dcai_helpers.grading.submissions import ZIP_NAME_REGEXP, Submission, gather
from dcai_helpers.grading.worker import Spans, WorkerResult, WorkerSpec, ping, serve
from dcai_helpers.labs import Lab, answer_key, get_lab
from dcai_helpers.verdicts.trusted import Outcome, TestPlan

#: Seconds a worker gets beyond ``timeout`` to start nbgrader and the kernel and to save the grades.
WORKER_GRACE = 60
#: Seconds a fresh worker may take to start (the fork server imports nbgrader first).
WORKER_START_LIMIT = 120
#: Seconds between looks at a running worker's progress file, for the end of its kernel.
KERNEL_POLL_SECONDS = 0.1
#: The environment variable naming the file where grade() writes its phase timings (see grade's notes).
TIMINGS_VARIABLE = "DCAI_GRADE_TIMINGS"
#: The statuses of ``grades.csv``, best first.
STATUSES = tuple(Status)


def grade(
    lab: str | Lab,
    submissions: str | Path,
    *,
    out: str | Path,
    jobs: int | None = None,
    timeout: int = limits.DEFAULT_SECONDS,
    memory: int = limits.DEFAULT_MEMORY_MB,
    disk: int = limits.DEFAULT_DISK_MB,
    output_cell: int = limits.DEFAULT_OUTPUT_CELL_KB,
    output_notebook: int = limits.DEFAULT_OUTPUT_NOTEBOOK_KB,
    worker_memory: int = limits.DEFAULT_WORKER_MEMORY_MB,
    sandbox: bool = True,
    solutions_dir: str | Path | None = None,
    name_regexp: str = ZIP_NAME_REGEXP,
    shard: str | None = None,
    only: Sequence[str] | None = None,
) -> list[GradeRow]:
    """Grade every submission of ``lab`` and write ``grades.csv``, feedback and the gradebook to ``out``.

    Parameters
    ----------
    lab : str or Lab
        The lab id (or the lab).
    submissions : path
        A folder ``<student>/<lab>/<lab>.ipynb`` or an LMS zip (see :mod:`dcai_helpers.grading.submissions`).
    out : path
        The output folder; created if missing. Grading again updates it.
    jobs : int, optional
        Submissions whose kernels run at once; default: the number of CPU cores. A submission's scores,
        feedback and merge need no kernel: the next submission's kernel starts meanwhile.
    timeout : int
        Seconds one submission may run in all: its notebook's cells and the grader's tests of it.
    memory : int
        Memory (address space) one submission's kernel may use, in MiB.
    disk : int
        What one submission's kernel may write, in MiB (a file system of that size; with bubblewrap only).
    output_cell, output_notebook : int
        Output kept per cell and per notebook, in KiB; the rest is cut, with a note.
    worker_memory : int
        Memory (address space) of the process that runs nbgrader and the grader's tests, in MiB.
    sandbox : bool
        Run kernels in bubblewrap (no network, no file system but their own). ``False`` grades without it
        (the kernels can read world-readable files and reach the network); with ``True`` and no working
        bubblewrap, grading is refused.
    solutions_dir : path, optional
        The answer key: a folder ``<lab>/<lab>.ipynb`` of solution notebooks with hidden tests (a private
        copy of ``solutions/``); default: the repository's ``solutions/``.
    name_regexp : str
        How an LMS zip's file names give ``student_id`` and ``file_id`` (a Python regular expression).
    shard : str, optional
        ``"K/N"``: grade only the students of shard ``K`` of ``N`` (see :mod:`dcai_helpers.grading.shard`).
    only : sequence of str
        Grade only these students (ids as ``grades.csv`` writes them); the other students' rows, feedback and
        gradebook entries in ``out`` stay as an earlier run left them. ``None``: every student.

    Returns
    -------
    list of GradeRow
        One row per student entry, sorted by student id (as in ``grades.csv``).

    Raises
    ------
    ValueError
        When ``jobs``, ``timeout`` or ``memory`` is not positive, or a student of ``only`` is not among the
        submissions (nothing is graded then).
    FileNotFoundError
        When the answer key has no notebook for the lab, or ``submissions`` does not exist.
    RuntimeError
        When grading cannot start (no bubblewrap without ``sandbox=False``, nbgrader cannot set the lab
        up, workers cannot start); then no student row is written. Never for a bad submission.

    Notes
    -----
    The hidden tests never enter a student's kernel: each test cell of the answer key runs in the worker
    process, against the student's functions through proxies (:mod:`dcai_helpers.verdicts.trusted`).

    Notes
    -----
    With the environment variable ``DCAI_GRADE_TIMINGS`` set to a file path, the seconds each phase took are
    written there as JSON, ``{"run": {phase: s}, "submissions": [{phase: s}, ...]}`` (for
    ``benchmarks/grading.py``; a killed worker has no phases of its own).
    """
    lab = answer_key(get_lab(lab) if isinstance(lab, str) else lab, solutions_dir)
    shard = parse_shard(shard) if shard is not None else None  # a bad --shard fails before any work
    jobs = jobs or os.cpu_count() or 1
    if int(jobs) < 1:
        raise ValueError(f"`jobs` must be a positive integer; got {jobs}")
    run_limits = limits.Limits(
        seconds=int(timeout),
        memory_mb=int(memory),
        disk_mb=int(disk),
        output_cell_kb=int(output_cell),
        output_notebook_kb=int(output_notebook),
        worker_memory_mb=int(worker_memory),
        isolate=bool(sandbox),
        threads=kernel_threads(jobs, os.cpu_count() or 1),
    )
    if sandbox and not bwrap_available():
        raise RuntimeError(
            "bubblewrap (bwrap) is missing or cannot create namespaces here, so student code would run with the "
            "network reachable and every world-readable file readable; install it (apt-get install -y bubblewrap) "
            "or, knowingly, grade without it: dcai grade --no-sandbox (grade(..., sandbox=False))"
        )
    isolation = (
        "bubblewrap (no network, read-only system, own scratch folder)"
        if sandbox
        else "NO SANDBOX (--no-sandbox: kernels can reach the network and read world-readable files)"
    )
    print(f"dcai grade {lab.id}: isolation: {isolation}; answer key: {lab.solution}", file=sys.stderr, flush=True)
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    read_rows(CourseFolder(out).grades_csv)  # a grades.csv dcai did not write is refused before any work
    work = Path(tempfile.mkdtemp(prefix="dcai-grade-"))
    os.chmod(work, 0o711)
    spans, per_submission = Spans(), []
    run_start = time.perf_counter()
    plan = TestPlan.from_notebook(read_notebook(lab.solution))
    plan_file = work / "plan.json"
    plan_file.write_text(plan.to_json())
    os.chmod(plan_file, 0o600)
    starting = ThreadPoolExecutor(max_workers=1)
    # The fork server imports nbgrader and the tests' libraries in a Python of its own: on another core while
    # the course is set up.
    server = starting.submit(worker_processes, plan.modules())
    try:
        with spans.span("course set-up"):
            course = Course(lab, work / "course", gradebook=CourseFolder(out).gradebook)
            course.setup()
            keep_answer_key(lab, work / "course", out)
            template = work / "template.db"
            shutil.copyfile(CourseFolder(out).gradebook, template)
            os.chmod(template, 0o600)
            release = read_notebook(CourseFolder(work / "course").release(lab.id) / lab.solution.name)
            key = AnswerKey(
                release=release,
                plan=plan_file,
                points={
                    nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c).get("points", 0))
                    for c in release.cells
                    if is_test_cell(c)
                },
                max_score=course.max_score(),
            )
        with spans.span("fork server"):
            context = server.result()  # a grader that cannot start fails here, before any row
        with spans.span("gather"):
            intake = gather(lab, submissions, scratch=work, name_regexp=name_regexp)
        for line in intake.ignored:
            print(f"dcai grade {lab.id}: ignored {line}", file=sys.stderr)
        entries = select_students(select_shard(intake.entries, shard), only, found=intake.entries)
        alembic_version = speed_up_gradebook()  # asked once here, not once per worker
        merging = threading.Lock()
        kernels = threading.BoundedSemaphore(jobs)  # held from a worker's start until its kernel has ended
        progress = Progress(len(entries), lab.id)

        def run(index: int, entry: Submission) -> GradeRow:
            scratch = work / f"s{index}"
            if entry.notebook is None:
                row = GradeRow(entry.student_id, lab.id, 0.0, key.max_score, entry.status, entry.detail)
                found = WorkerRun()
            else:
                found = grade_one(
                    context,
                    lab,
                    entry,
                    scratch,
                    key,
                    template=template,
                    limits=run_limits,
                    alembic_version=alembic_version,
                    kernels=kernels,
                )
                with found.spans.span("judge"):
                    row = judge(lab, entry, found, key, limit=int(timeout))
            # One merge at a time into the class gradebook, while the other workers keep running.
            waiting = time.perf_counter()
            with merging:
                found.spans.add("merge wait", time.perf_counter() - waiting)
                with found.spans.span("merge"):
                    record(course, out, entry, found, row)
                progress.done(row)
            with found.spans.span("clean-up"):
                shutil.rmtree(scratch, ignore_errors=True)
            per_submission.append(found.spans.seconds)
            return row

        # Twice the threads: while `jobs` kernels run, as many finished submissions are scored and merged.
        with spans.span("submissions"), ThreadPoolExecutor(max_workers=2 * jobs) as pool:
            rows = list(pool.map(run, range(len(entries)), entries))
        progress.close()
        with spans.span("status pages"):
            write_status_pages(lab, out, rows, expected={entry.student_id: entry.expected for entry in entries})
        with spans.span("grades.csv"):
            update_csv(CourseFolder(out).grades_csv, rows)
        spans.add("total", time.perf_counter() - run_start)
        if timings := os.environ.get(TIMINGS_VARIABLE):
            Path(timings).write_text(json.dumps({"run": spans.seconds, "submissions": per_submission}, indent=1))
        in_shard = f", {len(entries)} in shard {shard}" if shard is not None else ""
        print(
            f"dcai grade {lab.id}: found {intake.found} entries{in_shard}, wrote {len(rows)} rows",
            file=sys.stderr,
            flush=True,
        )
        return rows
    finally:
        starting.shutdown(wait=True)
        shutil.rmtree(work, ignore_errors=True)


def select_students(
    entries: list[Submission], only: Sequence[str] | None, *, found: list[Submission]
) -> list[Submission]:
    """The entries of the students named in ``only`` (all when it is empty).

    Raises
    ------
    ValueError
        When a name is not a student id of ``found`` (every submission gathered), with the closest ids.
    """
    if not only:
        return entries
    known = {entry.student_id for entry in found}
    unknown = [name for name in only if name not in known]
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, known)
            hints.append(f"{name!r} (did you mean {', '.join(map(repr, close))}?)" if close else repr(name))
        raise ValueError(
            f"--only names no submission: {', '.join(hints)}; give student ids as grades.csv writes them "
            f"({len(known)} found, for example {', '.join(sorted(known)[:3]) or 'none'})"
        )
    wanted = set(only)
    return [entry for entry in entries if entry.student_id in wanted]


def keep_answer_key(lab: Lab, course: Path, out: Path) -> None:
    """Keep the answer key that grades this run as ``out/source/<lab>/`` (formgrader's source), with the folder's
    ``nbgrader_config.py``; an earlier run's key of the same lab is replaced."""
    kept = CourseFolder(out).source(lab.id)
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(CourseFolder(course).source(lab.id), kept)
    write_course_config(out)


@dataclass(frozen=True)
class AnswerKey:
    """What every submission is graded against, read once per run."""

    release: nbformat.NotebookNode  # the student release generate_assignment made
    plan: Path  # the answer key's TestPlan, as JSON the workers read (the kernels cannot)
    points: dict[str, float]  # test cell grade id -> points
    max_score: float


@dataclass
class WorkerRun:
    """What came back from one worker: its result (if it wrote one), its cell records and how it ended."""

    result: WorkerResult | None = None
    records: list[events.Record] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # found before the run (prepare_submission)
    killed: bool = False  # past its time limit
    exitcode: int | None = None
    log: str = ""  # the worker's stdout and stderr
    work: Path | None = None
    earned: dict[str, float] = field(default_factory=dict)  # test cell -> points (from the verdicts)
    spans: Spans = field(default_factory=Spans)  # seconds per phase, the worker's own included (for the benchmark)


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


_starting = threading.Lock()


@contextlib.contextmanager
def _main_module_importable():
    """Hide a ``__main__`` that is no file (``python - < script.py``): the fork server would try to import it."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    hidden = path is not None and getattr(main, "__spec__", None) is None and not os.path.isfile(path)
    if hidden:
        del main.__file__
    try:
        yield
    finally:
        if hidden:
            main.__file__ = path


def start_worker(context, target, args: tuple) -> multiprocessing.process.BaseProcess:
    """Start ``target(*args)`` in a worker process of ``context``."""
    process = context.Process(target=target, args=args)
    with _starting, _main_module_importable():
        process.start()
    return process


@functools.cache
def worker_processes(preload: tuple[str, ...] = ()) -> multiprocessing.context.BaseContext:
    """Where grading workers come from: a fork server that has imported nbgrader, the worker and ``preload`` once.

    Where the fork server cannot start, workers are forked from this process instead (slower to start
    nothing, but correct).

    Raises
    ------
    RuntimeError
        When no worker can start at all.
    """
    server = multiprocessing.get_context("forkserver")
    server.set_forkserver_preload(["dcai_helpers.grading.worker", *preload])
    failures = []
    for context in (server, multiprocessing.get_context("fork")):
        try:
            process = start_worker(context, ping, ())
            process.join(WORKER_START_LIMIT)
            if process.exitcode == 0:
                return context
            failures.append(f"{context.get_start_method()}: exit code {process.exitcode}")
        except Exception as err:  # noqa: BLE001 (try the next way of starting workers)
            failures.append(f"{context.get_start_method()}: {type(err).__name__}: {err}")
    raise RuntimeError(f"grading workers cannot start ({'; '.join(failures)}); nothing was graded")


def grade_one(
    context,
    lab: Lab,
    entry: Submission,
    work: Path,
    key: AnswerKey,
    *,
    template: Path,
    limits: limits.Limits,
    alembic_version: str | None = None,
    kernels: threading.Semaphore | None = None,
) -> WorkerRun:
    """Prepare one submission, autograde it in a worker process, and end all it started.

    ``kernels``, when given, is acquired before the worker starts and released once its kernel has ended.
    """
    start = time.perf_counter()
    work.mkdir()
    os.chmod(work, 0o711)
    try:
        prepared, findings = prepare_submission(read_notebook(entry.notebook), key.release)
    except NotebookError as err:  # validated before; read again only if it changed meanwhile
        return WorkerRun(findings=[Finding(Event.GRADER_ERROR, "", str(err))], work=work)
    notebook = work / "submission.ipynb"
    nbformat.write(prepared, notebook)
    prepared_in = time.perf_counter() - start
    with claim_kernel_uid() as uid:
        spec = WorkerSpec(
            course=str(work / "course"),
            work=str(work),
            lab=lab.id,
            notebook_name=lab.solution.stem,
            nbgrader_id=entry.nbgrader_id,
            notebook=str(notebook),
            template_db=str(template),
            plan=str(key.plan),
            uid=uid,
            result=str(work / "result.json"),
            events=str(work / "events.jsonl"),
            token=secrets.token_hex(16),
            limits=limits,
            alembic_version=alembic_version,
        )
        found = run_worker(context, spec, kernels=kernels)
    found.findings = findings
    found.spans.add("prepare", prepared_in)
    return found


def run_worker(context, spec: WorkerSpec, *, kernels: threading.Semaphore | None = None) -> WorkerRun:
    """Run one worker under its time limit; kill it (and all its submission started) on every path.

    ``kernels``, when given, is acquired before the worker starts and released as soon as the worker notes
    that its kernel has ended (or the worker has ended), so that the next kernel starts while this worker
    saves scores and writes feedback.
    """
    work = Path(spec.work)
    spec.write(work / "spec.json")
    spans = Spans()
    holding = kernels is not None
    if holding:
        with spans.span("kernel wait"):
            kernels.acquire()
    asked_at, start = time.time(), time.perf_counter()
    try:
        process = start_worker(context, serve, (str(work / "spec.json"), str(work / "worker.log")))
    except BaseException:
        if holding:
            kernels.release()
        raise
    try:
        deadline = time.monotonic() + spec.limits.seconds + WORKER_GRACE
        log = events.EventLog(spec.events)
        while process.exitcode is None and (left := deadline - time.monotonic()) > 0:
            process.join(min(left, KERNEL_POLL_SECONDS) if holding else left)
            if holding and (process.exitcode is not None or log.kernel_ended()):
                # Whatever the kernel started ends with it, before the next kernel gets the cores.
                end_processes(token=spec.token)
                kernels.release()
                holding = False
                spans.add("kernel held", time.perf_counter() - start)
        killed = process.exitcode is None
        if killed:
            with contextlib.suppress(ProcessLookupError):  # the worker's session: it, and the kernel's bwrap with it
                os.killpg(process.pid, signal.SIGKILL)
            process.join()
    finally:
        if holding:
            kernels.release()
        spans.add("worker", time.perf_counter() - start)
        with spans.span("end processes"):
            end_processes(token=spec.token, session=process.pid)
    result_file = Path(spec.result)
    log_file = work / "worker.log"
    result = WorkerResult.read(result_file) if result_file.is_file() and not killed else None
    if result is not None:
        for name, seconds in result.timings.items():
            spans.add(name, seconds - asked_at if name == "started at" else seconds)
        spans.seconds["worker start"] = spans.seconds.pop("started at", 0.0)
    return WorkerRun(
        result=result,
        records=events.read(spec.events),
        killed=killed,
        exitcode=process.exitcode,
        log=log_file.read_text(errors="replace")[-20000:] if log_file.is_file() else "",
        work=work,
        spans=spans,
    )


def judge(lab: Lab, entry: Submission, run: WorkerRun, key: AnswerKey, *, limit: int) -> GradeRow:
    """The row of a submission that was run: its points from the grader's verdicts, and its status and detail
    from :func:`decide` on what the event log and the worker's result show."""
    findings = list(run.findings)
    labels: dict[int, str] = {}  # cell index -> how the detail names it
    running: events.Record | None = None  # the last cell (or grader test) that started and did not end
    ended, timed_out, unresponsive, raised = {}, set(), set(), {}
    earned: dict[str, float] = {}
    for record in run.records:
        if record.kind in (events.Kind.START, events.Kind.TESTING):
            labels.setdefault(record.index, record.grade_id or f"cell {len(labels) + 1}")
            running = record
        elif record.kind == events.Kind.END:
            running, ended[record.index] = None, record
        elif record.kind == events.Kind.VERDICT:
            running = None
            verdict = record.verdict
            earned[record.grade_id] = float(verdict.get("points", 0.0))
            outcomes = (verdict.get("public"), verdict.get("hidden"))
            if Outcome.TIMEOUT in outcomes:
                findings.append(Finding(Event.CELL_TIMEOUT, record.grade_id))
            elif Outcome.LOST in outcomes:
                died = "died" in verdict.get("message", "")
                findings.append(Finding(Event.KERNEL_DIED if died else Event.KERNEL_HUNG, record.grade_id, "no answer"))
        elif record.kind == events.Kind.TIMED_OUT:
            timed_out.add(record.index)
        elif record.kind == events.Kind.UNRESPONSIVE:
            unresponsive.add(record.index)
        elif record.kind == events.Kind.RAISED:
            raised[record.index] = record
    for index in sorted(unresponsive & set(ended)):  # the kernel came back, but had stopped answering
        findings.append(Finding(Event.KERNEL_HUNG, labels[index], "no answer past the time limit"))
    for index, record in ended.items():
        for ename in record.errors if index not in unresponsive else []:
            event = event_of_error(ename)
            if event is not None:
                findings.append(Finding(event, labels[index]))
    result = run.result
    if result is None or not result.success:
        cell = labels.get(running.index, "") if running is not None else ""
        if running is not None and running.kind == events.Kind.TESTING:
            cell = f"the grader's tests of {running.grade_id}"
        if run.killed:
            findings.append(Finding(Event.RUN_TIMEOUT, cell or "nbgrader's work after the last cell"))
        elif running is not None:
            cause = raised.get(running.index)
            log = f"{cause.error if cause else ''}: {cause.message if cause else ''}\n{result.log if result else ''}"
            if running.index in unresponsive:
                findings.append(Finding(Event.KERNEL_HUNG, cell, "no answer past the time limit"))
            elif cause is None and result is None and running.index not in timed_out:
                findings.append(Finding(Event.GRADER_KILLED, cell))
            else:
                event = event_of_failure(f"{log}\n{run.log}", timed_out=running.index in timed_out)
                message = (cause.message if cause else "no reply").split("\n")[0][:120]
                findings.append(Finding(event, cell, message))
        elif not any(f.event in (Event.KERNEL_DIED, Event.KERNEL_HUNG) for f in findings):
            why = (result.grader_error or result.log) if result else f"the worker exited with code {run.exitcode}"
            findings.append(Finding(Event.GRADER_ERROR, "", (why.strip().splitlines() or ["no reason"])[-1][:200]))
    run.earned = {grade_id: earned.get(grade_id, 0.0) for grade_id in key.points}
    score = float(sum(run.earned.values()))
    lost = [grade_id for grade_id, points in key.points.items() if run.earned[grade_id] < points]
    status, detail = decide(findings, score=score, max_score=key.max_score, lost=lost, limit=limit)
    if entry.detail:  # what the intake noted: a late file, which resubmission was graded
        detail = f"{detail.rstrip('.')}; {entry.detail}"
    return GradeRow(entry.student_id, lab.id, score, key.max_score, status, detail)


def record(course: Course, out: Path, entry: Submission, run: WorkerRun, row: GradeRow) -> None:
    """Merge a submission's points (its verdicts; 0 for one not graded) into the class gradebook, and keep its graded
    notebook and feedback under ``out``."""
    lab_id, student, folder = course.lab.id, entry.nbgrader_id, CourseFolder(out)
    graded_dir = folder.autograded(student, lab_id)
    shutil.rmtree(graded_dir, ignore_errors=True)
    shutil.rmtree(folder.feedback(entry.student_id, lab_id), ignore_errors=True)
    log = folder.log(student)
    log.unlink(missing_ok=True)
    result = run.result
    if run.work is not None and row.status != Status.OK:
        log.parent.mkdir(exist_ok=True)
        logs = f"{result.log}\n{result.grader_error}" if result else ""
        log.write_text(f"{row.status}: {row.detail}\n\n{logs}\n{run.log}")
    notebook_id = course.lab.solution.stem
    if result is not None and result.success and run.work is not None:
        # Only the notebook and its feedback leave the scratch course; whatever else the kernel wrote stays.
        worker_course = CourseFolder(run.work / "course")
        name = course.lab.solution.name
        graded_dir.mkdir(parents=True)
        shutil.copyfile(worker_course.autograded(student, lab_id) / name, graded_dir / name)
        html_page = (worker_course.feedback(student, lab_id) / name).with_suffix(".html")
        if html_page.is_file():
            # Written once: nbgrader's page (made safe as it was exported), with the row's status on top when not ok.
            page = folder.feedback(entry.student_id, lab_id) / html_page.name
            page.parent.mkdir(parents=True, exist_ok=True)
            text = html_page.read_text(encoding="utf-8")
            if row.status != Status.OK:
                text = feedback.with_note(text, status=row.status, detail=row.detail)
            page.write_text(text, encoding="utf-8")
    with Gradebook(course.db_url, course_id=COURSE_ID) as gb, warnings.catch_warnings():
        # nbgrader's update_or_create_submission trips SQLAlchemy's autoflush warnings; they are harmless.
        warnings.simplefilter("ignore", SAWarning)
        # The LMS's id (from a zip's names) lets `dcai export` find the student in the LMS's roster;
        # an entry without one (a folder, a regrade) keeps what an earlier run recorded.
        lms = {"lms_user_id": entry.lms_user_id} if entry.lms_user_id else {}
        gb.update_or_create_student(student, last_name=entry.student_id, **lms)
        gb.update_or_create_submission(lab_id, student)
        try:
            submitted = gb.find_submission_notebook(notebook_id, lab_id, student)
        except MissingEntry:
            return
        for grade in submitted.grades:
            grade.auto_score = run.earned.get(grade.name, 0.0)
            grade.manual_score = None
            grade.needs_manual_grade = False
        for comment in submitted.comments:
            comment.auto_comment = None
        gb.db.commit()


def write_status_pages(lab: Lab, out: Path, rows: list[GradeRow], *, expected: dict[str, str] | None = None) -> None:
    """A feedback page for every submission: nbgrader's, with a note on what went wrong, or a page of its own.

    ``expected`` maps a student id to what they should have submitted, in their LMS's words
    (:attr:`Submission.expected`); nbgrader's ``<lab>/<lab>.ipynb`` for a student it does not name.
    """
    expected = expected or {}
    for row in rows:
        page = CourseFolder(out).feedback(row.student_id, lab.id) / f"{lab.solution.stem}.html"
        if page.is_file():  # nbgrader's, with its note (record)
            continue
        feedback.status_page(
            page,
            student_id=row.student_id,
            lab_id=lab.id,
            status=row.status,
            detail=row.detail,
            score=row.score,
            max_score=row.max_score,
            expected=expected.get(row.student_id) or f"{lab.id}/{lab.solution.name}",
        )


class Progress:
    """Progress of a grading run on stderr: a tqdm bar on a terminal, else one log line per finished submission."""

    def __init__(self, total: int, lab_id: str) -> None:
        self.total, self.lab_id, self.finished = total, lab_id, 0
        self.counts: Counter[str] = Counter()
        self.start = time.monotonic()
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=f"grading {lab_id}", unit="submission", file=sys.stderr)

    def done(self, row: GradeRow) -> None:
        """One more submission finished with ``row``."""
        self.finished += 1
        self.counts[row.status] += 1
        ordered = sorted(self.counts.items(), key=lambda item: STATUSES.index(item[0]))
        counts = ", ".join(f"{n} {status}" for status, n in ordered)
        if self.bar is not None:
            self.bar.set_postfix_str(counts, refresh=False)
            self.bar.update(1)
            return
        elapsed = time.monotonic() - self.start
        left = elapsed / self.finished * (self.total - self.finished)
        print(
            f"[{self.finished}/{self.total}] {row.student_id}: {row.status}, {row.score:g}/{row.max_score:g} "
            f"({counts}; about {left:.0f} s left)",
            file=sys.stderr,
            flush=True,
        )

    def close(self) -> None:
        """End the bar."""
        if self.bar is not None:
            self.bar.close()
