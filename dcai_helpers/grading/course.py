"""A throw-away nbgrader course folder: the lab's source, its gradebook, and submissions to autograde.

nbgrader does the work (``generate_assignment`` records the test cells and their checksums in the
gradebook; ``autograde`` restores any edited test cell from there, runs the notebook and scores it).
This module only lays the folder out from ``solutions/`` so that grading never touches the repository.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from dcai_helpers.grading.config import course_config, speed_up_gradebook
from dcai_helpers.labs import Lab

#: Seconds one cell may run during autograding before nbgrader interrupts it.
DEFAULT_CELL_TIMEOUT = 300


@dataclass
class CellScore:
    """The score of one autograded test cell."""

    grade_id: str
    score: float
    max_score: float


@dataclass
class NotebookScore:
    """The autograded result of one submission."""

    student_id: str
    score: float
    max_score: float
    cells: list[CellScore] = field(default_factory=list)

    def cell(self, grade_id: str) -> CellScore:
        """The score of the test cell ``grade_id``."""
        for cell in self.cells:
            if cell.grade_id == grade_id:
                return cell
        raise KeyError(f"no test cell '{grade_id}' in the graded notebook of {self.student_id}")


class Course:
    """An nbgrader course folder under ``root`` for one lab.

    Parameters
    ----------
    lab : Lab
        The lab to grade; its solution notebook (with hidden tests) is the nbgrader source.
    root : path
        An empty or missing folder; the course is laid out inside it.
    cell_timeout : int
        Seconds one cell may run before nbgrader interrupts it.
    gradebook : path, optional
        The gradebook's file; default ``root/gradebook.db``.
    """

    def __init__(
        self,
        lab: Lab,
        root: str | Path,
        *,
        cell_timeout: int = DEFAULT_CELL_TIMEOUT,
        gradebook: str | Path | None = None,
    ) -> None:
        speed_up_gradebook()
        self.lab = lab
        self.root = Path(root).resolve()
        gradebook = Path(gradebook).resolve() if gradebook else self.root / "gradebook.db"
        self.config = course_config(self.root, db_url=f"sqlite:///{gradebook}")
        self.config.Execute.timeout = cell_timeout
        self.coursedir = CourseDirectory(config=self.config)
        self.api = NbGraderAPI(coursedir=self.coursedir, config=self.config)
        self.api.log.setLevel(logging.ERROR)

    @property
    def db_url(self) -> str:
        """SQLAlchemy URL of the course's gradebook."""
        return self.coursedir.db_url

    def max_score(self) -> float:
        """Points of the lab's autograded cells, as the gradebook records them (after :meth:`setup`)."""
        with Gradebook(self.db_url, course_id="dcai") as gradebook:
            return float(gradebook.find_notebook(self.lab.solution.stem, self.lab.id).max_score)

    def submission_path(self, student_id: str) -> Path:
        """Where nbgrader expects the submitted notebook of ``student_id``."""
        return self.root / "submitted" / student_id / self.lab.id / self.lab.solution.name

    def setup(self) -> None:
        """Copy the lab's source notebook in and record it in the gradebook (``generate_assignment``)."""
        source = self.root / "source" / self.lab.id
        source.mkdir(parents=True, exist_ok=True)
        shutil.copy2(self.lab.solution, source / self.lab.solution.name)
        result = self.api.generate_assignment(self.lab.id, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader generate_assignment failed for lab '{self.lab.id}':\n{result.get('error')}")

    def submit(self, student_id: str, notebook: str | Path) -> Path:
        """Place a copy of ``notebook`` as the submission of ``student_id``."""
        target = self.submission_path(student_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
        return target

    def autograde(self, student_id: str) -> NotebookScore:
        """Autograde the submission of ``student_id`` with nbgrader and return its scores.

        Raises
        ------
        RuntimeError
            When nbgrader could not grade the submission, with nbgrader's reason.
        """
        result = self.api.autograde(self.lab.id, student_id, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(
                f"nbgrader autograde failed for '{student_id}':\n{result.get('error') or result.get('log')}"
            )
        return self.scores(student_id)

    def scores(self, student_id: str) -> NotebookScore:
        """Read the gradebook's scores of the autograded submission of ``student_id``."""
        notebook_id = self.lab.solution.stem
        with Gradebook(self.db_url, course_id="dcai") as gradebook:
            try:
                submission = gradebook.find_submission_notebook(notebook_id, self.lab.id, student_id)
            except MissingEntry:
                raise RuntimeError(f"no autograded submission of '{student_id}' in the gradebook") from None
            cells = [
                CellScore(grade.name, float(grade.score), float(grade.max_score))
                for grade in submission.grades
                if grade.cell.__class__.__name__ == "GradeCell" and grade.auto_score is not None
            ]
            return NotebookScore(student_id, float(submission.score), float(submission.max_score), cells)
