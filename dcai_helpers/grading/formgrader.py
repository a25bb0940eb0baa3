"""nbgrader's formgrader on a graded class: ``dcai formgrader OUT`` (the ``--out`` folder of ``dcai grade``).

A graded folder is an nbgrader course of its own: ``gradebook.db`` holds every student's points,
``autograded/`` their graded notebooks (hidden tests and the grader's verdicts included), ``source/`` the
answer key that graded them and ``nbgrader_config.py`` the settings (all written by ``dcai grade``). Started
there, formgrader lists each submission under Manual Grading, where an instructor reads it, adds points or
comments, and ``nbgrader generate_feedback`` / ``export`` work as nbgrader documents. Nothing is written to
the repository: JupyterLab's root is the graded folder.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from dcai_helpers.course.config import COURSE_ID, CourseFolder, speed_up_gradebook
from dcai_helpers.course.notebooks import read_notebook, tidy_notebook
from dcai_helpers.labs import answer_key, get_lab

#: Formgrader's own page, where JupyterLab opens.
FORMGRADER_URL = "/formgrader"

#: The ``nbgrader_config.py`` of a graded folder; its paths are the file's own folder, so the folder may move.
NBGRADER_CONFIG = '''"""nbgrader's view of this graded folder, written by `dcai grade` (which rewrites it on each run).

source/ holds the answer key that graded the class; autograded/, feedback/ and gradebook.db are the results.
`dcai formgrader` opens formgrader here. Generate feedback makes dcai's student-safe pages (no hidden tests);
`nbgrader export` writes {to}, never over dcai's grades.csv.
"""

import os

from dcai_helpers.grading.feedback import configure

c = get_config()  # noqa: F821  (injected by traitlets)
here = os.path.dirname(os.path.abspath(__file__))
# Nothing about the exchange or which files a step copies: `nbgrader release_feedback` run on this folder
# (examples/jupyterhub/release-feedback.sh) must use the course's exchange and keep the submissions' secrets.
c.CourseDirectory.root = here
c.CourseDirectory.course_id = "{course_id}"
c.CsvExportPlugin.to = os.path.join(here, "{to}")
configure(c)
'''


def write_course_config(out: str | Path) -> Path:
    """Write the graded folder's ``nbgrader_config.py`` (see :data:`NBGRADER_CONFIG`); its path."""
    folder = CourseFolder(out)
    folder.root.mkdir(parents=True, exist_ok=True)
    folder.nbgrader_config.write_text(NBGRADER_CONFIG.format(course_id=COURSE_ID, to=folder.nbgrader_grades_csv.name))
    return folder.nbgrader_config


def graded_labs(out: str | Path) -> list[str]:
    """The labs (nbgrader assignments) graded into ``out``'s gradebook.

    Raises
    ------
    FileNotFoundError
        When ``out`` holds no gradebook: it is not a folder ``dcai grade --out`` (or ``dcai merge``) wrote.
    """
    folder = CourseFolder(out)
    if not folder.gradebook.is_file():
        raise FileNotFoundError(
            f"{folder.gradebook} does not exist: give the --out folder of `dcai grade` (or the --into of `dcai merge`)"
        )
    speed_up_gradebook()
    with Gradebook(folder.db_url, course_id=COURSE_ID) as gradebook:
        return sorted(assignment.name for assignment in gradebook.assignments)


def prepare(out: str | Path, *, solutions_dir: str | Path | None = None) -> list[str]:
    """Make ``out`` a course formgrader can open; return what was added, one line each.

    A folder graded by an older ``dcai grade`` has no ``source/``: the answer key (``solutions_dir``, else the
    repository's ``solutions/``) is copied in for each graded lab, as ``dcai grade`` would have.
    """
    folder, added = CourseFolder(out), []
    for lab_id in graded_labs(out):
        source = folder.source(lab_id)
        if source.is_dir() and any(source.glob("*.ipynb")):
            continue
        lab = answer_key(get_lab(lab_id), solutions_dir)
        source.mkdir(parents=True, exist_ok=True)
        nbformat.write(tidy_notebook(read_notebook(lab.solution)), source / lab.solution.name)
        added.append(f"{source / lab.solution.name} (from {lab.solution})")
    if not folder.nbgrader_config.is_file():
        added.append(str(write_course_config(out)))
    return added


def command(out: str | Path, jupyter_args: Sequence[str] = ()) -> list[str]:
    """The JupyterLab command that serves formgrader on ``out`` (run it with ``out`` as the working folder).

    ``jupyter_args`` go to JupyterLab as given (``--port 8899``, ``--no-browser``, ``--ServerApp.ip=...``).
    """
    root = Path(out).resolve()
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    return [
        jupyter,
        "lab",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.default_url={FORMGRADER_URL}",
        *jupyter_args,
    ]
