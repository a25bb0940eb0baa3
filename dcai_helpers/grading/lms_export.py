"""Grades back into the LMS: Canvas's gradebook import CSV and Moodle's grade import CSV.

Two nbgrader export plugins (:class:`CanvasExport`, :class:`MoodleExport`), so that, in a course
folder that ``dcai grade`` wrote::

    nbgrader export --exporter dcai_helpers.grading.lms_export.CanvasExport \\
        --CanvasExport.roster=canvas-gradebook.csv --CanvasExport.columns active_learning=501 --to canvas-import.csv

works, as does ``dcai export canvas DIR --roster canvas-gradebook.csv --column active_learning=501 --out
canvas-import.csv`` (:func:`export`). Students are matched with a roster, the LMS's own export:

- Canvas: the gradebook export (Grades > Export), columns ``Student, ID, SIS User ID, SIS Login ID,
  Section``, then one per assignment named ``<name> (<assignment id>)``, a "Points Possible" row, and
  last the course's test student (Student View). A student is matched by the Canvas user id of the
  zip's file names (the ``ID`` column). Each lab's grades go to one column: the one ``columns`` names
  (its header, its assignment id, or a pattern such as ``Lab 8*``), else the roster's column named after
  the lab's id or title, else a new column that Canvas offers to create as an assignment. UTF-8 with a
  byte-order mark, as Canvas exports it (Excel then shows accents right; Canvas reads either).
- Moodle: the assignment's grading worksheet (View all submissions > Download grading worksheet, whose
  ``Identifier`` column holds the participant id of the zip's file names), or the participants or
  grades export, which have no participant id: a student is then matched by full name. The file
  written has an identifier column (``Email address``, else ``ID number``, else ``Username``: map it
  to the same field under "Identify user by" in Grades > Import > CSV file), ``Full name`` and one
  column per lab (Moodle maps a column named ``<grade item> (Real)`` to that item by itself). UTF-8
  without a byte-order mark.

Both LMSs read a blank cell as "no grade" and apply it: Canvas removes a grade it has (the import's
review page shows it struck out), Moodle sets the grade to nothing. So a roster entry without a
submission is left out of the file by default (``missing="omit"``): neither LMS changes a student it is
not given. ``missing="zero"`` writes 0 and ``missing="blank"`` a blank cell, for whoever wants those.
A row that would mix grades with blanks (a submission of one lab, none of another) is left out under
``omit`` and reported.

Nothing is dropped silently: a graded student missing from the roster, a roster entry with no
submission, a duplicate (two submissions for one roster entry, two roster rows with one id), a row left
out, and a column to check (a new column where the roster has a likely one, points that differ from
the LMS's) are each listed on stderr and in a report file beside the CSV, ``<FILE>.report.txt``.
"""

from __future__ import annotations

import csv
import difflib
import fnmatch
import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins.export import ExportPlugin
from traitlets import Dict, Enum, Unicode

from dcai_helpers.course.config import COURSE_ID, CourseFolder, speed_up_gradebook
from dcai_helpers.grading.records import neutralised
from dcai_helpers.labs import LABS

