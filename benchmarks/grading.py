"""Benchmark ``dcai grade`` against bare execution: fixed set-up, marginal cost per submission, speed-up, breakdown.

For each class size in ``--sizes`` and each ``--jobs`` count (default: 1 up to the number of cores), it
executes that many copies of the lab's correct answer bare (nbclient in ``jobs`` processes, no nbgrader, no
sandbox) and grades them with ``dcai grade --jobs``, bare and graded runs interleaved. Every kernel of every
run gets the same numerical-library threads (``--threads``, default 1: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS
and MKL_NUM_THREADS). Total seconds are fitted on the class size by least squares (``total = set-up + n *
per submission``), so the fixed set-up and the marginal cost of one more submission are reported apart.
The breakdown comes from the phase timings ``grade(..., timings=)`` writes. Prints Markdown tables.

Targets on 2 cores: marginal overhead per submission at most 15 % of bare execution (bare execution runs the
public tests in the kernel; grading also runs every test cell, hidden parts included, in the worker), fixed
set-up at most 5 s, and the marginal throughput of ``--jobs 2`` at least 1.8x that of ``--jobs 1``.

    python benchmarks/grading.py [--sizes 1 3 6] [--jobs 1 2] [--lab label_errors] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from dcai_helpers.course.notebooks import SOLUTION_MARKERS, is_solution_cell, nbgrader_meta
from dcai_helpers.grading.records import read_rows
from dcai_helpers.grading.sandbox import THREAD_VARIABLES
from dcai_helpers.labs import get_lab

OVERHEAD_TARGET = 0.15
SETUP_TARGET = 5.0
SPEEDUP_TARGET = 1.8
#: Phases of one submission, in the order they happen (seconds from the worker's result and the parent).
SUBMISSION_PHASES = (
    ("prepare", "parent: read the submission, compare it with the release, write it"),
    ("worker start", "parent asks for a worker until the forked worker runs"),
    ("worker set-up", "worker: course folder, gradebook copy, nbgrader config"),
    ("kernel start", "sandboxed kernel process started (bwrap, setpriv, prlimit)"),
    ("kernel ready", "kernel answers (ipykernel imported)"),
    ("cells", "the notebook's cells run in the kernel (test cells without their hidden part)"),
    ("grader tests", "the answer key's test cells run in the worker, calling the student's functions in the kernel"),
    ("kernel shutdown", "kernel stopped"),
    ("nbgrader other", "autograde minus the above: nbgrader's preprocessors, gradebook writes, files"),
    ("feedback", "worker writes the HTML feedback"),
    ("worker exit", "worker minus the above: result written, process ends"),
    ("end processes", "parent sweeps whatever the submission started"),
    ("judge", "parent decides the status"),
    ("merge wait", "parent waits for the class gradebook"),
    ("merge", "parent merges grades into the class gradebook, copies files"),
    ("clean-up", "parent removes the scratch folder"),
)
RUN_PHASES = ("python start and imports", "course set-up", "fork server", "gather", "status pages", "grades.csv")


def answered_release(lab) -> nbformat.NotebookNode:
    """The student release with every solution cell answered from the solution notebook."""
    release = nbformat.read(lab.release, as_version=4)
    solution = nbformat.read(lab.solution, as_version=4)
    answers = {nbgrader_meta(c)["grade_id"]: c.source for c in solution.cells if is_solution_cell(c)}
    for cell in release.cells:
        if is_solution_cell(cell):
            lines = answers[nbgrader_meta(cell)["grade_id"]].splitlines()
            cell.source = "\n".join(line for line in lines if line.strip() not in SOLUTION_MARKERS)
    return release


def execute_one(path: str) -> None:
    """Execute one notebook with nbclient, in its own folder (what a student's run does)."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(Path(path).parent)}}).execute()


def execute_bare(paths: list[Path], jobs: int) -> float:
    """Seconds to execute ``paths`` with nbclient, ``jobs`` at a time (forked processes, no nbgrader, no sandbox)."""
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(execute_one, [str(path) for path in paths]))
    return time.perf_counter() - start


