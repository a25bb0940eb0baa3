"""Collect the submissions of one lab from nbgrader's submitted layout or from an LMS download zip.

A folder is read the way nbgrader lays it out: ``SUBMISSIONS/<student_id>/<lab>/<lab>.ipynb``.
A zip follows nbgrader's ``zip_collect`` conventions: every file's base name is matched with a named
regular expression (nbgrader's ``FileNameCollectorPlugin``) that yields ``student_id`` and ``file_id``;
``file_id`` must be the lab id. The default, :data:`ZIP_NAME_REGEXP`, reads names such as
``alice_label_errors.ipynb`` or Canvas's ``smithjane_12345_67890_label_errors.ipynb`` (numeric
fields after the student id are skipped).
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from nbgrader.plugins.zipcollect import FileNameCollectorPlugin

from dcai_helpers.grading.notebooks import NotebookError, first_line, nbgrader_meta, read_notebook
from dcai_helpers.grading.status import Status
from dcai_helpers.labs import Lab

#: How an LMS zip names a file: ``<student_id>_[<digits>_...]<file_id>.<ext>``.
ZIP_NAME_REGEXP = r"^(?P<student_id>[^_/\\]+)_(?:\d+_)*(?P<file_id>[^/\\]+?)(?P<ext>\.[A-Za-z0-9]+)?$"
#: Student ids become folder names; anything else is refused.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")


@dataclass
class Submission:
    """One student's entry: a notebook to grade, or the reason there is none.

    Attributes
    ----------
    student_id : str
        The student's name as the folder or zip gives it (``grades.csv`` and the feedback path keep it).
    notebook : Path or None
        The notebook to grade; ``None`` when ``status`` already says why it cannot be graded.
    status : Status or None
        ``None`` (to be graded), ``Status.INVALID`` or ``Status.MISSING``.
    detail : str
        One sentence for ``grades.csv`` when ``status`` is set.
    nbgrader_id : str
        A safe id for nbgrader's folders and gradebook (default: ``student_id``).
    source : str
        Which file was graded: its path in the folder or its name in the zip.
    """

    student_id: str
    notebook: Path | None
    status: Status | None = None
    detail: str = ""
    nbgrader_id: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        self.nbgrader_id = self.nbgrader_id or self.student_id


def collect(
    lab: Lab, submissions: str | Path, *, scratch: Path, name_regexp: str = ZIP_NAME_REGEXP
) -> list[Submission]:
    """The submissions of ``lab`` in a folder or zip, sorted by student id.

    Parameters
    ----------
    lab : Lab
        The lab being graded.
    submissions : path
        A folder ``<student_id>/<lab>/<lab>.ipynb`` or an LMS zip.
    scratch : Path
        Where a zip is extracted.
    name_regexp : str
        The zip's file-name regexp with the named groups ``student_id`` and ``file_id``.

    Raises
    ------
    FileNotFoundError
        When ``submissions`` does not exist.
    ValueError
        When it is neither a folder nor a zip.
    """
    path = Path(submissions)
    if not path.exists():
        raise FileNotFoundError(f"no submissions at {path}; give a folder <student>/{lab.id}/{lab.id}.ipynb or a zip")
    if path.is_dir():
        found = from_folder(lab, path)
    elif zipfile.is_zipfile(path):
        found = from_zip(lab, path, scratch=scratch, name_regexp=name_regexp)
    else:
        raise ValueError(f"{path} is neither a folder of submissions nor a zip file")
    return [validate(lab, submission) for submission in sorted(found, key=lambda s: s.student_id)]


def from_folder(lab: Lab, root: Path) -> list[Submission]:
    """One entry per student folder of nbgrader's submitted layout."""
    found = []
    for student in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not STUDENT_ID.match(student.name):
            continue
        expected = student / lab.id / f"{lab.id}.ipynb"
        others = sorted(p.name for p in (student / lab.id).glob("*.ipynb")) if (student / lab.id).is_dir() else []
        if expected.is_file():
            found.append(Submission(student.name, expected))
        elif others:
            detail = f"wrong file name: found {', '.join(others)} in {lab.id}/, expected {lab.id}.ipynb."
            found.append(Submission(student.name, None, Status.INVALID, detail))
        else:
            found.append(
                Submission(student.name, None, Status.MISSING, f"no {lab.id}/{lab.id}.ipynb in the student's folder.")
            )
    return found


def from_zip(lab: Lab, archive: Path, *, scratch: Path, name_regexp: str = ZIP_NAME_REGEXP) -> list[Submission]:
    """One entry per student named in an LMS zip (their last file for the lab when there are several)."""
    collector = FileNameCollectorPlugin(named_regexp=name_regexp, valid_ext=[".ipynb"])
    target = Path(tempfile.mkdtemp(prefix="zip-", dir=scratch))
    by_student: dict[str, Submission] = {}
    with zipfile.ZipFile(archive) as zf:
        for index, info in enumerate(sorted(zf.infolist(), key=lambda i: i.filename)):
            name = Path(info.filename).name
            if info.is_dir() or not name or name.startswith("."):
                continue
            match = re.match(name_regexp, name)
            student_id = match.group("student_id") if match else None
            if student_id is None or not STUDENT_ID.match(student_id):
                by_student.setdefault(
                    name, Submission(name, None, Status.INVALID, f"zip entry {name!r} names no student.")
                )
                continue
            groups = collector.collect(name)  # nbgrader's own collector: None for a non-notebook
            if groups is None:
                detail = f"{name!r} is not a notebook (.ipynb)."
                by_student.setdefault(student_id, Submission(student_id, None, Status.INVALID, detail))
                continue
            file_id = Path(groups["file_id"]).stem
            if file_id != lab.id:
                if by_student.get(student_id, Submission("", None)).notebook is None:
                    detail = f"wrong file name: {name!r} is not {lab.id}.ipynb."
                    by_student[student_id] = Submission(student_id, None, Status.INVALID, detail)
                continue
            extracted = target / f"{index}.ipynb"
            extracted.write_bytes(zf.read(info))
            by_student[student_id] = Submission(student_id, extracted)
    return list(by_student.values())


def validate(lab: Lab, submission: Submission) -> Submission:
    """Mark a submission ``invalid`` when its file is not a notebook of ``lab``."""
    if submission.notebook is None:
        return submission
    try:
        nb = read_notebook(submission.notebook)
    except NotebookError as err:
        reason = str(err).split(": ", 1)[-1].split(";")[0]
        return Submission(submission.student_id, None, Status.INVALID, f"{first_line(reason)}.")
    meta_lab = nb.get("metadata", {}).get("dcai", {}).get("lab") if isinstance(nb.get("metadata"), dict) else None
    if meta_lab and meta_lab != lab.id:
        return Submission(
            submission.student_id, None, Status.INVALID, f"a notebook of lab '{meta_lab}', not '{lab.id}'."
        )
    ours = {nbgrader_meta(c).get("grade_id") for c in read_notebook(lab.solution).cells} - {None}
    theirs = {nbgrader_meta(c).get("grade_id") for c in nb.cells if isinstance(c, dict)} - {None}
    if not ours & theirs:
        return Submission(
            submission.student_id, None, Status.INVALID, f"not a notebook of lab '{lab.id}' (none of its cells)."
        )
    return submission
