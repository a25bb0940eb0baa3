"""Grades back into the LMS: Canvas's gradebook import CSV and Moodle's grade import CSV.

Two nbgrader export plugins (:class:`CanvasExport`, :class:`MoodleExport`), so that, in a course
folder that ``dcai grade`` wrote::

    nbgrader export --exporter dcai_helpers.grading.lms_export.CanvasExport \\
        --CanvasExport.roster=canvas-gradebook.csv --to canvas-import.csv

works, as does ``dcai export canvas DIR --roster canvas-gradebook.csv --out canvas-import.csv``
(:func:`export`). Students are matched with a roster, the LMS's own export:

- Canvas: the gradebook export (Grades > Export), columns ``Student, ID, SIS User ID, SIS Login ID,
  Section``, then one per assignment named ``<name> (<assignment id>)``, a "Points Possible" row. A
  student is matched by the Canvas user id of the zip's file names (the ``ID`` column). The file
  written is that layout with one column per lab: the roster's column for the lab (its name or title
  before `` (<id>)``) when it has one, so that Canvas updates that assignment, else a new column named
  after the lab, which Canvas offers to create. UTF-8 with a byte-order mark, as Canvas exports it (Excel
  then shows accents right; Canvas reads either).
- Moodle: the assignment's grading worksheet (View all submissions > Download grading worksheet, whose
  ``Identifier`` column holds the participant id of the zip's file names), or the participants or
  grades export, which have no participant id: a student is then matched by full name. The file
  written has an identifier column (``Email address``, else ``ID number``, else ``Username``: map it
  to the same field under "Identify user by" in Grades > Import > CSV file), ``Full name`` and one
  column per lab (map it to the grade item). UTF-8 without a byte-order mark.

Nothing is dropped silently: a graded student missing from the roster, a roster entry with no
submission (written blank, so the LMS keeps what it has, or 0 when asked), and a duplicate (two
submissions for one roster entry, two roster rows with one id) are each listed on stderr and in a
report file beside the CSV, ``<FILE>.report.txt``.
"""

from __future__ import annotations

import csv
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins.export import ExportPlugin
from traitlets import Bool, Unicode

from dcai_helpers.grading.config import COURSE_ID, speed_up_gradebook
from dcai_helpers.labs import LABS