#: What a grading run executes: a fresh Python, as ``dcai grade`` is (its imports and fork server count).
GRADE_SCRIPT = (
    "import sys; from dcai_helpers.grading.grade import grade; "
    "grade(sys.argv[1], sys.argv[2], out=sys.argv[3], jobs=int(sys.argv[4]))"
)


def grade_fresh(lab_id: str, submissions: Path, out: Path, jobs: int, timings: Path) -> float:
    """Seconds ``grade()`` takes in a Python process of its own, start-up and imports included."""
    start = time.perf_counter()
    command = [sys.executable, "-c", GRADE_SCRIPT, lab_id, str(submissions), str(out), str(jobs)]
    # grade() writes its phase timings where this variable says (a grade() older than that writes none).
    env = {**os.environ, "DCAI_GRADE_TIMINGS": str(timings)}
    subprocess.run(command, check=True, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least squares ``total = setup + n * per_submission`` over ``(n, total)`` points; returns both."""
    ns, totals = [n for n, _ in points], [t for _, t in points]
    if len(set(ns)) < 2:
        return 0.0, totals[0] / ns[0]
    per_submission, setup = statistics.linear_regression(ns, totals)
    return setup, per_submission


def breakdown(timing_files: list[tuple[Path, float]]) -> tuple[dict[str, float], dict[str, float]] | None:
    """Median seconds per phase of one submission, and of one run, over ``(timing file, wall seconds)`` of runs."""
    subs, runs = [], []
    for path, wall in timing_files:
        if not path.is_file():
            continue
        data = json.loads(path.read_text())
        runs.append({**data["run"], "python start and imports": wall - data["run"].get("total", wall)})
        for s in data["submissions"]:
            s = dict(s)
            known = ("kernel start", "kernel ready", "cells", "grader tests", "kernel shutdown")
            s["nbgrader other"] = s.get("autograde", 0.0) - sum(s.get(k, 0.0) for k in known)
            inside = ("worker start", "worker set-up", "autograde", "feedback")
            s["worker exit"] = s.get("worker", 0.0) - sum(s.get(k, 0.0) for k in inside)
            subs.append(s)
    if not runs:
        return None
    names = [name for name, _ in SUBMISSION_PHASES] + ["kernel held", "worker"]
    per_sub = {name: statistics.median([s.get(name, 0.0) for s in subs] or [0.0]) for name in names}
    per_run = {name: statistics.median([r.get(name, 0.0) for r in runs] or [0.0]) for name in RUN_PHASES}
    return per_sub, per_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 3, 6], help="class sizes to fit on")
    parser.add_argument("--jobs", type=int, nargs="+", help="--jobs values (default: 1 up to the cores)")
    parser.add_argument("--lab", default="label_errors", help="lab id")
    parser.add_argument("--threads", type=int, default=1, help="numerical-library threads of every kernel")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    jobs_list = args.jobs or list(range(1, cores + 1))
    # Every kernel (bare, fork server, graded) inherits these; grade() passes them on into the sandbox.
    os.environ.update({var: str(args.threads) for var in THREAD_VARIABLES})
    lab = get_lab(args.lab)
    nb = answered_release(lab)
    load_before = os.getloadavg()
    totals: dict[tuple[str, int], list[tuple[int, float]]] = {}
    timing_files: dict[int, list[tuple[Path, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="dcai-bench-") as tmp:
        for size in args.sizes:
            subs = Path(tmp) / f"submitted{size}"
            paths = []
            for index in range(size):
                path = subs / f"student{index:03d}" / lab.id / f"{lab.id}.ipynb"
                path.parent.mkdir(parents=True)
                nbformat.write(nb, path)
                paths.append(path)
            for jobs in jobs_list:
                bare = execute_bare(paths, jobs)
                totals.setdefault(("bare", jobs), []).append((size, bare))
                timings = Path(tmp) / f"timings-{size}-{jobs}.json"
                out = Path(tmp) / f"out-{size}-{jobs}"
                graded = grade_fresh(lab.id, subs, out, jobs, timings)
                rows = read_rows(out / "grades.csv")
                totals.setdefault(("grade", jobs), []).append((size, graded))
                timing_files.setdefault(jobs, []).append((timings, graded))
                bad = [row for row in rows if row.status != "ok" or row.score != row.max_score]
                if bad:
                    raise SystemExit(f"grading with --jobs {jobs} did not give full marks: {bad[:3]}")
                print(f"n={size} jobs={jobs}: bare {bare:.1f} s, graded {graded:.1f} s", file=sys.stderr, flush=True)
        phases = breakdown(timing_files[jobs_list[0]])
    load_after = os.getloadavg()
    fits = {key: fit(points) for key, points in totals.items()}
    threads = ", ".join(f"{var}={args.threads}" for var in THREAD_VARIABLES)
    print(f"dcai grade {lab.id}: class sizes {args.sizes}, {cores} cores, every kernel with {threads}")
    before, after = (" ".join(f"{x:.2f}" for x in load) for load in (load_before, load_after))
    print(f"load average (1, 5, 15 min): before {before}, after {after}\n")
    print("| run | fixed set-up (s) | s per submission | overhead vs bare | total for the largest class (s) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for jobs in jobs_list:
        bare_setup, bare_each = fits[("bare", jobs)]
        for kind, label in (("bare", f"bare nbclient, {jobs} at a time"), ("grade", f"dcai grade --jobs {jobs}")):
            setup, each = fits[(kind, jobs)]
            overhead = f"{each / bare_each - 1:+.0%}" if kind == "grade" else ""
            largest = max(totals[(kind, jobs)])[1]
            print(f"| {label} | {setup:.1f} | {each:.2f} | {overhead} | {largest:.1f} |")
    first = jobs_list[0]
    grade_setup, grade_each = fits[("grade", first)]
    overhead = grade_each / fits[("bare", first)][1] - 1
    print(f"\nmarginal overhead of --jobs {first} over bare: {overhead:+.0%} (target at most {OVERHEAD_TARGET:.0%})")
    print(f"fixed set-up of --jobs {first}: {grade_setup:.1f} s (target at most {SETUP_TARGET:g} s)")
    for jobs in jobs_list[1:]:
        speedup = grade_each / fits[("grade", jobs)][1]
        bare_speedup = fits[("bare", first)][1] / fits[("bare", jobs)][1]
        print(
            f"speed-up of --jobs {jobs} over --jobs {first} per submission: {speedup:.2f}x "
            f"(target at least {SPEEDUP_TARGET}x; bare execution: {bare_speedup:.2f}x)"
        )
    if phases is None:
        print("\nno phase timings: this grade() does not write them (DCAI_GRADE_TIMINGS)")
        return
    per_sub, per_run = phases
    bare_each = fits[("bare", first)][1]
    print(f"\nwhere the time goes, --jobs {first}: median seconds per submission (bare execution: {bare_each:.2f} s)\n")
    print("| phase | s | % of bare | what |")
    print("| --- | ---: | ---: | --- |")
    for name, what in SUBMISSION_PHASES:
        print(f"| {name} | {per_sub[name]:.2f} | {per_sub[name] / bare_each:.0%} | {what} |")
    print(
        f"\na kernel slot is held {per_sub['kernel held']:.2f} s per submission (worker start to kernel end), the "
        f"worker runs {per_sub['worker']:.2f} s: scores, feedback and merge overlap the next submission's kernel"
    )
    print("\nper run (median over the class sizes):\n")
    print("| phase | s |")
    print("| --- | ---: |")
    for name in RUN_PHASES:
        print(f"| {name} | {per_run[name]:.2f} |")


if __name__ == "__main__":
    main()
