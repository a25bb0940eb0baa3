"""A throw-away nbgrader course folder: the lab's source and its gradebook (``generate_assignment``).

nbgrader does the work (``generate_assignment`` records the test cells and their checksums in the
gradebook; ``autograde`` restores any edited test cell from there, runs the notebook and scores it).
This module only lays the folder out from the answer key (``solutions/`` or the folder given to ``dcai grade
--solutions``) so that grading never touches it; :mod:`dcai_helpers.grading.grade` does the autograding.
"""

from __future__ import annotations

import logging
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from dcai_helpers.course.config import COURSE_ID, CourseFolder, course_config, speed_up_gradebook
from dcai_helpers.course.notebooks import read_notebook, tidy_notebook
from dcai_helpers.labs import Lab


class Course:
    """An nbgrader course folder under ``root`` for one lab.

    Parameters
    ----------
    lab : Lab
        The lab to grade; its solution notebook (with hidden tests) is the nbgrader source.
    root : path
        An empty or missing folder; the course is laid out inside it.
    gradebook : path, optional
        The gradebook's file; default ``root/gradebook.db``.
    """

    def __init__(
        self,
        lab: Lab,
        root: str | Path,
        *,
        gradebook: str | Path | None = None,
    ) -> None:
        speed_up_gradebook()
        self.lab = lab
        self.root = Path(root).resolve()
        gradebook = Path(gradebook).resolve() if gradebook else CourseFolder(self.root).gradebook
        self.config = course_config(self.root, db_url=f"sqlite:///{gradebook}")
        self.coursedir = CourseDirectory(config=self.config)
        self.api = NbGraderAPI(coursedir=self.coursedir, config=self.config)
        self.api.log.setLevel(logging.ERROR)

    @property
    def db_url(self) -> str:
        """SQLAlchemy URL of the course's gradebook."""
        return self.coursedir.db_url

    def max_score(self) -> float:
        """Points of the lab's autograded cells, as the gradebook records them (after :meth:`setup`)."""
        with Gradebook(self.db_url, course_id=COURSE_ID) as gradebook:
            return float(gradebook.find_notebook(self.lab.solution.stem, self.lab.id).max_score)

    def setup(self) -> Path:
        """Copy the lab's source notebook in, record it in the gradebook and make its release; the release's path.

        The one place a lab goes through nbgrader's ``generate_assignment`` (``dcai release`` uses it too). The
        source is the solution tidied (:func:`~dcai_helpers.course.notebooks.tidy_notebook`): nbgrader keeps cell
        ids and metadata, so the release gets the same ids.

        Raises
        ------
        RuntimeError
            When nbgrader cannot generate the lab, with nbgrader's reason.
        """
        folder = CourseFolder(self.root)
        folder.source(self.lab.id).mkdir(parents=True, exist_ok=True)
        nbformat.write(
            tidy_notebook(read_notebook(self.lab.solution)), folder.source(self.lab.id) / self.lab.solution.name
        )
        result = self.api.generate_assignment(self.lab.id, force=True, create=True)
        if not result["success"]:
            reason = result.get("error") or result.get("log") or "no reason given"
            raise RuntimeError(f"lab '{self.lab.id}': nbgrader could not generate the release:\n{reason}")
        return folder.release(self.lab.id) / self.lab.solution.name
