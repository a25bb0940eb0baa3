"""The one place that builds nbgrader's configuration, for release, check, grade and feedback.

Every nbgrader run of ``dcai`` happens in a throw-away course folder; :func:`course_config` lays
that folder's settings out the same way each time, and :func:`speed_up_gradebook` makes nbgrader's
gradebook independent of ``PATH`` (so ``.venv/bin/dcai`` works without an activated venv).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import nbgrader.api
from traitlets.config import Config

#: nbgrader's course id for every course folder dcai makes.
COURSE_ID = "dcai"
#: nbgrader's own way to read the schema version (the ``alembic`` command), before speed_up_gradebook replaces it.
_ask_alembic = nbgrader.api.get_alembic_version


class CourseFolder:
    """Where an nbgrader course folder keeps each thing: one owner of the layout of ``dcai grade --out``, of a
    worker's scratch course and of the throw-away courses of ``dcai release``.

    ``root/source/<lab>/``, ``root/release/<lab>/``, ``root/submitted/<student>/<lab>/`` are nbgrader's;
    ``root/autograded/<nbgrader id>/<lab>/<lab>.ipynb`` (the instructor's, hidden tests included),
    ``root/feedback/<student>/<lab>/<lab>.html`` (the student's) and ``root/logs/<nbgrader id>.log`` are what a
    grading run keeps per student, beside ``root/grades.csv`` and ``root/gradebook.db``.
    """

    #: The folders that hold one entry per student (what ``dcai merge`` copies across shards).
    STUDENT_FOLDERS = ("feedback", "autograded", "logs")

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook}"

    @property
    def grades_csv(self) -> Path:
        return self.root / "grades.csv"

    def source(self, lab_id: str) -> Path:
        return self.root / "source" / lab_id

    def release(self, lab_id: str) -> Path:
        return self.root / "release" / lab_id

    def submitted(self, student: str, lab_id: str) -> Path:
        return self.root / "submitted" / student / lab_id

    def autograded(self, student: str, lab_id: str = "") -> Path:
        return self.root / "autograded" / student / lab_id if lab_id else self.root / "autograded" / student

    def feedback(self, student: str, lab_id: str) -> Path:
        return self.root / "feedback" / student / lab_id

    def log(self, student: str) -> Path:
        return self.root / "logs" / f"{student}.log"

    @property
    def nbgrader_config(self) -> Path:
        return self.root / "nbgrader_config.py"

    @property
    def nbgrader_grades_csv(self) -> Path:
        """Where plain ``nbgrader export`` writes in this folder (never over dcai's ``grades.csv``)."""
        return self.root / "nbgrader-grades.csv"


def course_config(root: str | Path, *, db_url: str | None = None) -> Config:
    """nbgrader's configuration for a course folder at ``root``.

    Parameters
    ----------
    root : path
        The course folder (``source/``, ``release/``, ``submitted/``, ``autograded/``, ``feedback/``).
    db_url : str, optional
        SQLAlchemy URL of the gradebook; default ``sqlite:///<root>/gradebook.db``.
    """
    root = Path(root)
    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.course_id = COURSE_ID
    # Only the notebook of a lab is handled; nothing else in a source folder is copied.
    config.CourseDirectory.include = ["*.ipynb"]
    config.CourseDirectory.db_url = db_url or CourseFolder(root).db_url
    config.Exchange.assignment_dir = str(root)
    # No exchange is used; pointing it inside the course stops nbgrader warning about /usr/local/share.
    config.Exchange.root = str(root / "exchange")
    return config


def speed_up_gradebook(known_version: str | None = None) -> str:
    """Make nbgrader's ``Gradebook`` fast and independent of ``PATH``; return the schema version.

    Every ``Gradebook(...)`` runs the ``alembic`` command to read the schema version (a second or
    more each, and a dozen per autograde), and fails when the virtual environment's ``bin`` is not on
    ``PATH``. The version cannot change while we run, so we read it once, in this process, from nbgrader's
    migration scripts with alembic's own API (what ``alembic heads`` prints, without starting a Python
    for it), or take ``known_version`` (what a parent process already read) without reading at all.
    """
    if known_version is not None:
        nbgrader.api.get_alembic_version = functools.cache(lambda: known_version)
    elif not isinstance(nbgrader.api.get_alembic_version, functools._lru_cache_wrapper):
        nbgrader.api.get_alembic_version = functools.cache(_alembic_head)
    return nbgrader.api.get_alembic_version()


def _alembic_head() -> str:
    """The head revision of nbgrader's gradebook schema, as ``alembic heads`` gives it (nbgrader's own way)."""
    try:
        from alembic.config import Config as AlembicConfig
        from alembic.script import ScriptDirectory
        from nbgrader.dbutil import _temp_alembic_ini

        with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as alembic_ini:
            heads = ScriptDirectory.from_config(AlembicConfig(alembic_ini)).get_heads()
        if len(heads) == 1:
            return heads[0]
    except Exception:  # noqa: BLE001 (alembic's API moved: ask the command, as nbgrader does)
        pass
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    return _ask_alembic()
