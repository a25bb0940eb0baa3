"""The ``dcai`` command: a thin shell over nbgrader for releasing, self-checking and grading labs.

Each subcommand parses its arguments and calls one function that the tests call directly.
Exit codes: 0 ok, 1 failure (a test or check failed), 2 usage (bad arguments or input file).
"""

from __future__ import annotations

import argparse
import inspect
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from dcai_helpers.authoring import check, release, site
from dcai_helpers.grading import formgrader, grade, limits, lms_export, report, shard
from dcai_helpers.labs import (
    LABS,
    README_COLUMNS,
    REPO_ROOT,
    SOLUTIONS_DIR,
    Lab,
    answer_key_labs,
    lab_table,
    readme_with_table,
)

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def labs_table() -> str:
    """The Markdown table of labs that the README shows (between its markers)."""
    return lab_table(LABS, README_COLUMNS)


def say_key(args: argparse.Namespace) -> None:
    """The first line of every command that reads the answer key: which key it reads (on stderr)."""
    key = SOLUTIONS_DIR if args.solutions_dir is None else Path(args.solutions_dir).expanduser().resolve()
    given = " (the repository's)" if key == SOLUTIONS_DIR else ""
    print(f"dcai {args.command}: answer key: {key}{given}", file=sys.stderr, flush=True)


def keyed_labs(args: argparse.Namespace) -> list[Lab]:
    """The labs a command works on, each with its notebook from the answer key (``--solutions``)."""
    say_key(args)
    return answer_key_labs(args.labs, args.solutions_dir)


def run_labs(args: argparse.Namespace) -> int:
    """``dcai labs``: list the registered labs, print the README's table or write it into the README."""
    if args.solutions_dir is not None:
        say_key(args)
        held = answer_key_labs(None, args.solutions_dir)  # raises when the key holds no lab
        for lab in LABS:
            print(f"{lab.id:<36} {lab.points:>3} pts  {'in the key' if lab in held else 'NOT in the key'}")
        return EXIT_OK
    if args.update_readme:
        readme = REPO_ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        updated = readme_with_table(text)
        if updated != text:
            readme.write_text(updated, encoding="utf-8")
        print(f"{readme}: the labs table {'rewritten' if updated != text else 'already matches the registry'}")
    elif args.markdown:
        print(labs_table())
    else:
        for lab in LABS:
            print(f"{lab.id:<36} {lab.points:>3} pts  {lab.title}")
    return EXIT_OK


def run_site(args: argparse.Namespace) -> int:
    """``dcai site``: build the course site for self-learners, then say where to open it."""
    built = site.build_site(args.out)
    print(f"site: {len(built.pages)} lab pages built in {built.seconds:.1f} s")
    print(f"site: open {(built.html_dir / 'index.html').resolve().as_uri()}")
    return EXIT_OK


def run_release(args: argparse.Namespace) -> int:
    """``dcai release``: regenerate labs/ or, with --check, verify it."""
    labs = keyed_labs(args)
    if args.check:
        problems = release.check(labs)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return EXIT_FAILURE
        print(
            f"labs/ matches the answer key ({len(labs)} lab(s)), no solution or hidden test reaches it, "
            "and the notebooks are tidy."
        )
        return EXIT_OK
    for path in release.release(labs):
        print(f"wrote {path}")
    return EXIT_OK


def run_execute(args: argparse.Namespace) -> int:
    """``dcai execute``: re-run solutions headless, tidy and save them, then release them."""
    labs = keyed_labs(args)
    for line in release.execute(labs, cell_timeout=args.cell_timeout):
        print(line)
    for path in release.release(labs):
        print(f"wrote {path}")
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    """``dcai check``: run a student's notebook and report its public tests."""
    say_key(args)
    labs = None if args.solutions_dir is None else answer_key_labs(None, args.solutions_dir)
    report = check.check_notebook(args.notebook, cell_timeout=args.cell_timeout, labs=labs)
    print(report.render())
    return EXIT_OK if report.passed else EXIT_FAILURE