#: The LMSs an export is written for.
LMS_NAMES = ("canvas", "moodle")
#: What to write for a roster entry without a submission: nothing (the row is left out, so the LMS keeps
#: what it has), 0, or a blank cell (which both LMSs apply as "no grade", removing a grade they have).
MISSING_CHOICES = ("omit", "zero", "blank")
#: Canvas's gradebook export starts with these columns; its import reads them to find the student.
CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: What Canvas writes in the ``Student`` column of the row that gives each assignment's points.
CANVAS_POINTS_ROW = "Points Possible"
#: An assignment column of Canvas's gradebook export: ``<name> (<assignment id>)`` (Canvas's own
#: ``Assignment.title_and_id`` reads it with the same expression).
CANVAS_ASSIGNMENT = re.compile(r"^(?P<name>.*)\s\((?P<id>\d+)\)$")
#: Canvas's test student (Student View): named "Test Student" (in the course's language), no SIS user id,
#: and a login that is the 40 hex digits of an HMAC-SHA1 (``Course#find_or_create_student_view_student``).
CANVAS_TEST_STUDENT_LOGIN = re.compile(r"^[0-9a-f]{40}$")
CANVAS_TEST_STUDENT_NAMES = ("Student, Test", "Test Student")
#: A grade item column of Moodle's grades export: ``<type>: <name> (Real)`` (or Percentage, Letter).
MOODLE_GRADE_ITEM = re.compile(r"^(?:[^:]*:\s*)?(?P<name>.*?)\s*\((?:Real|Percentage|Letter)\)$")
#: Moodle's grade import identifies a user by one of these columns, in this order of preference.
MOODLE_IDENTIFIERS = ("Email address", "ID number", "Username")
#: Moodle's grading worksheet: ``Participant 1234567``, the id its download zip puts in file names.
MOODLE_PARTICIPANT = re.compile(r"(\d+)\s*$")
#: Exit codes of ``dcai export`` (as the rest of ``dcai``): nothing to look at, something to look at.
EXIT_OK, EXIT_ATTENTION = 0, 1
#: What a blank cell does in each LMS (for the report).
BLANK_MEANS = "Canvas removes a grade it has, Moodle sets it to no grade"


@dataclass(frozen=True)
class RosterEntry:
    """One student of the LMS's roster.

    Attributes
    ----------
    line : int
        The line of the roster file (1 is the header), for messages.
    name : str
        The name as the LMS shows it (Canvas: ``Last, First``).
    lms_id : str
        Canvas's user id or Moodle's participant id; ``""`` when the roster has none.
    cells : dict of str to str
        The roster's columns copied to the file written (Canvas's student columns, Moodle's identifier).
    identifiers : frozenset of str
        Other ids of the student (login, SIS id, email, username), matched against nbgrader's id.
    test_student : bool
        Canvas's test student (Student View), which no class list holds: left out unless graded.
    """

    line: int
    name: str
    lms_id: str
    cells: dict[str, str]
    identifiers: frozenset[str] = frozenset()
    test_student: bool = False


@dataclass
class Roster:
    """A roster read from the LMS's CSV: its students, and where each lab's grades go."""

    lms: str
    path: Path
    entries: list[RosterEntry]
    #: Header of every assignment column of the roster (Canvas: ``Name (id)``; Moodle: ``Assignment: Name (Real)``).
    assignment_columns: list[str] = field(default_factory=list)
    #: The column the file written identifies students by (Moodle only).
    identifier: str = ""
    #: Canvas's "Points Possible" row: each assignment column's points, as the roster writes them.
    points_possible: dict[str, str] = field(default_factory=dict)


@dataclass
class Graded:
    """A student of the gradebook with a submission of at least one exported lab."""

    nbgrader_id: str
    name: str
    lms_user_id: str
    #: Points per lab, late penalty taken off (nbgrader's own CSV export does the same).
    scores: dict[str, float]