#: The LMSs an export is written for.
LMS_NAMES = ("canvas", "moodle")
#: Canvas's gradebook export starts with these columns; its import reads them to find the student.
CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: What Canvas writes in the ``Student`` column of the row that gives each assignment's points.
CANVAS_POINTS_ROW = "Points Possible"
#: An assignment column of Canvas's gradebook export: ``<name> (<assignment id>)``.
CANVAS_ASSIGNMENT = re.compile(r"^(?P<name>.*\S)\s*\((?P<id>\d+)\)$")
#: Moodle's grade import identifies a user by one of these columns, in this order of preference.
MOODLE_IDENTIFIERS = ("Email address", "ID number", "Username")
#: Moodle's grading worksheet: ``Participant 1234567``, the id its download zip puts in file names.
MOODLE_PARTICIPANT = re.compile(r"(\d+)\s*$")
#: Exit codes of ``dcai export`` (as the rest of ``dcai``): nothing to look at, something to look at.
EXIT_OK, EXIT_ATTENTION = 0, 1


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
    """

    line: int
    name: str
    lms_id: str
    cells: dict[str, str]
    identifiers: frozenset[str] = frozenset()


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
        Student rows written (one per roster entry).
    columns : dict of str to str
        Each lab's column header in the CSV.
    not_in_roster : list of str
        Graded students that no roster entry matches: their grades are not in the CSV.
    no_submission : list of str
        Roster entries without a grade for a lab: written blank (or 0 with ``missing_as_zero``).
    duplicates : list of str
        Two submissions for one roster entry and lab, two roster rows with one id, a name that matches
        several roster rows: left blank.
    notes : list of str
        What is worth knowing but needs nothing done (a new Canvas column).
    missing_as_zero : bool
        Whether entries without a submission were written as 0.
    """

    path: Path
    rows: int
    columns: dict[str, str]
    not_in_roster: list[str] = field(default_factory=list)
    no_submission: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing_as_zero: bool = False

    @property
    def needs_attention(self) -> bool:
        """Whether a grade could not be placed, or a blank was written that the instructor did not ask for."""
        return bool(self.not_in_roster or self.duplicates or (self.no_submission and not self.missing_as_zero))

    @property
    def report_path(self) -> Path:
        """The report file beside the CSV: ``<FILE>.report.txt``."""
        return self.path.with_name(self.path.stem + ".report.txt")

    def lines(self) -> list[str]:
        """The report, one line per finding, headed by a summary."""
        blank = "0" if self.missing_as_zero else "blank"
        lines = [f"wrote {self.rows} student row(s) to {self.path}; columns: {', '.join(self.columns.values())}"]
        sections = [
            ("graded but not in the roster (not exported; check the roster is current)", self.not_in_roster),
            ("duplicates (left blank; keep one submission or fix the roster, then export again)", self.duplicates),
            (f"in the roster without a submission (written {blank})", self.no_submission),
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
    entries = []
    for line, row in enumerate(rows[1:], start=2):
        cells = {name: row[index].strip() if index < len(row) else "" for name, index in column.items()}
        # Rows of settings under the header (points possible, posting policies) have no student id.
        if cells["Student"] == CANVAS_POINTS_ROW or not any(cells.values()) or not cells["ID"]:
            continue
        others = {cells.get("SIS User ID", ""), cells.get("SIS Login ID", "")} - {""}
        entries.append(RosterEntry(line, cells["Student"], cells["ID"], cells, frozenset(others)))
    assignments = [name for name in header if CANVAS_ASSIGNMENT.match(name)]
    return Roster("canvas", path, entries, assignments)


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
    assignments = [name for name in header if name.endswith(("(Real)", "(Percentage)", "(Letter)"))]
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


# --- writing -------------------------------------------------------------------------------------


def points(value: float) -> str:
    """Points as the LMS reads them: ``3``, ``2.5``."""
    return f"{round(float(value), 4):g}"


def _lab_title(lab: str) -> str:
    """The title of a registered lab, else its id."""
    return next((registered.title for registered in LABS if registered.id == lab), lab)


def _column_for(roster: Roster, lab: str) -> str | None:
    """The roster's column for ``lab``: its name (before `` (id)`` or ``(Real)``) is the lab's id or title."""
    wanted = {name_key(lab), name_key(_lab_title(lab))}
    for column in roster.assignment_columns:
        canvas = CANVAS_ASSIGNMENT.match(column)
        name = canvas.group("name") if canvas else re.sub(r"^[^:]*:\s*|\s*\([^)]*\)$", "", column)
        if name_key(name) in wanted:
            return column
    return None


def write_export(
    roster: Roster,
    gradebook: Gradebook,
    to: str | Path,
    *,
    labs: Sequence[str] = (),
    students: Sequence[str] = (),
    missing_as_zero: bool = False,
) -> ExportReport:
    """Write the LMS's import CSV for ``labs`` of ``gradebook`` to ``to``, and its report beside it.

    Parameters
    ----------
    roster : Roster
        The LMS's roster (:func:`read_roster`); the CSV has one row per entry, in its order.
    gradebook : Gradebook
        nbgrader's gradebook of a course folder that ``dcai grade`` wrote.
    to : path
        The CSV to write.
    labs : sequence of str
        The labs to export, one column each (default: every lab of the gradebook).
    students : sequence of str
        Only these nbgrader ids (default: every student).
    missing_as_zero : bool
        Write 0, not blank, for a roster entry without a submission.

    Returns
    -------
    ExportReport
        What was written and what needs attention; the report file is written too.
    """
    to = Path(to)
    max_scores = lab_columns(gradebook, labs)
    graded = graded_students(gradebook, list(max_scores), students)
    matched, not_in_roster, duplicates = match(roster, graded)
    report = ExportReport(to, len(roster.entries), {}, not_in_roster, [], duplicates, [], missing_as_zero)
    for lab in max_scores:
        column = _column_for(roster, lab)
        if column is None:
            column = _lab_title(lab)
            where = "Canvas offers to create it as a new assignment" if roster.lms == "canvas" else "map it"
            report.notes.append(f"the roster has no column for lab {lab}; the CSV's column is {column!r}: {where}")
        report.columns[lab] = column
    if roster.lms == "canvas":
        header = [*CANVAS_STUDENT_COLUMNS, *report.columns.values()]
        rows = [["Points Possible", "", "", "", "", *(points(max_scores[lab]) for lab in max_scores)]]
    else:
        header = [roster.identifier, "Full name", *report.columns.values()]
        rows = []
    for index, entry in enumerate(roster.entries):
        if roster.lms == "moodle" and not entry.cells[roster.identifier]:
            report.not_in_roster.append(f"{_shown(entry)} has no {roster.identifier}; Moodle cannot import its row")
        grades = []
        for lab in max_scores:
            mine = [student for student in matched.get(index, []) if lab in student.scores]
            if len(mine) == 1:
                grades.append(points(mine[0].scores[lab]))
                continue
            if mine:
                students_shown = ", ".join(_student(student) for student in mine)
                report.duplicates.append(f"{_shown(entry)} has {len(mine)} submissions of {lab}: {students_shown}")
                grades.append("")
                continue
            report.no_submission.append(f"{_shown(entry)}: no submission of {lab}")
            grades.append("0" if missing_as_zero else "")
        if roster.lms == "canvas":
            rows.append([entry.cells.get(name, "") for name in CANVAS_STUDENT_COLUMNS] + grades)
        else:
            rows.append([entry.cells[roster.identifier], entry.name, *grades])
    to.parent.mkdir(parents=True, exist_ok=True)
    # Canvas's export carries a byte-order mark (for Excel) and its import takes it; Moodle's does not.
    encoding = "utf-8-sig" if roster.lms == "canvas" else "utf-8"
    with to.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    report.report_path.write_text("\n".join(report.lines()) + "\n", encoding="utf-8")
    return report


def export(
    lms: str,
    course: str | Path,
    *,
    roster: str | Path,
    out: str | Path,
    labs: Sequence[str] = (),
    missing_as_zero: bool = False,
) -> ExportReport:
    """``dcai export``: the LMS's import CSV from the course folder ``course`` that ``dcai grade`` wrote.

    Parameters
    ----------
    lms : {"canvas", "moodle"}
        Which LMS's format to write.
    course : path
        The ``--out`` folder of ``dcai grade`` (it holds ``gradebook.db``).
    roster, out, labs, missing_as_zero
        As :func:`write_export` takes them; ``roster`` is a path.

    Raises
    ------
    FileNotFoundError
        When ``course`` has no gradebook or ``roster`` does not exist.
    ValueError
        When the roster is not the LMS's export, or a lab is not in the gradebook.
    """
    database = Path(course) / "gradebook.db"
    if not database.is_file():
        raise FileNotFoundError(f"no gradebook at {database}; give the --out folder of `dcai grade`")
    loaded = read_roster(lms, roster)
    speed_up_gradebook()
    with Gradebook(f"sqlite:///{database.resolve()}", course_id=COURSE_ID) as gradebook:
        return write_export(loaded, gradebook, out, labs=labs, missing_as_zero=missing_as_zero)


# --- nbgrader's export plugins -------------------------------------------------------------------


class LmsExport(ExportPlugin):
    """Write an LMS's grade import CSV, students matched through the LMS's roster."""

    lms = ""
    roster = Unicode("", help="The LMS's roster CSV (Canvas: gradebook export; Moodle: grading worksheet).").tag(
        config=True
    )
    missing_as_zero = Bool(False, help="Write 0, not blank, for a roster entry without a submission.").tag(config=True)

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
            missing_as_zero=self.missing_as_zero,
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
