"""``--shard K/N`` and ``dcai merge``: shards split a class by a hash of each name, and merge back into one run.

The merge tests use fake graded course folders (a gradebook set up by nbgrader for the tiny lab, filled
with nbgrader's API); one test grades the tiny lab for real, sharded and not, through ``grade()``.
"""

from __future__ import annotations

import inspect
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from dcai_helpers.cli import main
from dcai_helpers.course.assignment import Course
from dcai_helpers.course.config import COURSE_ID
from dcai_helpers.grading.records import GradeRow, read_csv, read_rows, write_csv
from dcai_helpers.grading.shard import MergeError, Shard, merge, parse_shard, select_shard, shard_of
from dcai_helpers.grading.submissions import nbgrader_id_for
from dcai_helpers.labs import Lab

CLASS = ["José García", "o'brien-smith", "alice", "bob", "carol", "李 雷", "zoë", "dave", "erin", "frank"]


@dataclass
class Student:
    student_id: str


# --- choosing a shard ----------------------------------------------------------------------------


def test_parse_shard_takes_k_of_n_from_zero():
    assert parse_shard("0/4") == Shard(0, 4)
    assert parse_shard(" 3 / 4 ") == Shard(3, 4)
    assert str(parse_shard("1/2")) == "1/2"
    for bad in ("4/4", "1/0", "-1/4", "1", "a/b", "1/2/3"):
        with pytest.raises(ValueError, match="K counts from 0"):
            parse_shard(bad)


def test_shards_partition_the_class():
    students = [Student(name) for name in CLASS]
    shards = [select_shard(students, f"{k}/3") for k in range(3)]
    assert sorted(s.student_id for shard in shards for s in shard) == sorted(CLASS)
    assert select_shard(students, None) == students


def test_a_late_student_moves_no_one_else():
    before = {name: shard_of(name, 4) for name in CLASS}
    after = {name: shard_of(name, 4) for name in [*CLASS, "late_larry"]}
    assert {name: after[name] for name in CLASS} == before


def test_shards_are_balanced_and_do_not_depend_on_order():
    names = [f"student{i:04d}" for i in range(2000)]
    counts = [sum(shard_of(name, 4) == k for name in names) for k in range(4)]
    assert min(counts) > 400, counts  # 500 each on average
    assert [shard_of(n, 4) for n in reversed(names)] == [shard_of(n, 4) for n in names][::-1]


# --- merging fake graded folders -----------------------------------------------------------------


@pytest.fixture(scope="module")
def template_gradebook(tmp_path_factory) -> tuple[Lab, Path]:
    """A gradebook that nbgrader set up for the tiny lab (what ``dcai grade`` starts from)."""
    from conftest import tiny_notebook

    root = tmp_path_factory.mktemp("template")
    lab = Lab("tiny_lab", "Tiny lab", 3, (), "none", solutions_dir=root / "solutions")
    lab.solution.parent.mkdir(parents=True)
    nbformat.write(tiny_notebook(), lab.solution)
    course = Course(lab, root / "course")
    course.setup()
    return lab, root / "course" / "gradebook.db"


def fake_run(out: Path, lab: Lab, template: Path, students: list[str]) -> Path:
    """A graded folder as ``dcai grade`` leaves it: grades.csv, a gradebook with scores, per-student files."""
    out.mkdir(parents=True)
    shutil.copyfile(template, out / "gradebook.db")
    rows = []
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        for student in students:
            score = float(len(student) % 4)  # some 0s, some full marks
            nb_id = nbgrader_id_for(student)
            gb.update_or_create_student(nb_id, lms_user_id=str(len(student)))
            gb.update_or_create_submission(lab.id, nb_id)
            submitted = gb.find_submission_notebook(lab.id, lab.id, nb_id)
            for grade in submitted.grades:
                grade.auto_score = min(score, grade.max_score)
                grade.needs_manual_grade = False
            submitted.flagged = score == 0
            gb.db.commit()
            rows.append(GradeRow(student, lab.id, min(score, 3.0), 3.0, "ok", f"graded: {score:g}/3 points."))
            page = out / "feedback" / student / lab.id / f"{lab.id}.html"
            page.parent.mkdir(parents=True)
            page.write_text(f"feedback for {student}")
            (out / "autograded" / nb_id / lab.id).mkdir(parents=True)
            (out / "logs").mkdir(exist_ok=True)
            (out / "logs" / f"{student}.log").write_text("log")
    write_csv(out / "grades.csv", rows)
    return out


def gradebook_contents(db: Path) -> dict:
    """Everything a gradebook says about its students: ids, LMS ids, flags and every grade."""
    with Gradebook(f"sqlite:///{db}", course_id=COURSE_ID) as gb:
        return {
            student.id: (
                student.lms_user_id,
                [
                    (nb.name, nb.flagged, sorted((g.name, g.auto_score, g.needs_manual_grade) for g in nb.grades))
                    for submitted in student.submissions
                    for nb in submitted.notebooks
                ],
            )
            for student in gb.students
        }


def tree(folder: Path) -> list[str]:
    """The files of a graded folder but its gradebook and its nbgrader_config.py (every merge writes one)."""
    skipped = {"gradebook.db", "nbgrader_config.py"}
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name not in skipped)


