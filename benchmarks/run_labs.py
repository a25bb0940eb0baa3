"""Run every solution notebook and print a table: wall seconds, peak memory, headline before and after.

Usage::

    python benchmarks/run_labs.py [LAB ...] [--busy N] [--threads T]

Each lab runs in a fresh process so its kernel's peak resident memory can be read back, with the kernel
environment students get (``make lab``, ``dcai check``: one thread for the numerical libraries,
:data:`~dcai_helpers.course.notebooks.ONE_THREAD_ENV`). ``--busy N`` keeps N cores busy with other processes
(a pure-Python loop each) while every lab runs, as a student's browser or a second notebook would; ``--threads T``
gives the kernels T threads instead of one, to see what the one-thread setting buys. Targets
(the lab contract): 60 s or less on 2 CPU cores, with one of them busy, and under 2 GB peak memory per lab.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import time
from contextlib import contextmanager

import nbformat
from nbclient import NotebookClient

from dcai_helpers.course.notebooks import ONE_THREAD_ENV, QUIET_KERNEL_ENV
from dcai_helpers.labs import LABS, get_lab

TARGET_SECONDS = 60
TARGET_PEAK_MB = 2048
#: Appended to the notebook to read its headline back; solutions define ``headline``.
HEADLINE_PROBE = "import json as _json\nprint('HEADLINE ' + _json.dumps(headline))"


def thread_env(threads: int) -> dict[str, str]:
    """The kernel's thread variables: :data:`ONE_THREAD_ENV`'s names, each set to ``threads``."""
    return {name: str(threads) for name in ONE_THREAD_ENV}


def run_one(lab_id: str, threads: int = 1) -> dict:
    """Execute one lab's solution in this process; its kernel is our child, so RUSAGE_CHILDREN is the kernel."""
    lab = get_lab(lab_id)
    nb = nbformat.read(lab.solution, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(HEADLINE_PROBE))
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(lab.solution.parent)}}
    ).execute(env={**os.environ, **thread_env(threads), **QUIET_KERNEL_ENV})
    seconds = time.perf_counter() - start
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    headline = json.loads(text.split("HEADLINE ", 1)[1])
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"lab": lab.id, "seconds": seconds, "peak_mb": peak_mb, **headline}


def _spin() -> None:
    while True:
        pass


@contextmanager
def busy_cores(n: int):
    """Keep ``n`` cores busy (one spinning process each) until the block ends."""
    spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(n)]
    for spinner in spinners:
        spinner.start()
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.terminate()
            spinner.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labs", nargs="*", help="lab ids (default: all)")
    parser.add_argument("--busy", type=int, default=0, metavar="N", help="cores kept busy meanwhile (default: 0)")
    parser.add_argument("--threads", type=int, default=1, metavar="T", help="threads per kernel (default: 1)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.threads)))
        return 0
    labs = [get_lab(lab_id) for lab_id in args.labs] if args.labs else list(LABS)
    rows = []
    with busy_cores(args.busy):
        for lab in labs:
            command = [sys.executable, __file__, "--one", lab.id, "--threads", str(args.threads)]
            out = subprocess.run(command, capture_output=True, text=True, check=False)
            if out.returncode != 0:
                print(f"{lab.id}: failed\n{out.stderr[-2000:]}", file=sys.stderr)
                return 1
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    target = f"within {TARGET_SECONDS} s / {TARGET_PEAK_MB} MB"
    threads = ", ".join(f"{name}={value}" for name, value in thread_env(args.threads).items())
    print(f"{os.cpu_count()} cores, {args.busy} kept busy; kernels with {threads}")
    print(f"| lab | wall s | peak MB | headline metric | before | after | {target} |")
    print("| --- | ---: | ---: | --- | ---: | ---: | --- |")
    for row in rows:
        ok = row["seconds"] <= TARGET_SECONDS and row["peak_mb"] <= TARGET_PEAK_MB
        metric = get_lab(row["lab"]).headline
        print(
            f"| {row['lab']} | {row['seconds']:.1f} | {row['peak_mb']:.0f} | {metric} | "
            f"{row['before']:.4f} | {row['after']:.4f} | {'yes' if ok else 'NO'} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
