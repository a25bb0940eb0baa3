"""The ``dcai`` command: a thin shell over nbgrader for releasing, self-checking and grading labs.

Each subcommand parses its arguments and calls one function that the tests call directly.
Exit codes: 0 ok, 1 failure (a test or check failed), 2 usage (bad arguments or input file).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dcai_helpers.grading import check, grade, release
from dcai_helpers.labs import LABS, get_lab

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def labs_table() -> str:
    """The Markdown table of labs that the README shows."""
    rows = ["| lab | title | points | data | headline metric |", "| --- | --- | --- | --- | --- |"]
    for lab in LABS:
        data = ", ".join(f"`{name}`" for name in lab.datasets)
        rows.append(
            f"| [`{lab.id}`](labs/{lab.id}/{lab.id}.ipynb) | {lab.title} | {lab.points} | {data} | {lab.headline} |"
        )
    return "\n".join(rows)


def run_labs(args: argparse.Namespace) -> int:
    """``dcai labs``: list the registered labs."""
    if args.markdown:
        print(labs_table())
    else:
        for lab in LABS:
            print(f"{lab.id:<36} {lab.points:>3} pts  {lab.title}")
    return EXIT_OK


def run_release(args: argparse.Namespace) -> int:
    """``dcai release``: regenerate labs/ or, with --check, verify it."""
    labs = [get_lab(lab_id) for lab_id in args.labs] if args.labs else None
    if args.check:
        problems = release.check(labs)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return EXIT_FAILURE
        print(f"labs/ matches solutions/ ({len(labs or LABS)} lab(s)), and no solution or hidden test reaches it.")
        return EXIT_OK
    for path in release.release(labs):
        print(f"wrote {path}")
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    """``dcai check``: run a student's notebook and report its public tests."""
    report = check.check_notebook(args.notebook, cell_timeout=args.timeout)
    print(report.render())
    return EXIT_OK if report.passed else EXIT_FAILURE


def run_grade(args: argparse.Namespace) -> int:
    """``dcai grade``: grade a folder or zip of submissions; exit 0 unless grading itself failed."""
    rows = grade.grade(
        args.lab, args.submissions, out=args.out, jobs=args.jobs, timeout=args.timeout, memory=args.memory
    )
    counts = {status: sum(row.status == status for row in rows) for status in grade.STATUSES}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    print(f"graded {len(rows)} submission(s) of {args.lab} ({summary or 'none'}); wrote {args.out}/grades.csv")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``dcai``."""
    parser = argparse.ArgumentParser(prog="dcai", description="Release, self-check and grade the data-centric AI labs.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("labs", help="list the labs")
    p.add_argument("--markdown", action="store_true", help="print the README's Markdown table")
    p.set_defaults(func=run_labs)

    p = sub.add_parser("release", help="regenerate labs/ from solutions/ with nbgrader")
    p.add_argument("labs", nargs="*", metavar="LAB", help="lab ids (default: all)")
    p.add_argument("--check", action="store_true", help="only verify that labs/ is up to date and leaks nothing")
    p.set_defaults(func=run_release)

    p = sub.add_parser("check", help="run your notebook and see which public tests pass")
    p.add_argument("notebook", metavar="NOTEBOOK", help="path of your lab notebook (.ipynb)")
    p.add_argument("--timeout", type=int, default=check.DEFAULT_CELL_TIMEOUT, help="seconds one cell may run")
    p.set_defaults(func=run_check)

    p = sub.add_parser("grade", help="grade a folder or LMS zip of submissions with nbgrader, isolated and in parallel")
    p.add_argument("lab", metavar="LAB", help="lab id")
    p.add_argument("submissions", metavar="SUBMISSIONS", help="folder <student>/<lab>/<lab>.ipynb or an LMS zip")
    p.add_argument("--out", required=True, metavar="DIR", help="where grades.csv, feedback and the gradebook go")
    p.add_argument("--jobs", type=int, default=None, help="submissions graded at once (default: CPU cores)")
    p.add_argument("--timeout", type=int, default=grade.DEFAULT_TIMEOUT, help="seconds one submission may run")
    p.add_argument("--memory", type=int, default=grade.DEFAULT_MEMORY_MB, help="MiB one submission's kernel may use")
    p.set_defaults(func=run_grade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dcai`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyError as err:  # unknown lab id, with a "Did you mean" hint
        print(f"dcai {args.command}: {err.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    except (check.NotebookError, FileNotFoundError) as err:
        print(f"dcai {args.command}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except (check.CheckError, ValueError, RuntimeError) as err:
        print(f"dcai {args.command}: {err}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