def run_grade(args: argparse.Namespace) -> int:
    """``dcai grade``: grade a folder or zip of submissions; exit 0 unless grading itself failed."""
    options = {name: getattr(args, name) for name in grade_keywords()}
    rows = grade.grade(args.lab, args.submissions, **options)
    counts = {status: sum(row.status == status for row in rows) for status in grade.STATUSES}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    print(f"graded {len(rows)} submission(s) of {args.lab} ({summary or 'none'}); wrote {args.out}/grades.csv")
    print(f"the class at a glance: dcai report {args.out}; manual grading: dcai formgrader {args.out}")
    return EXIT_OK


def run_formgrader(args: argparse.Namespace) -> int:
    """``dcai formgrader OUT``: nbgrader's formgrader on a graded class, until JupyterLab is stopped."""
    for line in formgrader.prepare(args.course, solutions_dir=args.solutions_dir):
        print(f"dcai formgrader: added {line}", file=sys.stderr)
    labs = formgrader.graded_labs(args.course)
    print(f"dcai formgrader: {args.course}: {', '.join(labs) or 'no lab graded yet'}", file=sys.stderr, flush=True)
    # The folder's nbgrader_config.py is read from the working folder, so the server starts there.
    jupyter_args = args.jupyter_args[1:] if args.jupyter_args[:1] == ["--"] else args.jupyter_args
    server = subprocess.run(formgrader.command(args.course, jupyter_args), cwd=args.course, env=os.environ.copy())
    return server.returncode


def run_report(args: argparse.Namespace) -> int:
    """``dcai report OUT``: the class report of a graded folder, printed and written as ``OUT/report.html``."""
    found = report.class_report(args.course, args.lab)
    print(found.render())
    page = report.write_html(
        found, args.course / (report.REPORT_NAME if args.lab is None else f"report-{args.lab}.html")
    )
    print(f"wrote {page}")
    return EXIT_OK


def grade_keywords() -> list[str]:
    """The keyword options of :func:`dcai_helpers.grading.grade.grade`: each is a ``dcai grade`` flag of that name."""
    parameters = inspect.signature(grade.grade).parameters.values()
    return [p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]


def run_merge(args: argparse.Namespace) -> int:
    """``dcai merge``: combine the folders of ``dcai grade --shard K/N`` into one course folder.

    Exit 1 when the shards are refused (they overlap, or were graded against different answer keys),
    2 for a usage mistake (a folder that is not a graded shard, an ``--into`` that is not new).
    """
    try:
        report = shard.merge(args.shards, into=args.into)
    except shard.MergeError as err:
        print(f"dcai merge: {err}", file=sys.stderr)
        return EXIT_FAILURE
    except (FileNotFoundError, ValueError) as err:
        print(f"dcai merge: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(
        f"merged {report.shards} shard(s) into {report.into}: {report.rows} row(s) in grades.csv, "
        f"{report.students_in_gradebook} student(s) in the gradebook"
    )
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    """``dcai export``: the LMS's grade import CSV from a graded course folder.

    Exit 1 when something needs attention (a graded student not in the roster, a duplicate, a row left
    out so as not to erase a grade, a column to check), 2 for a usage mistake.
    """
    try:
        report = lms_export.export(
            args.lms,
            args.course,
            roster=args.roster,
            out=args.out,
            labs=args.labs or (),
            columns=dict(args.columns or ()),
            missing=args.missing,
        )
    except (FileNotFoundError, ValueError) as err:
        print(f"dcai export: {err}", file=sys.stderr)
        return EXIT_USAGE
    lines = report.lines()
    print(lines[0])
    for line in lines[1:]:
        print(line, file=sys.stderr)
    print(f"report: {report.report_path}", file=sys.stderr)
    return EXIT_FAILURE if report.needs_attention else EXIT_OK


def lab_column(text: str) -> tuple[str, str]:
    """``LAB=NAME`` of ``dcai export --column`` as ``(LAB, NAME)``."""
    lab, equals, name = text.partition("=")
    if not equals or not lab.strip() or not name.strip():
        raise argparse.ArgumentTypeError(f"give LAB=NAME (the lab id, then the roster's column); got {text!r}")
    return lab.strip(), name.strip()


