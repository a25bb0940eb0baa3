"""Grading a class on several machines: ``--shard K/N`` picks a machine's students, ``dcai merge`` joins them.

A student belongs to shard ``sha256(student_id) mod N``: the hash of their own name, not their place
in a sorted list, so every machine splits a class the same way whatever its locale, and a late
submission does not move anyone else to another shard. Each shard is graded into its own folder;
:func:`merge` combines the folders' ``grades.csv``, gradebooks and ``feedback/``, ``autograded/`` and
``logs/`` into one course folder, and refuses shards that overlap or were graded against different
answer keys. The shards themselves run on an existing engine (a Slurm job array, a Kubernetes
indexed Job, a GitHub Actions matrix), which hands each its index in an environment variable.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from dcai_helpers.course.config import COURSE_ID, CourseFolder, speed_up_gradebook
from dcai_helpers.grading.formgrader import write_course_config
from dcai_helpers.grading.records import GradeRow, RecordsError, read_rows, write_csv

#: What a shard folder holds, per student, that :func:`merge` copies across.
STUDENT_FOLDERS = CourseFolder.STUDENT_FOLDERS

Entry = TypeVar("Entry")


class MergeError(ValueError):
    """Shards that cannot be merged (they overlap, or were graded differently); the message says which."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (``index`` counts from 0)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, student_id: str) -> bool:
        """Whether ``student_id`` is graded in this shard."""
        return shard_of(student_id, self.count) == self.index


def parse_shard(text: str) -> Shard:
    """The shard that ``K/N`` names (``0 <= K < N``), as ``--shard`` takes it.

    Raises
    ------
    ValueError
        When ``text`` is not of that form.
    """
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text))
    if not match or int(match.group(2)) < 1 or int(match.group(1)) >= int(match.group(2)):
        raise ValueError(
            f"`--shard` must be K/N with N >= 1 and 0 <= K < N (K counts from 0, as SLURM_ARRAY_TASK_ID and "
            f"JOB_COMPLETION_INDEX do); got {text!r}"
        )
    return Shard(int(match.group(1)), int(match.group(2)))


