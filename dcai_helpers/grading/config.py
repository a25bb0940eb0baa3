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
    config.CourseDirectory.db_url = db_url or f"sqlite:///{root / 'gradebook.db'}"
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