def add_solutions_flag(parser: argparse.ArgumentParser) -> None:
    """``--solutions DIR``: the answer key, the same flag with the same default on every command that reads it."""
    parser.add_argument(
        "--solutions",
        dest="solutions_dir",
        metavar="DIR",
        default=None,
        help="the answer key: folder of <lab>/<lab>.ipynb solution notebooks (default: the repository's solutions/)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``dcai``."""
    parser = argparse.ArgumentParser(prog="dcai", description="Release, self-check and grade the data-centric AI labs.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("labs", help="list the labs")
    table = p.add_mutually_exclusive_group()
    table.add_argument("--markdown", action="store_true", help="print the README's Markdown table")
    table.add_argument("--update-readme", action="store_true", help="write that table into README.md")
    add_solutions_flag(p)
    p.set_defaults(func=run_labs)

    p = sub.add_parser("site", help="build the course site for self-learners (solutions with outputs, no hidden tests)")
    p.add_argument(
        "out", nargs="?", type=Path, default=site.DEFAULT_OUT_DIR, help="build folder (default: %(default)s)"
    )
    p.set_defaults(func=run_site)

    p = sub.add_parser("release", help="regenerate labs/ from solutions/ with nbgrader")
    p.add_argument("labs", nargs="*", metavar="LAB", help="lab ids (default: all)")
    p.add_argument("--check", action="store_true", help="only verify that labs/ is up to date and leaks nothing")
    add_solutions_flag(p)
    p.set_defaults(func=run_release)

    p = sub.add_parser(
        "execute", help="run solutions top to bottom headless, tidy and save them in place, then release them"
    )
    p.add_argument("labs", nargs="*", metavar="LAB", help="lab ids (default: all)")
    p.add_argument(
        "--cell-timeout", type=int, default=release.DEFAULT_EXECUTE_CELL_TIMEOUT, help="seconds one cell may run"
    )
    add_solutions_flag(p)
    p.set_defaults(func=run_execute)

    p = sub.add_parser("check", help="run your notebook and see which public tests pass")
    p.add_argument("notebook", metavar="NOTEBOOK", help="path of your lab notebook (.ipynb)")
    p.add_argument("--cell-timeout", type=int, default=check.DEFAULT_CELL_TIMEOUT, help="seconds one cell may run")
    add_solutions_flag(p)
    p.set_defaults(func=run_check)

    p = sub.add_parser("grade", help="grade a folder or LMS zip of submissions with nbgrader, isolated and in parallel")
    p.add_argument("lab", metavar="LAB", help="lab id")
    p.add_argument("submissions", metavar="SUBMISSIONS", help="folder <student>/<lab>/<lab>.ipynb or an LMS zip")
    # One flag per keyword of grade.grade() with its default (tests/test_grade.py checks that they agree).
    p.add_argument("--out", required=True, metavar="DIR", help="where grades.csv, feedback and the gradebook go")
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="kernels run at once; scoring, feedback and the gradebook merge overlap the next one (default: CPU cores)",
    )
    p.add_argument(
        "--timeout",
        type=int,
        default=limits.DEFAULT_SECONDS,
        metavar="S",
        help="seconds one submission may run in all: its cells and the grader's tests (default: %(default)s)",
    )
    p.add_argument(
        "--memory",
        type=int,
        default=limits.DEFAULT_MEMORY_MB,
        metavar="MIB",
        help="memory one submission's kernel may use (default: %(default)s)",
    )
    p.add_argument(
        "--disk",
        type=int,
        default=limits.DEFAULT_DISK_MB,
        metavar="MIB",
        help="what one kernel may write to disk in all, with bubblewrap (default: %(default)s)",
    )
    p.add_argument(
        "--output-cell",
        dest="output_cell",
        type=int,
        default=limits.DEFAULT_OUTPUT_CELL_KB,
        metavar="KIB",
        help="output kept per cell; the rest is cut with a note (default: %(default)s)",
    )
    p.add_argument(
        "--output-notebook",
        dest="output_notebook",
        type=int,
        default=limits.DEFAULT_OUTPUT_NOTEBOOK_KB,
        metavar="KIB",
        help="output kept per notebook (default: %(default)s)",
    )
    p.add_argument(
        "--worker-memory",
        dest="worker_memory",
        type=int,
        default=limits.DEFAULT_WORKER_MEMORY_MB,
        metavar="MIB",
        help="memory of the process that runs nbgrader and the hidden tests for one submission (default: %(default)s)",
    )
    p.add_argument(
        "--no-sandbox",
        dest="sandbox",
        action="store_false",
        help="grade without bubblewrap: student code can then reach the network and read world-readable files",
    )
    add_solutions_flag(p)
    p.add_argument(
        "--name-regexp",
        dest="name_regexp",
        metavar="REGEXP",
        default=grade.ZIP_NAME_REGEXP,
        help="how an LMS zip's file names give (?P<student_id>...) and (?P<file_id>...)",
    )
    p.add_argument(
        "--shard",
        metavar="K/N",
        default=None,
        help="grade only shard K of N (K from 0; students by a hash of their id); join shards with dcai merge",
    )
    p.add_argument(
        "--only",
        action="append",
        default=None,
        metavar="STUDENT",
        help="regrade only this student (repeat), as grades.csv names them; the others in --out stay as they are",
    )
    p.set_defaults(func=run_grade)

    p = sub.add_parser("formgrader", help="open formgrader on a graded --out folder (manual grading)")
    p.add_argument("course", metavar="OUT", type=Path, help="the --out folder of `dcai grade` (it holds gradebook.db)")
    add_solutions_flag(p)
    p.add_argument(
        "jupyter_args",
        nargs=argparse.REMAINDER,
        metavar="...",
        help="JupyterLab's own options after --, e.g. -- --no-browser --port 8899",
    )
    p.set_defaults(func=run_formgrader)

    p = sub.add_parser("report", help="the class report of a graded --out folder: scores, pass rates, common failures")
    p.add_argument("course", metavar="OUT", type=Path, help="the --out folder of `dcai grade` (or of `dcai merge`)")
    p.add_argument("--lab", default=None, help="the lab to report on, when the folder holds several")
    p.set_defaults(func=run_report)

    p = sub.add_parser("merge", help="combine the folders of `dcai grade --shard K/N` into one course folder")
    p.add_argument("shards", nargs="+", metavar="OUT", help="the shards' --out folders")
    p.add_argument("--into", required=True, metavar="DIR", help="a new (or empty) folder for the merged course")
    p.set_defaults(func=run_merge)

    p = sub.add_parser("export", help="write Canvas's or Moodle's grade import CSV from a graded --out folder")
    p.add_argument("lms", choices=lms_export.LMS_NAMES, help="the LMS whose import format to write")
    p.add_argument("course", metavar="DIR", help="the --out folder of `dcai grade` (it holds gradebook.db)")
    p.add_argument(
        "--roster",
        required=True,
        metavar="ROSTER.csv",
        help="the LMS's own export: Canvas's gradebook export; Moodle's grading worksheet (or participants export)",
    )
    p.add_argument("--out", required=True, metavar="FILE.csv", help="the CSV to import; FILE.report.txt goes beside it")
    p.add_argument(
        "--lab", dest="labs", action="append", metavar="LAB", help="a lab to export (repeat; default: every lab graded)"
    )
    p.add_argument(
        "--column",
        dest="columns",
        action="append",
        type=lab_column,
        metavar="LAB=NAME",
        help="the roster column a lab's grades go to (repeat): its header, its Canvas assignment id (501), "
        "or a pattern ('Lab 8*'); default: the column named after the lab's id or title, else a new one",
    )
    missing = inspect.signature(lms_export.export).parameters["missing"].default
    p.add_argument(
        "--missing",
        choices=lms_export.MISSING_CHOICES,
        default=missing,
        help="for a roster entry without a submission: omit its row, so the LMS keeps what it has (default), "
        "write 0, or write a blank cell, which Canvas and Moodle apply as 'no grade'",
    )
    p.add_argument(
        "--missing-as-zero", dest="missing", action="store_const", const="zero", help="the same as --missing zero"
    )
    p.set_defaults(func=run_export)
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
    except (ValueError, RuntimeError) as err:
        print(f"dcai {args.command}: {err}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