def shard_of(student_id: str, count: int) -> int:
    """The shard of ``student_id`` among ``count``: sha256 of its UTF-8 bytes, modulo ``count``.

    Python's ``hash`` is salted per process, so it would split a class differently on every machine.
    """
    if count < 1:
        raise ValueError(f"`count` must be a positive integer; got {count}")
    digest = hashlib.sha256(student_id.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count


def select_shard(entries: Iterable[Entry], shard: Shard | str | None) -> list[Entry]:
    """The entries (anything with a ``student_id``) of ``shard``; all of them when ``shard`` is ``None``."""
    if shard is None:
        return list(entries)
    shard = parse_shard(shard) if isinstance(shard, str) else shard
    return [entry for entry in entries if shard.holds(entry.student_id)]


# --- merging -------------------------------------------------------------------------------------


@dataclass
class MergeReport:
    """What :func:`merge` did."""

    into: Path
    shards: int
    rows: int
    students_in_gradebook: int


def merge(shards: Sequence[str | Path], *, into: str | Path) -> MergeReport:
    """Combine the graded folders ``shards`` into the new course folder ``into``.

    Parameters
    ----------
    shards : sequence of path
        Folders that ``dcai grade --shard K/N --out`` wrote, one per shard (at least one).
    into : path
        A folder that does not exist yet, or is empty.

    Returns
    -------
    MergeReport
        How many rows and gradebook students the merged folder holds.

    Raises
    ------
    FileNotFoundError
        When a shard folder, its ``grades.csv`` or its gradebook is missing.
    ValueError
        When ``into`` is not empty, or is one of the shards.
    MergeError
        When two shards hold the same student (or the same file), or their gradebooks were set up from
        different labs or answer keys. Nothing is written then.
    """
    folders = [Path(shard) for shard in shards]
    into = Path(into)
    if not folders:
        raise ValueError("give at least one shard folder to merge")
    if len({f.resolve() for f in folders}) != len(folders):
        raise ValueError("a shard folder is given twice; give each once")
    for folder in folders:
        for needed in (CourseFolder(folder).grades_csv, CourseFolder(folder).gradebook):
            if not needed.is_file():
                raise FileNotFoundError(f"{needed} does not exist; give folders that `dcai grade --out` wrote")
    if into.exists() and (not into.is_dir() or any(into.iterdir())):
        raise ValueError(f"{into} is not an empty folder; merge into a new folder")
    if into.resolve() in {f.resolve() for f in folders}:
        raise ValueError(f"{into} is one of the shards; merge into a new folder")

    rows = _merged_rows(folders)
    copies = _student_files(folders)
    gradebook_students = _inspect_gradebooks(folders)

    into.mkdir(parents=True, exist_ok=True)
    write_csv(CourseFolder(into).grades_csv, rows)
    for source, relative in copies:
        target = into / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy2(source, target, follow_symlinks=False)
    _merge_gradebooks(folders, CourseFolder(into).gradebook)
    # The shards were graded against one answer key (checked above): the first shard's copy of it is kept.
    for folder in folders:
        for source in _sources(folder):
            if not (into / "source" / source.name).exists():
                shutil.copytree(source, into / "source" / source.name)
    write_course_config(into)
    return MergeReport(into, len(folders), len(rows), gradebook_students)


def _sources(folder: Path) -> list[Path]:
    """The answer key's lab folders a graded folder keeps under ``source/`` (none for an older folder)."""
    return sorted(child for child in (folder / "source").glob("*") if child.is_dir())


def _merged_rows(folders: Sequence[Path]) -> list[GradeRow]:
    """Every shard's rows; a student and lab in two shards is an overlap."""
    owner: dict[tuple[str, str], Path] = {}
    rows = []
    overlaps = []
    for folder in folders:
        try:
            shard_rows = read_rows(CourseFolder(folder).grades_csv)
        except RecordsError as err:
            raise MergeError(str(err)) from None
        for row in shard_rows:
            if row.key in owner:
                overlaps.append(f"{row.student_id!r} (lab {row.lab}) in {owner[row.key]} and {folder}")
            owner.setdefault(row.key, folder)
            rows.append(row)
    if overlaps:
        raise MergeError(_overlap_message(overlaps, "grades.csv"))
    return rows


def _student_files(folders: Sequence[Path]) -> list[tuple[Path, Path]]:
    """(source, path under the merged folder) of every per-student folder and log; a name in two shards overlaps."""
    pairs, owner, overlaps = [], {}, []
    for folder in folders:
        for kind in STUDENT_FOLDERS:
            if not (folder / kind).is_dir():
                continue
            for child in sorted((folder / kind).iterdir()):
                name = f"{kind}/{child.name}"
                if name in owner:
                    overlaps.append(f"{name} in {owner[name]} and {folder}")
                    continue
                owner[name] = folder
                pairs.append((child, Path(kind) / child.name))
    if overlaps:
        raise MergeError(_overlap_message(overlaps, "their folders"))
    return pairs


def _overlap_message(overlaps: list[str], where: str) -> str:
    shown = "; ".join(overlaps[:5]) + (f"; and {len(overlaps) - 5} more" if len(overlaps) > 5 else "")
    return (
        f"the shards overlap in {where}: {shown}. Each student must be graded in one shard only: grade with "
        "--shard K/N, the same N everywhere and a different K per machine, each into its own --out"
    )


def _check_gradebook(db: Path) -> None:
    """Refuse a file that is not an nbgrader gradebook, read-only (opening it with nbgrader would create one)."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as err:
        tables = set()
        reason = str(err)
    else:
        reason = "it has no nbgrader tables"
    finally:
        connection.close()
    if not {"assignment", "student", "submitted_assignment"} <= tables:
        raise MergeError(f"{db} is not an nbgrader gradebook ({reason}); give folders that `dcai grade` wrote")


def _answer_key(gb: Gradebook) -> dict[str, list]:
    """What a gradebook was set up from: its labs, notebooks, graded cells with points, and cell checksums."""
    labs, graded, checksums = [], [], []
    for assignment in gb.assignments:
        labs.append(assignment.name)
        for notebook in assignment.notebooks:
            graded += [(assignment.name, notebook.name, c.name, c.max_score) for c in notebook.grade_cells]
            graded += [(assignment.name, notebook.name, c.name, c.max_score) for c in notebook.task_cells]
            checksums += [(assignment.name, notebook.name, c.name, c.checksum) for c in notebook.source_cells]
    return {"labs": sorted(labs), "graded cells": sorted(graded), "cell checksums": sorted(checksums)}


def _first_difference(first: dict[str, list], other: dict[str, list]) -> str:
    """The first part in which two answer keys differ, with an example from each side."""
    for part in first:
        if first[part] != other[part]:
            only_first = sorted(set(first[part]) - set(other[part]))[:2]
            only_other = sorted(set(other[part]) - set(first[part]))[:2]
            return f"{part} differ: {only_first} against {only_other}"
    return "no difference found"


def _inspect_gradebooks(folders: Sequence[Path]) -> int:
    """Check that the shards' gradebooks share one answer key and no student; return how many students they hold."""
    speed_up_gradebook()
    keys, owner, overlaps = [], {}, []
    for folder in folders:
        _check_gradebook(CourseFolder(folder).gradebook)
        with Gradebook(f"sqlite:///{CourseFolder(folder).gradebook}", course_id=COURSE_ID) as gb:
            keys.append(_answer_key(gb))
            for student in gb.students:
                if student.id in owner:
                    overlaps.append(f"{student.id!r} in {owner[student.id]} and {folder}")
                owner.setdefault(student.id, folder)
    for folder, key in zip(folders[1:], keys[1:], strict=True):
        if key != keys[0]:
            raise MergeError(
                f"{folder} was graded against another lab or answer key than {folders[0]} "
                f"({_first_difference(keys[0], key)}); grade every shard with the same solutions"
            )
    if overlaps:
        raise MergeError(_overlap_message(overlaps, "their gradebooks"))
    return len(owner)


def _merge_gradebooks(folders: Sequence[Path], target: Path) -> None:
    """The first shard's gradebook, with every other shard's students, submissions, grades and comments added.

    nbgrader's ``Gradebook`` API does the writing, so the result is a gradebook formgrader and
    ``nbgrader export`` read as their own.
    """
    speed_up_gradebook()
    shutil.copyfile(CourseFolder(folders[0]).gradebook, target)
    with Gradebook(f"sqlite:///{target}", course_id=COURSE_ID) as merged, warnings.catch_warnings():
        # nbgrader's update_or_create_submission trips SQLAlchemy's autoflush warnings; they are harmless.
        warnings.simplefilter("ignore", SAWarning)
        for folder in folders[1:]:
            with Gradebook(f"sqlite:///{CourseFolder(folder).gradebook}", course_id=COURSE_ID) as shard:
                _copy_gradebook(shard, merged)


def _copy_gradebook(source: Gradebook, target: Gradebook) -> None:
    """Add ``source``'s students and their submissions to ``target`` (which has the same labs)."""
    for student in source.students:
        target.update_or_create_student(
            student.id,
            first_name=student.first_name,
            last_name=student.last_name,
            email=student.email,
            lms_user_id=student.lms_user_id,
        )
        for submitted in student.submissions:
            copy = target.update_or_create_submission(submitted.assignment.name, student.id)
            copy.timestamp = submitted.timestamp
            copy.extension = submitted.extension
            notebooks = {nb.name: nb for nb in copy.notebooks}
            for notebook in submitted.notebooks:
                into = notebooks[notebook.name]
                into.flagged = notebook.flagged
                into.late_submission_penalty = notebook.late_submission_penalty
                grades = {g.name: g for g in into.grades}
                for grade in notebook.grades:
                    mine = grades[grade.name]
                    mine.auto_score = grade.auto_score
                    mine.manual_score = grade.manual_score
                    mine.extra_credit = grade.extra_credit
                    mine.needs_manual_grade = grade.needs_manual_grade
                comments = {c.name: c for c in into.comments}
                for comment in notebook.comments:
                    comments[comment.name].auto_comment = comment.auto_comment
                    comments[comment.name].manual_comment = comment.manual_comment
    target.db.commit()