@dataclass
class ExportReport:
    """What :func:`write_export` wrote and what needs the instructor's attention.

    Attributes
    ----------
    path : Path
        The CSV written.
    rows : int
        Student rows written.
    columns : dict of str to str
        Each lab's column header in the CSV.
    not_in_roster : list of str
        Graded students that no roster entry matches: their grades are not in the CSV.
    no_submission : list of str
        Roster entries without a grade for a lab: left out, written 0 or blank, as ``missing`` says.
    duplicates : list of str
        Two submissions for one roster entry and lab, two roster rows with one id, a name that matches
        several roster rows: left out of the CSV.
    left_out : list of str
        Rows left out because writing them would erase a grade (a submission of one lab but not of
        another, under ``missing="omit"``) or Moodle could not place them (no identifier).
    columns_to_check : list of str
        A lab written to a new column while the roster has a likely one, or whose points differ from the
        LMS's assignment.
    notes : list of str
        What is worth knowing but needs nothing done (a new column, the test student left out).
    missing : str
        What was written for a roster entry without a submission (one of :data:`MISSING_CHOICES`).
    """

    path: Path
    rows: int
    columns: dict[str, str]
    not_in_roster: list[str] = field(default_factory=list)
    no_submission: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    columns_to_check: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: str = "omit"

    @property
    def needs_attention(self) -> bool:
        """Whether a grade could not be placed, or may land where it should not."""
        return bool(self.not_in_roster or self.duplicates or self.left_out or self.columns_to_check)

    @property
    def report_path(self) -> Path:
        """The report file beside the CSV: ``<FILE>.report.txt``."""
        return self.path.with_name(self.path.stem + ".report.txt")

    def lines(self) -> list[str]:
        """The report, one line per finding, headed by a summary."""
        written = {
            "omit": "left out of the file, so the LMS keeps what it has",
            "zero": "written 0",
            "blank": f"written blank: {BLANK_MEANS}",
        }[self.missing]
        lines = [f"wrote {self.rows} student row(s) to {self.path}; columns: {', '.join(self.columns.values())}"]
        sections = [
            ("graded but not in the roster (not exported; check the roster is current)", self.not_in_roster),
            ("duplicates (left out; keep one submission or fix the roster, then export again)", self.duplicates),
            ("rows left out", self.left_out),
            ("columns to check", self.columns_to_check),
            (f"in the roster without a submission ({written})", self.no_submission),
            ("notes", self.notes),
        ]
        for title, items in sections:
            if items:
                lines.append(f"{len(items)} {title}:")
                lines.extend(f"  - {item}" for item in items)
        lines.append("needs attention" if self.needs_attention else "nothing needs attention")
        return lines


# --- rosters -------------------------------------------------------------------------------------


