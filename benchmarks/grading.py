"""Benchmark ``dcai grade``: time per submission, overhead against bare execution, and parallel speed-up.

Grades ``--copies`` copies of a lab's correct answer with ``--jobs 1`` and ``--jobs 2``, and executes the
same notebooks bare (nbclient, one after the other, no nbgrader, no sandbox). Prints a Markdown table.
Targets: overhead at most 25 %, speed-up at least 1.7x on 2 cores.

    python benchmarks/grading.py [--copies 40] [--lab label_errors]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from dcai_helpers.grading.grade import grade
from dcai_helpers.grading.notebooks import SOLUTION_MARKERS, is_solution_cell, nbgrader_meta
from dcai_helpers.labs import get_lab

OVERHEAD_TARGET = 0.25
SPEEDUP_TARGET = 1.7


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


def execute_bare(paths: list[Path]) -> float:
    """Seconds to execute ``paths`` one after the other with nbclient, in their own folders."""
    start = time.perf_counter()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40, help="submissions to grade")
    parser.add_argument("--lab", default="label_errors", help="lab id")
    args = parser.parse_args()
    lab = get_lab(args.lab)
    nb = answered_release(lab)
    with tempfile.TemporaryDirectory(prefix="dcai-bench-") as tmp:
        subs = Path(tmp) / "submitted"
        paths = []
        for index in range(args.copies):
            path = subs / f"student{index:03d}" / lab.id / f"{lab.id}.ipynb"
            path.parent.mkdir(parents=True)
            nbformat.write(nb, path)
            paths.append(path)
        bare = execute_bare(paths)
        timings = {}
        for jobs in (1, 2):
            start = time.perf_counter()
            rows = grade(lab, subs, out=Path(tmp) / f"out{jobs}", jobs=jobs)
            timings[jobs] = time.perf_counter() - start
            bad = [row for row in rows if row.status != "ok" or row.score != row.max_score]
            if bad:
                raise SystemExit(f"grading with --jobs {jobs} did not give full marks: {bad[:3]}")
    n = args.copies
    overhead = timings[1] / bare - 1
    speedup = timings[1] / timings[2]
    print(f"dcai grade {lab.id}: {n} copies of the solution, {os.cpu_count()} cores\n")
    print("| run | wall (s) | s per submission |")
    print("| --- | ---: | ---: |")
    print(f"| bare nbclient, one at a time | {bare:.1f} | {bare / n:.2f} |")
    for jobs, seconds in timings.items():
        print(f"| dcai grade --jobs {jobs} | {seconds:.1f} | {seconds / n:.2f} |")
    print(f"\noverhead of --jobs 1 over bare: {overhead:+.0%} (target at most {OVERHEAD_TARGET:.0%})")
    print(f"speed-up of --jobs 2 over --jobs 1: {speedup:.2f}x (target at least {SPEEDUP_TARGET}x)")


if __name__ == "__main__":
    main()
