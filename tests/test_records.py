"""``grades.csv``: one row per student and lab, sorted; a regrade updates its rows and keeps the others."""

from __future__ import annotations

import pytest

from dcai_helpers.grading.records import CSV_COLUMNS, GradeRow, RecordsError, read_csv, read_rows, update_csv, write_csv


def row(student: str, score: float, status: str = "ok", lab: str = "label_errors") -> GradeRow:
    return GradeRow(student, lab, score, 10.0, status, f"graded: {score:g}/10 points.")


def test_a_regrade_updates_its_rows_and_keeps_the_others(tmp_path):
    path = tmp_path / "grades.csv"
    update_csv(path, [row("José García", 10), row("bob", 0, "invalid"), row("alice", 7)])
    merged = update_csv(path, [row("bob", 9)])
    assert [(r.student_id, r.score, r.status) for r in merged] == [
        ("José García", 10.0, "ok"),
        ("alice", 7.0, "ok"),
        ("bob", 9.0, "ok"),
    ]
    assert read_rows(path) == merged
    assert [r["student_id"] for r in read_csv(path)] == ["José García", "alice", "bob"]


def test_one_row_per_student_and_lab(tmp_path):
    path = tmp_path / "grades.csv"
    update_csv(path, [row("alice", 7), row("alice", 5, lab="outliers")])
    assert len(update_csv(path, [row("alice", 8)])) == 2
    with pytest.raises(RecordsError, match="two rows for student 'alice'"):
        write_csv(path, [row("alice", 1), row("alice", 2)])


def test_scores_are_written_the_same_way_every_time(tmp_path):
    path = tmp_path / "grades.csv"
    write_csv(path, [row("alice", 7.5)])
    assert path.read_text(encoding="utf-8").splitlines() == [
        ",".join(CSV_COLUMNS),
        "alice,label_errors,7.5,10,ok,graded: 7.5/10 points.",
    ]


def test_a_csv_that_dcai_did_not_write_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "grades.csv"
    exported = "assignment,duedate,timestamp,student_id,last_name,first_name,email,raw_score,late_submission_penalty\n"
    path.write_text(exported)
    with pytest.raises(RecordsError, match="nbgrader export --to nbgrader-grades.csv"):
        update_csv(path, [row("alice", 7)])
    assert path.read_text() == exported


def test_a_failed_write_leaves_the_old_file_whole(tmp_path):
    path = tmp_path / "grades.csv"
    write_csv(path, [row("alice", 7)])
    before = path.read_bytes()
    broken = GradeRow("carol", "label_errors", "not a number", 10.0, "ok", "")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        write_csv(path, [row("bob", 1), broken])  # fails half-way through writing
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]


def test_no_file_reads_as_no_rows(tmp_path):
    assert read_rows(tmp_path / "grades.csv") == []


def test_text_a_spreadsheet_would_run_is_written_with_an_apostrophe_and_read_back_as_it_was(tmp_path):
    from dcai_helpers.grading.records import GradeRow, read_rows, write_csv

    # (A name with a line break never gets here: the intake refuses control characters in names.)
    names = ['=HYPERLINK("x","y")', "@SUM(A1)", "+1", "-2", "\tTAB", "'quoted", "José"]
    rows = [GradeRow(name, "lab", 1.0, 2.0, "ok", "=detail") for name in names]
    write_csv(tmp_path / "grades.csv", rows)
    import csv

    with (tmp_path / "grades.csv").open(newline="", encoding="utf-8") as f:
        cells = {line[0] for line in list(csv.reader(f))[1:]}
    assert cells == {"'" + name for name in names[:5]} | {"'quoted", "José"}
    assert sorted(row.student_id for row in read_rows(tmp_path / "grades.csv")) == sorted(names)
    assert {row.detail for row in read_rows(tmp_path / "grades.csv")} == {"=detail"}