def _read_csv(path: Path) -> list[list[str]]:
    """The rows of a CSV file in UTF-8 (a byte-order mark is skipped); ``ValueError`` when it cannot be read."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError:
        raise FileNotFoundError(f"no roster at {path}; export it from the LMS (see `dcai export --help`)") from None
    except (UnicodeDecodeError, csv.Error) as err:
        raise ValueError(f"the roster {path} is not a UTF-8 CSV file ({err}); export it from the LMS again") from None
    if not rows:
        raise ValueError(f"the roster {path} is empty; export it from the LMS again")
    return rows


def is_canvas_test_student(cells: Mapping[str, str]) -> bool:
    """Whether a row of Canvas's gradebook export is the course's test student (Student View).

    Canvas names it "Test Student" in the course's language, gives it no SIS user id, and a login that is
    an HMAC-SHA1 in hex; the name is checked only where the export has no login column.
    """
    if cells.get("SIS User ID"):
        return False
    login = cells.get("SIS Login ID", "")
    return bool(CANVAS_TEST_STUDENT_LOGIN.match(login)) or (not login and cells["Student"] in CANVAS_TEST_STUDENT_NAMES)


def read_canvas_roster(path: str | Path) -> Roster:
    """Canvas's gradebook export (Grades > Export): one entry per student row.

    Raises
    ------
    ValueError
        When a column of :data:`CANVAS_STUDENT_COLUMNS` other than ``SIS ...`` and ``Section`` is missing.
    """
    path = Path(path)
    rows = _read_csv(path)
    header = [cell.strip() for cell in rows[0]]
    if not {"Student", "ID"} <= set(header):
        raise ValueError(
            f"`roster` must be Canvas's gradebook export, with the columns {', '.join(CANVAS_STUDENT_COLUMNS)}; "
            f"{path} has {', '.join(header[:6]) or 'none'}"
        )
    column = {name: header.index(name) for name in CANVAS_STUDENT_COLUMNS if name in header}
    assignments = [name for name in header if CANVAS_ASSIGNMENT.match(name)]
    entries, points = [], {}
    for line, row in enumerate(rows[1:], start=2):
        cells = {name: row[index].strip() if index < len(row) else "" for name, index in column.items()}
        if cells["Student"] == CANVAS_POINTS_ROW:
            points = {name: row[header.index(name)].strip() for name in assignments if header.index(name) < len(row)}
            continue
        # Other rows of settings under the header (muted, manual posting) have no student id.
        if not any(cells.values()) or not cells["ID"]:
            continue
        others = {cells.get("SIS User ID", ""), cells.get("SIS Login ID", "")} - {""}
        test = is_canvas_test_student(cells)
        entries.append(RosterEntry(line, cells["Student"], cells["ID"], cells, frozenset(others), test))
    return Roster("canvas", path, entries, assignments, points_possible=points)


def read_moodle_roster(path: str | Path) -> Roster:
    """Moodle's grading worksheet, participants export or grades export: one entry per student row.

    Raises
    ------
    ValueError
        When the file has none of :data:`MOODLE_IDENTIFIERS`, or neither ``Full name`` nor first and last names.
    """
    path = Path(path)
    rows = _read_csv(path)
    header = [cell.strip() for cell in rows[0]]
    identifier = next((name for name in MOODLE_IDENTIFIERS if name in header), "")
    named = "Full name" in header or {"First name", "Last name"} <= set(header)
    if not identifier or not named:
        raise ValueError(
            f"`roster` must be Moodle's grading worksheet, participants or grades export, with a name and one of "
            f"the columns {', '.join(MOODLE_IDENTIFIERS)}; {path} has {', '.join(header[:6]) or 'none'}"
        )
    index = {name: i for i, name in enumerate(header)}
    entries = []
    for line, row in enumerate(rows[1:], start=2):
        cell = {name: row[i].strip() if i < len(row) else "" for name, i in index.items()}
        if not any(cell.values()):
            continue
        name = cell.get("Full name") or f"{cell.get('First name', '')} {cell.get('Last name', '')}".strip()
        participant = MOODLE_PARTICIPANT.search(cell.get("Identifier", ""))
        others = {cell.get(column, "") for column in MOODLE_IDENTIFIERS} - {""}
        cells = {identifier: cell[identifier], "Full name": name}
        entries.append(RosterEntry(line, name, participant.group(1) if participant else "", cells, frozenset(others)))
    assignments = [name for name in header if MOODLE_GRADE_ITEM.match(name)]
    return Roster("moodle", path, entries, assignments, identifier)


def read_roster(lms: str, path: str | Path) -> Roster:
    """The roster of ``lms`` (one of :data:`LMS_NAMES`) at ``path``."""
    if lms not in LMS_NAMES:
        raise ValueError(f"`lms` must be one of {', '.join(LMS_NAMES)}; got {lms!r}")
    return read_canvas_roster(path) if lms == "canvas" else read_moodle_roster(path)


# --- the gradebook -------------------------------------------------------------------------------


def graded_students(gradebook: Gradebook, labs: Sequence[str], students: Sequence[str] = ()) -> list[Graded]:
    """Every student of ``gradebook`` with a submission of one of ``labs`` (or of ``students``, when given)."""
    graded = []
    for student in gradebook.students:
        if students and student.id not in students:
            continue
        scores = {}
        for lab in labs:
            try:
                submission = gradebook.find_submission(lab, student.id)
            except MissingEntry:
                continue
            scores[lab] = max(0.0, float(submission.score) - float(submission.late_submission_penalty or 0.0))
        if scores:
            name = " ".join(part for part in (student.first_name, student.last_name) if part) or student.id
            graded.append(Graded(student.id, name, student.lms_user_id or "", scores))
    return graded


def lab_columns(gradebook: Gradebook, labs: Sequence[str]) -> dict[str, float]:
    """The max score of each of ``labs`` (every lab of the gradebook when empty), in order."""
    known = [assignment.name for assignment in gradebook.assignments]
    chosen = list(labs) or sorted(known)
    unknown = [lab for lab in chosen if lab not in known]
    if unknown:
        raise ValueError(
            f"the gradebook has no lab {', '.join(unknown)}; it has {', '.join(sorted(known)) or 'none'} "
            "(grade the lab with `dcai grade` first)"
        )
    return {lab: float(gradebook.find_assignment(lab).max_score) for lab in chosen}


# --- matching ------------------------------------------------------------------------------------


def name_key(name: str) -> str:
    """``name`` reduced to its letters and digits, casefolded: ``García, José`` and ``garcíajosé`` agree."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFC", name).casefold())


def _shown(entry: RosterEntry) -> str:
    """A roster entry as a report names it."""
    return f"{entry.name!r} (roster line {entry.line}{f', LMS id {entry.lms_id}' if entry.lms_id else ''})"


