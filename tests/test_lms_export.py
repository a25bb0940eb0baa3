"""Grades back into the LMS: Canvas's and Moodle's import CSVs, matched through the LMS's roster."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from dcai_helpers.authoring.release import generate
from dcai_helpers.cli import main
from dcai_helpers.course.config import COURSE_ID, speed_up_gradebook
from dcai_helpers.grading.grade import grade
from dcai_helpers.grading.lms_export import is_canvas_test_student, read_roster, write_export
from dcai_helpers.grading.submissions import collect

LAB = "tiny_lab"
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Tiny lab (4321)", "Other lab (99)"]
#: A Canvas gradebook export: accents, a comma and quotes in names, a namesake pair told apart by id.
CANVAS_ROSTER = [
    CANVAS_HEADER,
    ["    Points Possible", "", "", "", "", "3", "10"],
    ["García, José", "12345", "S001", "jgarcia", "Section A", "", "7"],
    ['Smith, Jane "JJ"', "12346", "S002", "jsmith", "Section A", "", ""],
    ["Lee, Kim", "20001", "S003", "klee1", "Section B", "", ""],
    ["Lee, Kim", "20002", "S004", "klee2", "Section B", "", ""],
    ["Nguyễn, Ân", "30001", "S005", "anguyen", "Section B", "", ""],
]
#: Moodle's grading worksheet: ``Identifier`` holds the participant id of the download zip's names.
MOODLE_ROSTER = [
    ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade"],
    ["Participant 1234567", "José García", "jose@example.org", "Submitted", "", "3.00"],
    ["Participant 1234568", 'Zoë "Zo" d\'Arc, PhD', "zoe@example.org", "Submitted", "", "3.00"],
    ["Participant 2000001", "Kim Lee", "kim.lee1@example.org", "Submitted", "", "3.00"],
    ["Participant 2000002", "Kim Lee", "kim.lee2@example.org", "Submitted", "", "3.00"],
    ["Participant 3000001", "Ân Nguyễn", "an@example.org", "No submission", "", "3.00"],
]


def write_roster(path: Path, rows: list[list[str]], *, bom: bool = True) -> Path:
    """A roster CSV as the LMS writes it (UTF-8, with a byte-order mark by default)."""
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def make_gradebook(
    path: Path, students: list[tuple[str, str, str | None, float | dict[str, float]]], labs: tuple[str, ...] = (LAB,)
) -> Path:
    """A gradebook of ``labs`` (3 points each) with ``(nbgrader id, name, LMS id, score)`` per student.

    A score is the tiny lab's, or ``{lab: score}`` for the labs the student submitted.
    """
    speed_up_gradebook()
    with Gradebook(f"sqlite:///{path}", course_id=COURSE_ID) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission trips autoflush warnings
        for lab in labs:
            gb.add_assignment(lab)
            gb.add_notebook(lab, lab)
            gb.add_grade_cell("test_double", lab, lab, max_score=3, cell_type="code")
        for student_id, name, lms_id, score in students:
            gb.add_student(student_id, last_name=name, lms_user_id=lms_id)
            for lab, value in (score if isinstance(score, dict) else {LAB: score}).items():
                gb.add_submission(lab, student_id)
                (cell,) = gb.find_submission_notebook(lab, lab, student_id).grades
                cell.auto_score = value
        gb.db.commit()
    return path


def read_export(path: Path) -> tuple[bytes, list[list[str]]]:
    """The first bytes of an exported CSV and its rows."""
    raw = path.read_bytes()
    return raw[:3], list(csv.reader(raw.decode("utf-8-sig").splitlines()))


CANVAS_GRADED = [
    ("garciajose-1a2b3c4d5e6f", "garcíajosé", "12345", 3.0),
    ("smithjane", "smithjane", "12346", 1.5),
    ("leekim_20001", "leekim_20001", "20001", 3.0),
    ("leekim_20002", "leekim_20002", "20002", 0.0),
    ("anon_Ab3dE", "anon_Ab3dE", None, 2.0),
]


def test_canvas_header_points_and_rows(tmp_path):
    db = make_gradebook(tmp_path / "gradebook.db", CANVAS_GRADED)
    roster = read_roster("canvas", write_roster(tmp_path / "roster.csv", CANVAS_ROSTER))
    with Gradebook(f"sqlite:///{db}", course_id=COURSE_ID) as gb:
        report = write_export(roster, gb, tmp_path / "canvas.csv")
    bom, rows = read_export(tmp_path / "canvas.csv")
    assert bom == b"\xef\xbb\xbf"  # Canvas's own export has one, and Excel needs it for the accents
    assert rows == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Tiny lab (4321)"],
        ["Points Possible", "", "", "", "", "3"],
        ["García, José", "12345", "S001", "jgarcia", "Section A", "3"],
        ['Smith, Jane "JJ"', "12346", "S002", "jsmith", "Section A", "1.5"],
        ["Lee, Kim", "20001", "S003", "klee1", "Section B", "3"],
        ["Lee, Kim", "20002", "S004", "klee2", "Section B", "0"],
    ]  # Nguyễn has no submission: left out, so that Canvas keeps what it has (a blank would remove it)
    assert report.columns == {LAB: "Tiny lab (4321)"} and report.rows == 4
    # The anonymous id is in no roster: reported, with what to do, not dropped.
    assert len(report.not_in_roster) == 1 and "anon_Ab3dE" in report.not_in_roster[0]
    assert "anonymity" in report.not_in_roster[0]
    assert len(report.no_submission) == 1 and "Nguyễn, Ân" in report.no_submission[0]
    assert report.needs_attention
    text = report.report_path.read_text(encoding="utf-8")
    assert "anon_Ab3dE" in text and "Nguyễn, Ân" in text and text.endswith("needs attention\n")


def test_moodle_header_and_rows_from_the_grading_worksheet(tmp_path):
    db = make_gradebook(
        tmp_path / "gradebook.db",
        [
            ("jose-garcia-1a2b3c4d5e6f", "José García", "1234567", 2.0),
            ("zoe-zo-d-arc-phd-abcdefabcdef", 'Zoë "Zo" d\'Arc, PhD', "1234568", 3.0),
            ("kim-lee_2000001-aaaaaaaaaaaa", "Kim Lee_2000001", "2000001", 1.0),
            ("kim-lee_2000002-bbbbbbbbbbbb", "Kim Lee_2000002", "2000002", 2.5),
        ],
    )
    roster = read_roster("moodle", write_roster(tmp_path / "worksheet.csv", MOODLE_ROSTER))
    with Gradebook(f"sqlite:///{db}", course_id=COURSE_ID) as gb:
        report = write_export(roster, gb, tmp_path / "moodle.csv", missing="zero")
    bom, rows = read_export(tmp_path / "moodle.csv")
    assert bom != b"\xef\xbb\xbf"
    assert rows == [
        ["Email address", "Full name", "tiny_lab"],
        ["jose@example.org", "José García", "2"],
        ["zoe@example.org", 'Zoë "Zo" d\'Arc, PhD', "3"],
        ["kim.lee1@example.org", "Kim Lee", "1"],
        ["kim.lee2@example.org", "Kim Lee", "2.5"],
        ["an@example.org", "Ân Nguyễn", "0"],  # asked for 0: still listed, but needs no attention
    ]
    assert len(report.no_submission) == 1 and "Ân Nguyễn" in report.no_submission[0]
    assert not report.not_in_roster and not report.duplicates and not report.needs_attention


def test_moodle_participants_export_matches_by_name_and_refuses_to_guess_namesakes(tmp_path):
    participants = [
        ["First name", "Last name", "ID number", "Email address"],
        ["José", "García", "1001", "jose@example.org"],
        ["Kim", "Lee", "1002", "kim.lee1@example.org"],
        ["Kim", "Lee", "1003", "kim.lee2@example.org"],
    ]
    db = make_gradebook(
        tmp_path / "gradebook.db",
        [("jose-garcia-1a2b3c4d5e6f", "José García", "1234567", 2.0), ("kim-lee-cccccccccccc", "Kim Lee", None, 3.0)],
    )
    roster = read_roster("moodle", write_roster(tmp_path / "participants.csv", participants, bom=False))
    with Gradebook(f"sqlite:///{db}", course_id=COURSE_ID) as gb:
        report = write_export(roster, gb, tmp_path / "moodle.csv")
    _, rows = read_export(tmp_path / "moodle.csv")
    assert rows[1:] == [["jose@example.org", "José García", "2"]]  # neither Kim Lee gets a blank
    assert len(report.duplicates) == 1 and "matches 2 roster rows by name" in report.duplicates[0]
    assert report.needs_attention


def test_duplicates_of_both_kinds_are_left_out_and_reported(tmp_path):
    roster_rows = [*CANVAS_ROSTER[:4], ["Smith, Jane (2nd account)", "12346", "", "", "", "", ""]]
    db = make_gradebook(
        tmp_path / "gradebook.db",
        [
            ("garciajose-1a2b3c4d5e6f", "garcíajosé", "12345", 3.0),
            ("garciajosem", "garcíajosém", "12345", 1.0),  # renamed between two submissions
            ("smithjane", "smithjane", "12346", 1.5),
        ],
    )
    roster = read_roster("canvas", write_roster(tmp_path / "roster.csv", roster_rows))
    with Gradebook(f"sqlite:///{db}", course_id=COURSE_ID) as gb:
        report = write_export(roster, gb, tmp_path / "canvas.csv")
    _, rows = read_export(tmp_path / "canvas.csv")
    assert rows[2:] == []
    assert any("2 submissions of tiny_lab" in d and "garcíajosém" in d for d in report.duplicates)
    assert any("LMS id 12346 is on 2 roster rows" in d for d in report.duplicates)
    assert any("smithjane" in s and "several roster rows" in s for s in report.not_in_roster)
    assert report.needs_attention


def test_rosters_that_are_not_the_lms_export_are_refused(tmp_path):
    wrong = write_roster(tmp_path / "wrong.csv", [["name", "grade"], ["alice", "3"]])
    with pytest.raises(ValueError, match="Canvas's gradebook export"):
        read_roster("canvas", wrong)
    with pytest.raises(ValueError, match="Email address, ID number, Username"):
        read_roster("moodle", wrong)


def test_nbgrader_export_runs_the_plugin_in_the_course_folder(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    make_gradebook(course / "gradebook.db", CANVAS_GRADED[:4])
    write_roster(course / "roster.csv", CANVAS_ROSTER[:6])
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [
        str(Path(sys.executable).parent / "nbgrader"),
        "export",
        "--exporter",
        "dcai_helpers.grading.lms_export.CanvasExport",
        "--CanvasExport.roster=roster.csv",
        "--to",
        "canvas.csv",
    ]
    done = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    _, rows = read_export(course / "canvas.csv")
    assert rows[2] == ["García, José", "12345", "S001", "jgarcia", "Section A", "3"]
    assert "nothing needs attention" in (course / "canvas.report.txt").read_text(encoding="utf-8")
    # The lab declared to go to the 10-point column: Canvas would read 3 points as 3/10, so exit 1.
    done = subprocess.run(
        [*command, "--CanvasExport.columns", f"{LAB}=99", "--CanvasExport.missing=zero"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "'Other lab (99)' is out of 10 points" in done.stderr
    assert read_export(course / "canvas.csv")[1][0][-1] == "Other lab (99)"


def test_lms_ids_are_read_from_canvas_and_moodle_zip_names(tiny_lab, tmp_path):
    notebook = nbformat.writes(nbformat.read(generate(tiny_lab, tmp_path / "release"), as_version=4))
    archive = tmp_path / "moodle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("José García_1234567_assignsubmission_file_/tiny_lab.ipynb", notebook)
        zf.writestr("Kim Lee_2000001_assignsubmission_file_tiny_lab.ipynb", notebook)
        zf.writestr("Kim Lee_2000002_assignsubmission_file_tiny_lab.ipynb", notebook)
        zf.writestr("anon_Ab3dE_70020_tiny_lab.ipynb", notebook)
        zf.writestr("leekim_20001_67890_tiny_lab.ipynb", notebook)
    found = {s.student_id: s.lms_user_id for s in collect(tiny_lab, archive, scratch=tmp_path)}
    assert found == {
        "José García": "1234567",
        "Kim Lee_2000001": "2000001",
        "Kim Lee_2000002": "2000002",
        "anon_Ab3dE": None,
        "leekim": "20001",
    }


def test_dcai_export_end_to_end_on_a_graded_canvas_zip(tiny_lab, tmp_path, capsys):
    release = nbformat.read(generate(tiny_lab, tmp_path / "release"), as_version=4)
    release.cells[1].source = "def double(x):\n    return 2 * x\n"
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("garcíajosé_12345_67890_tiny_lab.ipynb", nbformat.writes(release))
        zf.writestr("smithjane_late_12346_67891_tiny_lab.ipynb", b"not a notebook")
    out = tmp_path / "out"
    grade(tiny_lab, archive, out=out, jobs=1, timeout=60, sandbox=False)
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        assert {s.last_name: s.lms_user_id for s in gb.students} == {"garcíajosé": "12345", "smithjane": "12346"}
    roster = write_roster(tmp_path / "roster.csv", CANVAS_ROSTER)
    exported = tmp_path / "canvas-import.csv"
    args = ["export", "canvas", str(out), "--roster", str(roster), "--out", str(exported)]
    assert main(args) == 0  # three roster entries have no submission: left out, as Canvas keeps what it has
    _, rows = read_export(exported)
    assert rows[0][-1] == "Tiny lab (4321)" and rows[1][-1] == "3"
    assert [row[:2] + row[-1:] for row in rows[2:]] == [
        ["García, José", "12345", "3"],
        ['Smith, Jane "JJ"', "12346", "0"],
    ]
    err = capsys.readouterr().err
    assert "3 in the roster without a submission (left out of the file" in err and "Nguyễn, Ân" in err
    assert main([*args, "--missing-as-zero"]) == 0
    assert [row[-1] for row in read_export(exported)[1][2:]] == ["3", "0", "0", "0", "0"]
    assert main([*args, "--missing", "blank", "--column", f"{LAB}=Tiny*"]) == 0
    assert [row[-1] for row in read_export(exported)[1][2:]] == ["3", "0", "", "", ""]
    assert main([*args, "--column", f"{LAB}=Lab 8*"]) == 2
    assert "names no column of the roster" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main([*args, "--column", LAB])
    assert exited.value.code == 2 and "give LAB=NAME" in capsys.readouterr().err
    assert main(["export", "canvas", str(tmp_path / "nowhere"), "--roster", str(roster), "--out", "x.csv"]) == 2


def export_rows(tmp_path: Path, lms: str, roster_rows: list[list[str]], graded: list, **options):
    """Export ``graded`` (``make_gradebook``'s students) against ``roster_rows``: the report and the CSV's rows."""
    labs = options.pop("labs_in_gradebook", (LAB,))
    tmp_path.mkdir(parents=True, exist_ok=True)
    db = make_gradebook(tmp_path / "gradebook.db", graded, labs)
    roster = read_roster(lms, write_roster(tmp_path / "roster.csv", roster_rows))
    with Gradebook(f"sqlite:///{db}", course_id=COURSE_ID) as gb:
        report = write_export(roster, gb, tmp_path / "import.csv", **options)
    return report, read_export(tmp_path / "import.csv")[1]


#: Canvas's export of a course whose assignments are named as instructors name them.
LAB8_ROSTER = [
    ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 8: Tiny lab (501)", "Lab 9: Other (502)"],
    ["    Points Possible", "", "", "", "", "3", "3"],
    ["García, José", "12345", "S001", "jgarcia", "Section A", "2", ""],
]
LAB8_GRADED = [("garciajose", "garcíajosé", "12345", 3.0)]


def test_a_lab_goes_to_the_column_its_id_pattern_header_or_name_declares(tmp_path):
    for declared in ("501", "Lab 8*", "lab 8: tiny*", "Lab 8: Tiny lab (501)", "Lab 8: tiny LAB"):
        report, rows = export_rows(
            tmp_path / declared.replace("*", "x"), "canvas", LAB8_ROSTER, LAB8_GRADED, columns={LAB: declared}
        )
        assert rows[0][-1] == "Lab 8: Tiny lab (501)" and rows[2][-1] == "3", declared
        assert not report.needs_attention, declared
    wrong = {"Lab*": "matches 2 roster columns", "777": "names no column", "Lab 8: Tiny": "did you mean"}
    for index, (declared, error) in enumerate(wrong.items()):
        with pytest.raises(ValueError, match=error):
            export_rows(tmp_path / f"wrong{index}", "canvas", LAB8_ROSTER, LAB8_GRADED, columns={LAB: declared})
    with pytest.raises(ValueError, match="names lab other_lab, which is not exported"):
        export_rows(tmp_path / "other", "canvas", LAB8_ROSTER, LAB8_GRADED, columns={"other_lab": "502"})


def test_a_new_column_where_the_roster_has_a_likely_one_needs_attention(tmp_path):
    report, rows = export_rows(tmp_path, "canvas", LAB8_ROSTER, LAB8_GRADED)
    assert rows[0][-1] == LAB  # not named after the lab: a new column, which Canvas would create as an assignment
    assert report.needs_attention
    (check,) = report.columns_to_check
    assert "'Lab 8: Tiny lab (501)'" in check and f"--column {LAB}=501" in check


def test_points_that_differ_from_canvas_need_attention(tmp_path):
    roster = [LAB8_ROSTER[0], ["    Points Possible", "", "", "", "", "10", "3"], LAB8_ROSTER[2]]
    report, rows = export_rows(tmp_path, "canvas", roster, LAB8_GRADED, columns={LAB: "501"})
    assert rows[1][-1] == "10"  # Canvas's own points for its assignment, which an import does not change
    (check,) = report.columns_to_check
    assert "is out of 10 points in Canvas, lab tiny_lab out of 3" in check


def test_canvas_test_student_is_left_out_without_attention(tmp_path):
    test_student = ["Student, Test", "99999", "", "5f2b" + "0" * 36, "Section A", "", ""]
    report, rows = export_rows(tmp_path, "canvas", [*CANVAS_ROSTER[:3], test_student], CANVAS_GRADED[:1])
    assert [row[0] for row in rows] == ["Student", "Points Possible", "García, José"]
    assert not report.needs_attention and not report.no_submission
    assert any("Canvas's test student" in note for note in report.notes)
    # Graded (the instructor submitted in Student View), it is exported like anyone.
    report, rows = export_rows(
        tmp_path / "graded", "canvas", [*CANVAS_ROSTER[:2], test_student], [("t", "t", "99999", 1.0)]
    )
    assert rows[-1][:2] == ["Student, Test", "99999"] and rows[-1][-1] == "1"
    assert is_canvas_test_student({"Student": "Test Student", "SIS User ID": ""})  # an export without logins
    assert not is_canvas_test_student({"Student": "Student, Test", "SIS User ID": "S042", "SIS Login ID": "tstudent"})


def test_missing_policies_never_mix_grades_and_blanks_unasked(tmp_path):
    graded = [
        ("alice", "alice", "1", {LAB: 3.0, "other_lab": 2.0}),
        ("bob", "bob", "2", {LAB: 1.0}),
    ]
    roster = [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "tiny_lab (501)", "other_lab (502)"],
        ["    Points Possible", "", "", "", "", "3", "3"],
        ["alice", "1", "", "alice", "A", "", ""],
        ["bob", "2", "", "bob", "A", "", ""],
        ["carol", "3", "", "carol", "A", "", ""],
    ]
    two_labs = {"labs_in_gradebook": (LAB, "other_lab")}
    report, rows = export_rows(tmp_path / "omit", "canvas", roster, graded, **two_labs)
    assert [row[0] for row in rows[2:]] == ["alice"]
    assert report.needs_attention and "bob" in report.left_out[0] and "export one lab at a time" in report.left_out[0]
    assert len(report.no_submission) == 3  # bob's other lab, carol's two
    _, rows = export_rows(tmp_path / "zero", "canvas", roster, graded, missing="zero", **two_labs)
    assert rows[0][-2:] == ["other_lab (502)", "tiny_lab (501)"]  # every lab of the gradebook, sorted
    assert [row[-2:] for row in rows[2:]] == [["2", "3"], ["0", "1"], ["0", "0"]]
    report, rows = export_rows(tmp_path / "blank", "canvas", roster, graded, missing="blank", **two_labs)
    assert [row[-2:] for row in rows[2:]] == [["2", "3"], ["", "1"], ["", ""]] and not report.needs_attention
    assert "Canvas removes a grade it has" in "\n".join(report.lines())
    # One lab at a time, every row is whole.
    report, rows = export_rows(tmp_path / "one", "canvas", roster, graded, labs=["other_lab"], **two_labs)
    assert [row[0] for row in rows[2:]] == ["alice"] and not report.needs_attention


def test_moodle_rows_without_an_identifier_are_left_out_and_columns_are_declared(tmp_path):
    worksheet = [
        ["Identifier", "Full name", "Email address", "Status", "Grade"],
        ["Participant 1234567", "José García", "jose@example.org", "Submitted", ""],
        ["Participant 1234568", "Zoë d'Arc", "", "Submitted", ""],
    ]
    graded = [("jose", "José García", "1234567", 2.0), ("zoe", "Zoë d'Arc", "1234568", 3.0)]
    item = "Assignment: Lab 8: Tiny lab (Real)"
    report, rows = export_rows(tmp_path, "moodle", worksheet, graded, columns={LAB: item})
    # Moodle's import gives a row without an identifier to the user of the row above: never write one.
    assert rows == [["Email address", "Full name", item], ["jose@example.org", "José García", "2"]]
    assert report.needs_attention and "has no Email address" in report.left_out[0]
    grades_export = [["First name", "Last name", "Email address", item], ["José", "García", "jose@example.org", "1"]]
    _, rows = export_rows(tmp_path / "grades", "moodle", grades_export, graded[:1], columns={LAB: "Lab 8*"})
    assert rows[0][-1] == item
