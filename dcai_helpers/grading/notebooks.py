"""Reading notebooks and their nbgrader cell metadata, shared by release, check and grade."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import nbformat

from dcai_helpers.labs import LABS, Lab

#: Markers nbgrader uses to delimit solution code and hidden tests.
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_TEST_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


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


def _lines_by_marker(source: str, markers: tuple[str, str]) -> list[tuple[str, bool]]:
    """Each stripped, non-empty, non-marker line of ``source`` with whether it lies between ``markers``."""
    begin, end = markers
    lines, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith(begin):
            inside = True
        elif stripped.startswith(end):
            inside = False
        elif stripped:
            lines.append((stripped, inside))
    return lines