def _student(graded: Graded) -> str:
    """A graded student as a report names them."""
    lms = f", LMS id {graded.lms_user_id}" if graded.lms_user_id else ""
    return f"{graded.name!r} (nbgrader id {graded.nbgrader_id}{lms})"


def match(roster: Roster, graded: Sequence[Graded]) -> tuple[dict[int, list[Graded]], list[str], list[str]]:
    """Which graded students each roster entry gets, those no entry gets, and the duplicates found.

    A student with an LMS id is matched by it when the roster has LMS ids (Canvas's ``ID``, Moodle's
    worksheet ``Identifier``); otherwise by nbgrader id against the roster's other ids (login, email),
    then by name (:func:`name_key`). A roster id on two rows, or a name on several rows, is a duplicate
    and matches nothing.

    Returns
    -------
    tuple
        ``{roster index: [graded students]}``, the students not in the roster, the duplicate findings.
    """
    by_id: dict[str, list[int]] = {}
    by_other: dict[str, list[int]] = {}
    by_name: dict[str, list[int]] = {}
    for index, entry in enumerate(roster.entries):
        if entry.lms_id:
            by_id.setdefault(entry.lms_id, []).append(index)
        for other in entry.identifiers:
            by_other.setdefault(other, []).append(index)
        by_name.setdefault(name_key(entry.name), []).append(index)
    duplicates = [
        f"the LMS id {lms_id} is on {len(rows)} roster rows: " + ", ".join(_shown(roster.entries[i]) for i in rows)
        for lms_id, rows in by_id.items()
        if len(rows) > 1
    ]
    matched: dict[int, list[Graded]] = {}
    not_in_roster = []
    for student in graded:
        if student.lms_user_id and by_id:
            candidates = by_id.get(student.lms_user_id, [])
        else:
            candidates = by_other.get(student.nbgrader_id) or by_name.get(name_key(student.name), [])
        if len(candidates) == 1:
            matched.setdefault(candidates[0], []).append(student)
        elif not candidates:
            hint = ""
            if student.name.startswith("anon_"):
                hint = ": Canvas's anonymous id; once anonymity is lifted, download the zip again and grade it"
            elif not student.lms_user_id and by_id:
                hint = ": no LMS id (graded from a folder, not the LMS's zip); grade the LMS's zip"
            not_in_roster.append(_student(student) + hint)
        elif not (student.lms_user_id and by_id):  # one LMS id on several rows is reported above
            rows = ", ".join(_shown(roster.entries[i]) for i in candidates)
            duplicates.append(f"{_student(student)} matches {len(candidates)} roster rows by name: {rows}")
        else:
            not_in_roster.append(f"{_student(student)}: its LMS id is on several roster rows")
    return matched, not_in_roster, duplicates


# --- columns -------------------------------------------------------------------------------------


def _lab_title(lab: str) -> str:
    """The title of a registered lab, else its id."""
    return next((registered.title for registered in LABS if registered.id == lab), lab)


def column_name(roster: Roster, column: str) -> str:
    """The assignment's name in a roster column header: without Canvas's `` (id)``, Moodle's type and ``(Real)``."""
    pattern = CANVAS_ASSIGNMENT if roster.lms == "canvas" else MOODLE_GRADE_ITEM
    found = pattern.match(column)
    return found.group("name") if found else column


