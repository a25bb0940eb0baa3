"""Reading, running and tidying notebooks and their nbgrader cell metadata, shared by release, check and grade."""

from __future__ import annotations

import copy
import itertools
import json
import logging
import os
import re
import subprocess
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import ClearHiddenTests
from traitlets import Unicode

from dcai_helpers.labs import LABS, Lab

#: Markers nbgrader uses to delimit solution code and hidden tests.
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_TEST_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")

#: Cell metadata that records when a cell ran or how it was shown in an editor, never what it is.
UI_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled", "jupyter", "trusted", "papermill", "vscode")
#: Notebook metadata of the same kind; ``widgets`` is ipywidgets' saved state (tqdm bars, random model ids).
UI_NOTEBOOK_METADATA = ("widgets", "celltoolbar", "toc", "varInspector", "vscode", "papermill")
#: MIME type of an ipywidgets view; it only renders with the widget state, which we do not keep.
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
#: What nbformat 4.5 allows as a cell id.
VALID_CELL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: The kernel runs with one BLAS thread, like the test command, so headline numbers reproduce bit for bit.
ONE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: Silences debugpy's "frozen modules" warning, which the kernel prints at start-up.
QUIET_KERNEL_ENV = {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class NotebookError(ValueError):
    """A file that cannot be used as a lab notebook; the message says why and what to do."""


def read_notebook(path: str | Path) -> nbformat.NotebookNode:
    """Read ``path`` as a notebook, raising :class:`NotebookError` with a one-line reason if it is not one."""
    path = Path(path)
    if not path.exists():
        raise NotebookError(f"{path}: no such file; give the path of your lab's .ipynb notebook")
    if not path.is_file():
        raise NotebookError(f"{path}: is a folder, not a notebook; give the path of a .ipynb file")
    try:
        with path.open(encoding="utf-8") as f:
            nb = nbformat.read(f, as_version=4)
    except (json.JSONDecodeError, UnicodeDecodeError, nbformat.reader.NotJSONError) as err:
        raise NotebookError(
            f"{path}: not a Jupyter notebook (not valid notebook JSON: {first_line(str(err))}); "
            "save it from JupyterLab and try again"
        ) from None
    except Exception as err:  # nbformat raises several types for malformed notebooks
        raise NotebookError(f"{path}: not a readable notebook ({first_line(str(err))})") from None
    if not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{path}: not a Jupyter notebook (it has no list of cells)")
    return nb


def nbgrader_meta(cell: dict) -> dict:
    """The cell's nbgrader metadata, or an empty dict."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def is_test_cell(cell: dict) -> bool:
    """True for an autograded test cell (graded, not a solution, code)."""
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_solution_cell(cell: dict) -> bool:
    """True for a cell in which the student writes code."""
    return bool(nbgrader_meta(cell).get("solution"))


def test_cells(nb: dict) -> list[dict]:
    """The autograded test cells of ``nb``, in order."""
    return [cell for cell in nb["cells"] if is_test_cell(cell)]


def total_points(nb: dict) -> float:
    """Sum of the points of the autograded test cells of ``nb``."""
    return float(sum(nbgrader_meta(cell).get("points", 0) for cell in test_cells(nb)))


def lab_of_notebook(nb: dict, path: str | Path, labs: Sequence[Lab] = LABS) -> Lab:
    """The lab of ``labs`` a notebook belongs to: its ``dcai.lab`` metadata, else its file name.

    Raises
    ------
    NotebookError
        When neither names a registered lab.
    """
    by_id = {lab.id: lab for lab in labs}
    meta_id = nb.get("metadata", {}).get("dcai", {}).get("lab")
    for candidate in (meta_id, Path(path).stem):
        if candidate in by_id:
            return by_id[candidate]
    raise NotebookError(
        f"{path}: belongs to no known lab (known labs: {', '.join(by_id)}); "
        "check that you opened the notebook from the labs/ folder"
    )


def split_hidden(source: str) -> tuple[str, str]:
    """A test cell's source cut into its public part and its hidden part (the markers' lines dropped)."""
    public, hidden = [], []
    for line, inside in _lines_by_marker(source, HIDDEN_TEST_MARKERS, keep_blank=True):
        (hidden if inside else public).append(line)
    return "\n".join(public), "\n".join(hidden)


def hidden_test_lines(nb: dict) -> list[str]:
    """The non-blank lines between hidden-test markers of ``nb`` (what no student may ever see)."""
    return [line for cell in nb["cells"] for line in marked_lines(_text(cell.get("source", "")), HIDDEN_TEST_MARKERS)]


#: What replaces a hidden-test region wherever a student or reader may see the cell.
HIDDEN_NOTE = "# (hidden tests run here when your notebook is graded; they are not shown)"
#: A hidden or solution line shorter than this (``)``, ``else:``, ``return x``) may legitimately appear in what
#: students and readers see; one this long that appears there is a leak (``dcai release --check``, the site).
MIN_LEAK_LINE_LENGTH = 12


class CutHiddenTests(ClearHiddenTests):
    """Cut every hidden-test region out of each cell's source, leaving :attr:`note` in its place.

    The one cutter of hidden tests: the grader runs the kernel on what it leaves (``note`` empty), and the
    feedback and the course site show what it leaves (with the note).
    """

    note = Unicode(HIDDEN_NOTE, help="the line that replaces each hidden-test region (empty: nothing)").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        source = _text(cell.get("source", ""))
        if self.begin_test_delimeter not in source:
            return cell, resources
        lines, inside = [], False
        for line in source.split("\n"):
            if self.begin_test_delimeter in line:
                inside = True
                if self.note:
                    lines.append(line[: len(line) - len(line.lstrip())] + self.note)
            elif self.end_test_delimeter in line:
                inside = False
            elif not inside:
                lines.append(line)
        cell.source = "\n".join(lines)
        return cell, resources


def _text(source: str | list) -> str:
    return "".join(source) if isinstance(source, list) else source


def first_line(text: str) -> str:
    """The first non-empty line of ``text``, stripped (empty string when none)."""
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return ""


def marked_lines(source: str, markers: tuple[str, str]) -> list[str]:
    """The stripped, non-empty lines of ``source`` between a ``markers`` pair (exclusive)."""
    return [line for line, inside in _lines_by_marker(source, markers) if inside]


def unmarked_lines(source: str, markers: tuple[str, str]) -> list[str]:
    """The stripped, non-empty lines of ``source`` outside every ``markers`` pair (markers excluded)."""
    return [line for line, inside in _lines_by_marker(source, markers) if not inside]


def _lines_by_marker(source: str, markers: tuple[str, str], *, keep_blank: bool = False) -> list[tuple[str, bool]]:
    """Each non-marker line of ``source`` with whether it lies between ``markers``.

    Lines are stripped and blank ones dropped, unless ``keep_blank`` (then lines are kept as they are).
    """
    begin, end = markers
    lines, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith(begin):
            inside = True
        elif stripped.startswith(end):
            inside = False
        elif keep_blank:
            lines.append((line, inside))
        elif stripped:
            lines.append((stripped, inside))
    return lines


def error_of(cell: dict) -> str:
    """``"Name: first line of message"`` of the first error a cell's outputs hold, or ``""``.

    A ``SyntaxError``'s location names the kernel's temporary file; only its line number is kept.
    """
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            name = output.get("ename", "Error")
            message = first_line(_ANSI.sub("", output.get("evalue", "")))
            message = re.sub(r"\([^()]*, line (\d+)\)$", r"(line \1)", message)
            return f"{name}: {message}" if message else name
    return ""


def printed_lines(cell: dict) -> list[str]:
    """The non-empty lines a code cell printed on stdout, stripped of colour codes."""
    text = "".join(
        "".join(output.get("text", ""))
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stdout"
    )
    return [line.rstrip() for line in _ANSI.sub("", text).splitlines() if line.strip()]


def cell_label(cell: dict) -> str:
    """How a report names a cell: its grade_id, or its kind when it has none."""
    return nbgrader_meta(cell).get("grade_id") or f"ungraded {cell.get('cell_type', 'cell')}"


# Running ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    """Why a run ended before the last cell: the cell (0-based index) and what happened to it."""

    index: int
    reason: str


_QUIET_LOG = logging.getLogger("dcai.kernel")
_QUIET_LOG.addHandler(logging.NullHandler())
# nbclient logs a timeout or a dead kernel as an error before raising it; we report those ourselves.
_QUIET_LOG.propagate = False


def run_notebook(
    nb: nbformat.NotebookNode,
    *,
    cwd: str | Path,
    cell_timeout: int | None,
    after_cell: Callable[[int, dict, NotebookClient], None] | None = None,
) -> Stop | None:
    """Run every code cell of ``nb`` in order, in a fresh kernel, storing the outputs in ``nb``.

    Errors do not stop the run: each cell that raises keeps its error output (see :func:`error_of`),
    as nbgrader's autograder would see it. A cell that runs past ``cell_timeout`` or during which the
    kernel dies ends the run there, since what follows would depend on it; the cells after it keep no
    output. Outputs held before the run are cleared first, so no stale output is mistaken for a result.
    No execution timestamps and no widget state are recorded; the kernel runs in ``cwd`` with one BLAS
    thread, and its own start-up warnings (stderr) are discarded.

    ``after_cell(index, cell, client)``, when given, is called after each cell that ran (the kernel still up).

    Returns
    -------
    Stop or None
        Where and why the run ended early; None when every cell ran.
    """
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(
        nb,
        timeout=cell_timeout,
        allow_errors=True,
        kernel_name="python3",
        record_timing=False,
        store_widget_state=False,
        shutdown_kernel="immediate",
        log=_QUIET_LOG,
    )
    env = {**os.environ, **ONE_THREAD_ENV, **QUIET_KERNEL_ENV}
    with client.setup_kernel(cwd=str(cwd), env=env, stderr=subprocess.DEVNULL):
        for index, cell in enumerate(nb.cells):
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                return Stop(index, f"it ran past the time limit of {cell_timeout} s")
            except DeadKernelError:
                return Stop(index, "the Python kernel died while it ran (out of memory, or the code ended the process)")
            if after_cell is not None:
                after_cell(index, cell, client)
    return None


# Tidying ---------------------------------------------------------------------------------------


def stable_cell_ids(cells: Sequence[dict]) -> list[str]:
    """A cell id for each of ``cells`` that changes only when the cells themselves change.

    A graded or solution cell takes its nbgrader ``grade_id``: unique in a lab, valid as an id, and
    kept when the cell is edited or moved. Every other cell is ``<kind>-<n>``, the n-th (from 1)
    cell of that kind without a grade_id (``markdown-3``, ``code-7``). Neither depends on when the
    notebook ran, on which editor saved it or on the cells' text, so re-running a solution and
    releasing it writes the same ids; inserting a cell renumbers only the later cells of its kind.
    A ``<kind>-<n>`` already taken by a grade_id is skipped.
    """
    grade_ids = [nbgrader_meta(cell).get("grade_id") for cell in cells]
    named = Counter(gid for gid in grade_ids if isinstance(gid, str) and VALID_CELL_ID.match(gid))
    ids: list[str] = []
    ordinal: Counter[str] = Counter()
    for cell, gid in zip(cells, grade_ids, strict=True):
        if gid in named and named[gid] == 1:
            ids.append(gid)
            continue
        kind = cell.get("cell_type", "cell")
        while True:
            ordinal[kind] += 1
            candidate = f"{kind}-{ordinal[kind]}"
            if candidate not in named:
                break
        ids.append(candidate)
    return ids


def tidy_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` that holds what the notebook is, not when or where it ran.

    Drops execution timestamps and editor state from cells (:data:`UI_CELL_METADATA`) and the
    notebook (:data:`UI_NOTEBOOK_METADATA`, ipywidgets' saved state included), drops widget views
    from outputs (keeping their ``text/plain`` fallback), joins consecutive outputs to the same
    stream (as JupyterLab shows them), numbers the executed code cells 1, 2, ...
    in order and gives every cell its :func:`stable_cell_ids` id. nbgrader and ``dcai`` metadata,
    the kernelspec, ``language_info`` and every other output are kept.
    """
    nb = copy.deepcopy(nb)
    nb.nbformat_minor = max(nb.get("nbformat_minor", 0), 5)  # cell ids exist from nbformat 4.5
    for key in UI_NOTEBOOK_METADATA:
        nb.metadata.pop(key, None)
    execution_count = 0
    for cell, cell_id in zip(nb.cells, stable_cell_ids(nb.cells), strict=True):
        cell.id = cell_id
        for key in UI_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            data = output.get("data")
            if data is not None and WIDGET_VIEW_MIME in data:
                del data[WIDGET_VIEW_MIME]
                if not data:
                    continue
            previous = outputs[-1] if outputs else None
            if _same_stream(previous, output):
                # How many chunks the kernel sends depends on timing; the text does not.
                previous.text = "".join(previous.text) + "".join(output.text)
                continue
            outputs.append(output)
        cell.outputs = outputs
        if cell.execution_count is not None:
            execution_count += 1
            cell.execution_count = execution_count
            for output in outputs:
                if output.get("output_type") == "execute_result":
                    output.execution_count = execution_count
    return nb