def test_the_union_of_shards_equals_one_run(template_gradebook, tmp_path):
    lab, template = template_gradebook
    whole = fake_run(tmp_path / "whole", lab, template, CLASS)
    shards = [
        fake_run(
            tmp_path / f"out-{k}", lab, template, [s.student_id for s in select_shard(map(Student, CLASS), f"{k}/3")]
        )
        for k in range(3)
    ]
    report = merge(shards, into=tmp_path / "merged")
    merged = tmp_path / "merged"
    assert (report.shards, report.rows, report.students_in_gradebook) == (3, len(CLASS), len(CLASS))
    assert read_rows(merged / "grades.csv") == read_rows(whole / "grades.csv")
    assert gradebook_contents(merged / "gradebook.db") == gradebook_contents(whole / "gradebook.db")
    assert tree(merged) == tree(whole)


def test_overlapping_shards_are_refused_and_nothing_is_written(template_gradebook, tmp_path, capsys):
    lab, template = template_gradebook
    first = fake_run(tmp_path / "out-0", lab, template, ["alice", "José García"])
    second = fake_run(tmp_path / "out-1", lab, template, ["bob", "José García"])
    with pytest.raises(MergeError, match="'José García' .* in .*out-0 and .*out-1"):
        merge([first, second], into=tmp_path / "merged")
    assert not (tmp_path / "merged").exists()
    assert main(["merge", str(first), str(second), "--into", str(tmp_path / "merged")]) == 1
    assert "Each student must be graded in one shard only" in capsys.readouterr().err


def test_shards_graded_against_another_answer_key_are_refused(template_gradebook, tmp_path):
    from conftest import TEST, tiny_notebook

    lab, template = template_gradebook
    other = Lab(lab.id, lab.title, 3, (), "none", solutions_dir=tmp_path / "private")
    other.solution.parent.mkdir(parents=True)
    nbformat.write(tiny_notebook(test=TEST.replace("double(21) == 42", "double(5) == 10")), other.solution)
    Course(other, tmp_path / "private-course").setup()
    first = fake_run(tmp_path / "out-0", lab, template, ["alice"])
    second = fake_run(tmp_path / "out-1", other, tmp_path / "private-course" / "gradebook.db", ["bob"])
    with pytest.raises(MergeError, match="another lab or answer key"):
        merge([first, second], into=tmp_path / "merged")


def test_merge_usage_errors_exit_2(template_gradebook, tmp_path, capsys):
    lab, template = template_gradebook
    first = fake_run(tmp_path / "out-0", lab, template, ["alice"])
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "grades.csv").write_text("")
    assert main(["merge", str(first), "--into", str(taken)]) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert main(["merge", str(first), str(tmp_path / "out-9"), "--into", str(tmp_path / "m")]) == 2
    assert "out-9/grades.csv does not exist" in capsys.readouterr().err
    assert main(["merge", str(first), "--into", str(tmp_path / "m")]) == 0
    assert "merged 1 shard(s)" in capsys.readouterr().out
    assert [r["student_id"] for r in read_csv(tmp_path / "m" / "grades.csv")] == ["alice"]


def test_a_gradebook_that_is_not_nbgraders_is_refused(template_gradebook, tmp_path):
    lab, template = template_gradebook
    first = fake_run(tmp_path / "out-0", lab, template, ["alice"])
    second = fake_run(tmp_path / "out-1", lab, template, ["bob"])
    (second / "gradebook.db").unlink()
    sqlite3.connect(second / "gradebook.db").close()  # an empty SQLite file
    with pytest.raises(MergeError, match="not an nbgrader gradebook"):
        merge([first, second], into=tmp_path / "merged")


# --- a real run ----------------------------------------------------------------------------------


def test_sharded_grading_then_merge_equals_one_run(tiny_lab, tmp_path):
    from dcai_helpers.grading.grade import grade
    from dcai_helpers.grading.sandbox import bwrap_available

    if "shard" not in inspect.signature(grade).parameters:
        pytest.skip("grade() has no `shard` parameter yet (dcai grade --shard K/N)")
    from test_grade import WRONG, student_notebook, submit

    subs = tmp_path / "submitted"
    submit(subs, "José García", tiny_lab, student_notebook(tiny_lab, tmp_path))
    submit(subs, "bob", tiny_lab, student_notebook(tiny_lab, tmp_path, WRONG))
    submit(subs, "carol", tiny_lab, raw=b"")
    (subs / "erin").mkdir()
    options = {"jobs": 2, "timeout": 60}
    if "sandbox" in inspect.signature(grade).parameters:
        options["sandbox"] = bwrap_available()
    grade(tiny_lab, subs, out=tmp_path / "whole", **options)
    for k in range(2):
        grade(tiny_lab, subs, out=tmp_path / f"out-{k}", shard=f"{k}/2", **options)
    merge([tmp_path / "out-0", tmp_path / "out-1"], into=tmp_path / "merged")
    assert read_rows(tmp_path / "merged" / "grades.csv") == read_rows(tmp_path / "whole" / "grades.csv")
    whole, merged = (
        gradebook_contents(tmp_path / "whole" / "gradebook.db"),
        gradebook_contents(tmp_path / "merged" / "gradebook.db"),
    )
    assert merged == whole
    assert tree(tmp_path / "merged") == tree(tmp_path / "whole")
    assert f"source/{tiny_lab.id}/{tiny_lab.solution.name}" in tree(tmp_path / "merged"), "formgrader's answer key"
    assert (tmp_path / "merged" / "nbgrader_config.py").read_text() == (
        tmp_path / "whole" / "nbgrader_config.py"
    ).read_text()