def declared_column(roster: Roster, lab: str, declared: str) -> str:
    """The roster column that ``declared`` names for ``lab``: a header, an assignment id, a pattern or a name.

    ``declared`` is tried as the column's full header, then (Canvas) as the assignment id in its
    `` (id)``, then, when it holds ``*``, ``?`` or ``[``, as a shell-style pattern over headers and names
    (case-insensitive), then as the assignment's name (letters and digits, any case). Moodle's grading
    worksheet and participants export have no grade item columns: there ``declared`` is the header written.

    Raises
    ------
    ValueError
        When ``declared`` names no roster column, or a pattern names several.
    """
    declared = declared.strip()
    columns = roster.assignment_columns
    if declared in columns:
        return declared
    if roster.lms == "canvas" and declared.isdigit():
        found = [c for c in columns if (m := CANVAS_ASSIGNMENT.match(c)) and m.group("id") == declared]
    elif any(char in declared for char in "*?["):
        wanted = declared.casefold()
        found = [
            c for c in columns if any(fnmatch.fnmatchcase(n.casefold(), wanted) for n in (c, column_name(roster, c)))
        ]
    else:
        found = [c for c in columns if name_key(column_name(roster, c)) == name_key(declared)]
    if len(found) == 1:
        return found[0]
    if not columns and roster.lms == "moodle":
        return declared  # a worksheet or participants export: the instructor maps the column in Moodle's form
    flag = f"--column {lab}={declared}"
    if found:
        raise ValueError(f"{flag} matches {len(found)} roster columns ({', '.join(found)}); name one of them")
    close = difflib.get_close_matches(declared, columns, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    listed = ", ".join(repr(c) for c in columns) or "none"
    raise ValueError(f"{flag} names no column of the roster {roster.path} (its assignment columns: {listed}){hint}")


def auto_column(roster: Roster, lab: str) -> str | None:
    """The roster's column named after ``lab``'s id or title (letters and digits, any case), if exactly one."""
    wanted = {name_key(lab), name_key(_lab_title(lab))}
    found = [column for column in roster.assignment_columns if name_key(column_name(roster, column)) in wanted]
    return found[0] if len(found) == 1 else None


def likely_columns(roster: Roster, lab: str) -> list[str]:
    """Roster columns whose name holds ``lab``'s id or title (``Lab 8: Active learning (501)``)."""
    wanted = {name_key(lab), name_key(_lab_title(lab))} - {""}
    return [c for c in roster.assignment_columns if any(w in name_key(column_name(roster, c)) for w in wanted)]


def _points(text: str) -> float | None:
    """A number as Canvas's export writes it (``10``, ``2.5``, ``2,5``), or ``None``."""
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def choose_columns(
    roster: Roster, max_scores: Mapping[str, float], declared: Mapping[str, str], report: ExportReport
) -> None:
    """Fill ``report.columns`` with each lab's column, and note what the instructor should check."""
    unknown = sorted(set(declared) - set(max_scores))
    if unknown:
        raise ValueError(
            f"--column names lab {', '.join(unknown)}, which is not exported (exported: {', '.join(max_scores)})"
        )
    for lab, max_score in max_scores.items():
        column = declared_column(roster, lab, declared[lab]) if lab in declared else auto_column(roster, lab)
        if column is None:
            column = _lab_title(lab)
            where = "Canvas offers to create it as a new assignment" if roster.lms == "canvas" else "map it"
            report.notes.append(f"the roster has no column for lab {lab}; the CSV's column is {column!r}: {where}")
            likely = likely_columns(roster, lab)
            if likely:
                canvas = CANVAS_ASSIGNMENT.match(likely[0]) if roster.lms == "canvas" else None
                flag = f"--column {lab}={canvas.group('id') if canvas else repr(likely[0])}"
                report.columns_to_check.append(
                    f"lab {lab} goes to a new column {column!r}, but the roster has {', '.join(map(repr, likely))}; "
                    f"to write into it, pass {flag}"
                )
        elif roster.lms == "canvas":
            theirs = _points(roster.points_possible.get(column, ""))
            if theirs is not None and abs(theirs - max_score) > 1e-9:
                report.columns_to_check.append(
                    f"{column!r} is out of {theirs:g} points in Canvas, lab {lab} out of {max_score:g}: Canvas would "
                    f"record {max_score:g} points as {max_score:g}/{theirs:g}; make the two agree and export again"
                )
        report.columns[lab] = column


# --- writing -------------------------------------------------------------------------------------


def points(value: float) -> str:
    """Points as the LMS reads them: ``3``, ``2.5``."""
    return f"{round(float(value), 4):g}"


def write_export(
    roster: Roster,
    gradebook: Gradebook,
    to: str | Path,
    *,
    labs: Sequence[str] = (),
    students: Sequence[str] = (),
    columns: Mapping[str, str] | None = None,
    missing: str = "omit",
) -> ExportReport:
    """Write the LMS's import CSV for ``labs`` of ``gradebook`` to ``to``, and its report beside it.

    Parameters
    ----------
    roster : Roster
        The LMS's roster (:func:`read_roster`); the CSV's rows follow its order.
    gradebook : Gradebook
        nbgrader's gradebook of a course folder that ``dcai grade`` wrote.
    to : path
        The CSV to write.
    labs : sequence of str
        The labs to export, one column each (default: every lab of the gradebook).
    students : sequence of str
        Only these nbgrader ids (default: every student).
    columns : mapping of str to str
        The roster column of a lab (``{"active_learning": "501"}``): its header, its Canvas assignment id,
        a pattern (``Lab 8*``) or its name (:func:`declared_column`). Default: the column named after the
        lab's id or title, else a new one.
    missing : {"omit", "zero", "blank"}
        For a roster entry without a submission: leave its row out (the LMS keeps what it has), write 0,
        or write a blank cell (which both LMSs apply as "no grade").

    Returns
    -------
    ExportReport
        What was written and what needs attention; the report file is written too.
    """
    if missing not in MISSING_CHOICES:
        raise ValueError(f"`missing` must be one of {', '.join(MISSING_CHOICES)}; got {missing!r}")
    to = Path(to)
    max_scores = lab_columns(gradebook, labs)
    graded = graded_students(gradebook, list(max_scores), students)
    matched, not_in_roster, duplicates = match(roster, graded)
    report = ExportReport(to, 0, {}, not_in_roster, duplicates=duplicates, missing=missing)
    choose_columns(roster, max_scores, columns or {}, report)
    if roster.lms == "canvas":
        header = [*CANVAS_STUDENT_COLUMNS, *report.columns.values()]
        # Canvas creates a new assignment with these points and keeps an existing one's own.
        possible = [roster.points_possible.get(report.columns[lab]) or points(m) for lab, m in max_scores.items()]
        rows = [[CANVAS_POINTS_ROW, "", "", "", "", *possible]]
    else:
        header = [roster.identifier, "Full name", *report.columns.values()]
        rows = []
    for index, entry in enumerate(roster.entries):
        grades = _grades(entry, matched.get(index, []), max_scores, report)
        if grades is None:
            continue
        if roster.lms == "canvas":
            rows.append([entry.cells.get(name, "") for name in CANVAS_STUDENT_COLUMNS] + grades)
        elif not entry.cells[roster.identifier]:
            # Moodle would give the row to the student of the line above (its import keeps the last user found).
            report.left_out.append(f"{_shown(entry)} has no {roster.identifier}, which Moodle needs to place the row")
        else:
            rows.append([entry.cells[roster.identifier], entry.name, *grades])
    report.rows = len(rows) - (roster.lms == "canvas")
    to.parent.mkdir(parents=True, exist_ok=True)
    # Canvas's export carries a byte-order mark (for Excel) and its import takes it; Moodle's does not.
    encoding = "utf-8-sig" if roster.lms == "canvas" else "utf-8"
    with to.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(map(_safe_cell, header))
        writer.writerows(map(_safe_cell, row) for row in rows)
    report.report_path.write_text("\n".join(report.lines()) + "\n", encoding="utf-8")
    return report


def _safe_cell(value: object) -> str:
    """A CSV cell no spreadsheet runs as a formula (a grade, a number, stays as it is)."""
    text = "" if value is None else str(value)
    try:
        float(text)
        return text
    except ValueError:
        return neutralised(text)


def _grades(
    entry: RosterEntry, mine: Sequence[Graded], max_scores: Mapping[str, float], report: ExportReport
) -> list[str] | None:
    """The cells of one roster entry's row, or ``None`` when the row is left out (with why, in ``report``)."""
    cells: dict[str, str | None] = {}
    duplicated = []
    for lab in max_scores:
        theirs = [student for student in mine if lab in student.scores]
        if len(theirs) > 1:
            shown = ", ".join(_student(student) for student in theirs)
            duplicated.append(f"{_shown(entry)} has {len(theirs)} submissions of {lab}: {shown}")
        cells[lab] = points(theirs[0].scores[lab]) if len(theirs) == 1 else None
    if duplicated:
        report.duplicates.extend(duplicated)
        return None
    absent = [lab for lab, cell in cells.items() if cell is None]
    if entry.test_student and len(absent) == len(cells):
        report.notes.append(f"{_shown(entry)} is Canvas's test student (Student View), without a submission: left out")
        return None
    report.no_submission.extend(f"{_shown(entry)}: no submission of {lab}" for lab in absent)
    if absent and report.missing == "omit":
        if len(absent) < len(cells):
            graded = ", ".join(lab for lab in cells if lab not in absent)
            report.left_out.append(
                f"{_shown(entry)} has a grade for {graded} but no submission of {', '.join(absent)}: a blank cell "
                f"would erase the LMS's grade ({BLANK_MEANS}); export one lab at a time (--lab), or pass --missing zero"
            )
        return None
    fill = "0" if report.missing == "zero" else ""
    return [fill if cell is None else cell for cell in cells.values()]


def export(
    lms: str,
    course: str | Path,
    *,
    roster: str | Path,
    out: str | Path,
    labs: Sequence[str] = (),
    columns: Mapping[str, str] | None = None,
    missing: str = "omit",
) -> ExportReport:
    """``dcai export``: the LMS's import CSV from the course folder ``course`` that ``dcai grade`` wrote.

    Parameters
    ----------
    lms : {"canvas", "moodle"}
        Which LMS's format to write.
    course : path
        The ``--out`` folder of ``dcai grade`` (it holds ``gradebook.db``).
    roster, out, labs, columns, missing
        As :func:`write_export` takes them; ``roster`` is a path.

    Raises
    ------
    FileNotFoundError
        When ``course`` has no gradebook or ``roster`` does not exist.
    ValueError
        When the roster is not the LMS's export, a lab is not in the gradebook, or a column is not the roster's.
    """
    database = CourseFolder(course).gradebook
    if not database.is_file():
        raise FileNotFoundError(f"no gradebook at {database}; give the --out folder of `dcai grade`")
    loaded = read_roster(lms, roster)
    speed_up_gradebook()
    with Gradebook(f"sqlite:///{database.resolve()}", course_id=COURSE_ID) as gradebook:
        return write_export(loaded, gradebook, out, labs=labs, columns=columns, missing=missing)


# --- nbgrader's export plugins -------------------------------------------------------------------


class LmsExport(ExportPlugin):
    """Write an LMS's grade import CSV, students matched through the LMS's roster."""

    lms = ""
    roster = Unicode("", help="The LMS's roster CSV (Canvas: gradebook export; Moodle: grading worksheet).").tag(
        config=True
    )
    columns = Dict(
        key_trait=Unicode(),
        value_trait=Unicode(),
        help="A lab's roster column, LAB=NAME (repeat): its header, its Canvas assignment id, or a pattern.",
    ).tag(config=True)
    missing = Enum(
        list(MISSING_CHOICES),
        default_value="omit",
        help="For a roster entry without a submission: omit its row (the LMS keeps what it has), zero, or blank.",
    ).tag(config=True)

    def export(self, gradebook: Gradebook) -> None:
        """Write the CSV to ``--to`` and its report beside it; exit 1 when something needs attention."""
        if not self.roster:
            raise ValueError(f"give the LMS's roster: --{type(self).__name__}.roster=ROSTER.csv")
        report = write_export(
            read_roster(self.lms, self.roster),
            gradebook,
            self.to or f"{self.lms}-grades.csv",
            labs=[str(lab) for lab in self.assignment],
            students=[str(student) for student in self.student],
            columns=dict(self.columns),
            missing=self.missing,
        )
        for line in report.lines():
            (self.log.warning if report.needs_attention else self.log.info)(line)
        self.log.info("report written to %s", report.report_path)
        if report.needs_attention:
            sys.exit(EXIT_ATTENTION)


class CanvasExport(LmsExport):
    """Write Canvas's gradebook import CSV (students matched through Canvas's gradebook export)."""

    lms = "canvas"


class MoodleExport(LmsExport):
    """Write Moodle's grade import CSV (students matched through Moodle's grading worksheet or participants)."""

    lms = "moodle"