def _same_stream(first: dict | None, second: dict) -> bool:
    """True when two outputs go to the same stream (stdout or stderr), so that they read as one."""
    return (
        first is not None
        and first.get("output_type") == "stream" == second.get("output_type")
        and first.get("name") == second.get("name")
    )


def untidiness(nb: dict) -> list[str]:
    """What :func:`tidy_notebook` would change in ``nb``, one line per cell ("cell N (label): ...").

    Cells are numbered from 1, as JupyterLab counts them. Empty when ``nb`` is tidy.
    """
    problems = []
    found = sorted(key for key in UI_NOTEBOOK_METADATA if key in nb.get("metadata", {}))
    if found:
        problems.append(f"notebook metadata holds editor or widget state: {', '.join(found)}")
    ids = [cell.get("id") for cell in nb["cells"]]
    duplicated = {cell_id for cell_id, n in Counter(ids).items() if n > 1}
    execution_count = 0
    for number, (cell, stable_id) in enumerate(zip(nb["cells"], stable_cell_ids(nb["cells"]), strict=True), start=1):
        found = []
        keys = sorted(key for key in UI_CELL_METADATA if key in cell.get("metadata", {}))
        if keys:
            found.append(f"execution or editor metadata ({', '.join(keys)})")
        if cell.get("id") in duplicated:
            found.append(f"duplicate id {cell.get('id')!r}")
        elif cell.get("id") != stable_id:
            found.append(f"id {cell.get('id')!r} is not the stable id {stable_id!r}")
        if cell.get("cell_type") == "code":
            outputs = cell.get("outputs", [])
            if any(WIDGET_VIEW_MIME in output.get("data", {}) for output in outputs):
                found.append("widget output")
            if any(_same_stream(a, b) for a, b in itertools.pairwise(outputs)):
                found.append("stream output split in chunks")
            if cell.get("execution_count") is not None:
                execution_count += 1
                if cell["execution_count"] != execution_count:
                    found.append(f"execution count {cell['execution_count']}, not {execution_count}: run out of order")
        if found:
            problems.append(f"cell {number} ({cell_label(cell)}): {'; '.join(found)}")
    return problems
