"""``dcai release``: generate the student notebooks in ``labs/`` from ``solutions/`` with nbgrader.

nbgrader's ``generate_assignment`` does the work (clear solutions and hidden tests, lock cells,
strip outputs). We run it in a throw-away course folder that holds only the lab's notebook, so no
other file of a source folder reaches ``labs/``, and then check the result: the release must hold
no solution line, no hidden-test line and no output. Both the release and the solution it comes from
are tidied (:func:`~dcai_helpers.course.notebooks.tidy_notebook`: no execution timestamps, no widget
state, stable cell ids), so re-running a solution and releasing it again changes no byte of ``labs/``;
:func:`execute` is that re-run.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import nbformat

from dcai_helpers.course.assignment import Course
from dcai_helpers.course.notebooks import (
    HIDDEN_TEST_MARKERS,
    MIN_LEAK_LINE_LENGTH,
    SOLUTION_MARKERS,
    cell_label,
    error_of,
    is_solution_cell,
    is_test_cell,
    marked_lines,
    nbgrader_meta,
    read_notebook,
    run_notebook,
    tidy_notebook,
    unmarked_lines,
    untidiness,
)
from dcai_helpers.labs import LABS, RELEASE_DIR, Lab

#: Seconds one cell of a solution may run under ``dcai execute``; a solution runs in about a minute in all.
DEFAULT_EXECUTE_CELL_TIMEOUT = 600


def generate(lab: Lab, dest: Path) -> Path:
    """Generate the student notebook of ``lab`` into ``dest/<id>/<id>.ipynb`` and return its path.

    Raises
    ------
    RuntimeError
        When nbgrader fails, with nbgrader's reason.
    """
    if not lab.solution.is_file():
        raise FileNotFoundError(f"lab '{lab.id}': no solution notebook at {lab.solution}")
    with tempfile.TemporaryDirectory(prefix="dcai-release-") as tmp:
        # The gradebook nbgrader insists on writing lives in the throw-away course too.
        produced = Course(lab, tmp).setup()
        target = Path(dest) / lab.id / lab.solution.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(tidy_notebook(nbformat.read(produced, as_version=4)), target)
    return target


def release(labs: list[Lab] | None = None, dest: Path = RELEASE_DIR) -> list[Path]:
    """Regenerate the student notebooks of ``labs`` (all by default) under ``dest``.

    Raises
    ------
    ValueError
        When a generated notebook would leak a solution or hidden test (nothing is written then).
    """
    labs = list(LABS) if labs is None else labs
    written = []
    with tempfile.TemporaryDirectory(prefix="dcai-release-") as tmp:
        for lab in labs:
            generated = generate(lab, Path(tmp))
            problems = leaks(lab, read_notebook(generated))
            if problems:
                raise ValueError("\n".join(problems))
            target = Path(dest) / lab.id
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            shutil.copy2(generated, target / generated.name)
            written.append(target / generated.name)
    return written


def execute(labs: list[Lab] | None = None, *, cell_timeout: int = DEFAULT_EXECUTE_CELL_TIMEOUT) -> list[str]:
    """Run each solution of ``labs`` (all by default) top to bottom, tidy it and save it in place.

    Each runs headless in a fresh kernel, in its own folder, with one BLAS thread (as the tests run
    it), recording no timestamps and no widget state. A solution in which a cell raises or runs past
    ``cell_timeout`` is left unchanged. Follow with :func:`release` to regenerate ``labs/``.

    Returns
    -------
    list of str
        One line per lab saved, with the seconds it took.

    Raises
    ------
    RuntimeError
        When a cell of a solution raises or runs too long, naming the lab and the cell (from 1).
    """
    labs = list(LABS) if labs is None else labs
    done = []
    for lab in labs:
        nb = read_notebook(lab.solution)
        start = time.perf_counter()
        stop = run_notebook(nb, cwd=lab.solution.parent.resolve(), cell_timeout=cell_timeout)
        seconds = time.perf_counter() - start
        if stop is not None:
            where = f"cell {stop.index + 1} ({cell_label(nb.cells[stop.index])})"
            raise RuntimeError(f"lab '{lab.id}': {where}: {stop.reason}; {lab.solution} was not changed")
        raised = [(number, cell) for number, cell in enumerate(nb.cells, start=1) if error_of(cell)]
        if raised:
            where = "; ".join(f"cell {number} ({cell_label(cell)}) raised {error_of(cell)}" for number, cell in raised)
            raise RuntimeError(f"lab '{lab.id}': {where}; {lab.solution} was not changed")
        nbformat.write(tidy_notebook(nb), lab.solution)
        done.append(f"executed {lab.solution} in {seconds:.0f} s")
    return done


def leaks(lab: Lab, student_nb: dict) -> list[str]:
    """Problems with a student notebook: solution or hidden-test lines that reach it, and outputs.

    Returns
    -------
    list of str
        One message per problem, naming the lab and the cell (numbered from 1); empty when the notebook is clean.
    """
    problems = []
    solution_nb = read_notebook(lab.solution)
    secret_lines, public_lines = set(), set()
    for cell in solution_nb.cells:
        for markers in (SOLUTION_MARKERS, HIDDEN_TEST_MARKERS):
            secret_lines.update(marked_lines(cell.source, markers))
        public_lines.update(
            set(unmarked_lines(cell.source, SOLUTION_MARKERS)) & set(unmarked_lines(cell.source, HIDDEN_TEST_MARKERS))
        )
    # A line that is also written outside the markers (an import, say) is public, not a leak.
    secret_lines = {
        line for line in secret_lines - public_lines if len(line) >= MIN_LEAK_LINE_LENGTH and not line.startswith("#")
    }
    for number, cell in enumerate(student_nb.cells, start=1):
        where = f"lab '{lab.id}', cell {number} ({nbgrader_meta(cell).get('grade_id', cell.cell_type)})"
        for marker in (*SOLUTION_MARKERS, *HIDDEN_TEST_MARKERS):
            if marker in cell.source:
                problems.append(f"{where}: the marker '{marker}' reaches the student notebook")
        if is_solution_cell(cell) or is_test_cell(cell):
            leaked = [line for line in cell.source.splitlines() if line.strip() in secret_lines]
            problems.extend(
                f"{where}: solution or hidden-test line reaches students: {line.strip()!r}" for line in leaked
            )
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problems.append(f"{where}: has outputs; student notebooks carry none")
    return problems


def check(labs: list[Lab] | None = None, dest: Path = RELEASE_DIR) -> list[str]:
    """Compare ``dest`` with a fresh generation; return one message per difference or leak."""
    labs = list(LABS) if labs is None else labs
    problems = []
    with tempfile.TemporaryDirectory(prefix="dcai-release-check-") as tmp:
        for lab in labs:
            if lab.solution.is_file():
                problems.extend(
                    f"lab '{lab.id}', solution {problem}; run `dcai execute {lab.id}`"
                    for problem in untidiness(read_notebook(lab.solution))
                )
            try:
                expected_path = generate(lab, Path(tmp))
            except (FileNotFoundError, RuntimeError) as err:
                problems.append(str(err))
                continue
            expected = read_notebook(expected_path)
            problems.extend(leaks(lab, expected))
            actual_path = Path(dest) / lab.id / lab.solution.name
            if not actual_path.is_file():
                problems.append(f"lab '{lab.id}': {actual_path} is missing; run `dcai release {lab.id}`")
                continue
            actual = read_notebook(actual_path)
            problems.extend(leaks(lab, actual))
            problems.extend(_differences(lab, expected, actual))
            extra = sorted(p.name for p in actual_path.parent.iterdir() if p.name != actual_path.name)
            if extra:
                problems.append(
                    f"lab '{lab.id}': labs/{lab.id}/ holds files that are not the release: {', '.join(extra)}"
                )
    known = {lab.id for lab in LABS}
    if Path(dest).is_dir() and labs == list(LABS):
        for folder in sorted(p for p in Path(dest).iterdir() if p.is_dir() and p.name not in known):
            problems.append(
                f"labs/{folder.name}/ belongs to no registered lab; delete it or add it to dcai_helpers/labs.py"
            )
    return problems


def _differences(lab: Lab, expected: dict, actual: dict) -> list[str]:
    """Cell-by-cell differences between the generated and the committed release of ``lab``."""
    fix = f"run `dcai release {lab.id}`"
    if len(expected.cells) != len(actual.cells):
        return [
            f"lab '{lab.id}': labs/ has {len(actual.cells)} cells, solutions/ generates {len(expected.cells)}; {fix}"
        ]
    problems = []
    if expected.metadata != actual.metadata:
        problems.append(f"lab '{lab.id}': the notebook metadata of labs/ differs from solutions/; {fix}")
    for index, (want, got) in enumerate(zip(expected.cells, actual.cells, strict=True)):
        if (want.cell_type, want.get("id"), want.source, want.metadata) != (
            got.cell_type,
            got.get("id"),
            got.source,
            got.metadata,
        ):
            name = nbgrader_meta(want).get("grade_id", want.cell_type)
            problems.append(f"lab '{lab.id}', cell {index + 1} ({name}): labs/ differs from solutions/; {fix}")
    return problems
