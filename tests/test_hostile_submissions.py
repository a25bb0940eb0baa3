"""Hostile submissions of a real lab, graded in one batch: each gets the right score or status.

One ``grade()`` call grades every kind plus two good submissions (module fixture); a second, smaller
batch holds the endless loop (with a short time limit) and repeats some kinds to show that grading
again gives the same rows. Needs bubblewrap (``apt-get install -y bubblewrap``).
"""

from __future__ import annotations

import csv
import hashlib
import html
import socket
import sqlite3
import tempfile
from pathlib import Path

import hostile
import nbformat
import pytest
from nbgrader.api import Gradebook

from dcai_helpers.course.config import COURSE_ID
from dcai_helpers.course.notebooks import hidden_test_lines, nbgrader_meta
from dcai_helpers.grading.grade import grade
from dcai_helpers.grading.records import read_csv
from dcai_helpers.grading.sandbox import bwrap_available
from dcai_helpers.labs import REPO_ROOT, get_lab

LAB = get_lab("label_errors")
OTHER_LAB = get_lab("class_imbalance")
MAX = float(LAB.points)


def _first_test_cell() -> tuple[str, float]:
    """Grade id and points of the lab's first test cell, which the "first answer" kinds put at stake."""
    if not LAB.release.is_file():
        return "", 0.0
    meta = nbgrader_meta(hostile.test_cell(nbformat.read(LAB.release, as_version=4)))
    return meta["grade_id"], float(meta["points"])


FIRST_TEST, FIRST_POINTS = _first_test_cell()
#: A student folder a spreadsheet would run as a formula.
FORMULA_NAME = '=HYPERLINK("evil.example","click")'

#: Seconds per submission: the full lab runs in about a minute on 2 busy cores.
BATCH_TIMEOUT = 300
LOOP_TIMEOUT = 60

pytestmark = [
    pytest.mark.skipif(not LAB.release.is_file() or not LAB.solution.is_file(), reason="lab label_errors not built"),
    pytest.mark.skipif(not bwrap_available(), reason="needs bubblewrap: apt-get install -y bubblewrap"),
]

TMP = tempfile.gettempdir()


def hostile_kinds(subs: Path, out: Path, port: int) -> dict[str, object]:
    """Student id -> a notebook builder (or raw bytes, or None for a missing notebook)."""
    good = hostile.correct
    lean = lambda *mutations: lambda lab: _apply(hostile.lean(hostile.correct(lab)), mutations)  # noqa: E731
    secrets = [f"{REPO_ROOT}/solutions/**/*.ipynb", f"{TMP}/dcai-grade-*/course/source/**/*.ipynb"]
    gradebooks = [f"{TMP}/dcai-grade-*/template.db", f"{TMP}/dcai-grade-*/s*/course/gradebook.db", f"{out}/**/*.db"]
    return {
        "good_a": good,
        "good_b": good,
        "release": lambda lab: nbformat.read(lab.release, as_version=4),
        "wrong_answer": lean(hostile.wrong_first_answer),
        "sys_exit": lean(hostile.prepend("import sys\nsys.exit(1)")),
        "os_exit": lean(hostile.prepend("import os\nos._exit(1)")),
        "memory_bomb": lean(hostile.prepend("_hog = bytearray(64 * 1024**3)")),
        "thread_storm": lean(hostile.prepend(hostile.THREAD_STORM)),
        "fork_storm": lean(hostile.prepend(hostile.FORK_STORM)),
        "edited_test": lean(hostile.edit_test),
        "deleted_test": lean(hostile.delete_test),
        "test_to_markdown": lean(hostile.test_to_markdown),
        "patch_assert_allclose": lean(
            hostile.prepend("import numpy.testing\nnumpy.testing.assert_allclose = lambda *a, **k: None")
        ),
        "patch_allclose": lean(hostile.prepend("import numpy as np\nnp.allclose = lambda *a, **k: True")),
        "silence_tracebacks": lean(hostile.prepend("get_ipython().showtraceback = lambda *a, **k: None")),
        "read_solutions": lean(hostile.attack(hostile.read_attack(secrets))),
        "read_hidden_tests": lean(hostile.attack(hostile.read_attack(gradebooks + [f"{out}/autograded/**/*.ipynb"]))),
        "write_gradebook": lean(hostile.attack(hostile.write_attack(gradebooks))),
        "write_other_student": lean(
            hostile.attack(hostile.write_attack([f"{subs}/good_a/**/*.ipynb", f"{out}/grades.csv"]))
        ),
        "network": lean(hostile.attack(hostile.network_attack(port))),
        "huge_output": lean(hostile.prepend("print('x' * 20_000_000)")),
        # Limits in bytes: one 200 MB line, one 100 MB image, 2 GB of disk in files of 1 MiB each.
        "huge_line": lean(hostile.prepend("print('x' * 200_000_000)")),
        "huge_image": lean(hostile.prepend(hostile.HUGE_IMAGE)),
        "disk_filler": lean(hostile.prepend(hostile.DISK_FILLER)),
        # Tricks on the grader's reading of the tests, each with a wrong first answer.
        "fake_numpy": lean(hostile.wrong_first_answer, hostile.prepend(hostile.FAKE_NUMPY)),
        "displayhook": lean(hostile.displayhook_first_answer),
        "reads_expected": lean(hostile.reads_expected_first_answer),
        # The answer key carried out by what the kernel prints.
        "prints_history": lean(hostile.append_cell("print(In)\nprint(Out)")),
        "raises_history": lean(hostile.raising_history_first_answer),
        # A name a spreadsheet would run as a formula (the row is written with a leading apostrophe).
        FORMULA_NAME: good,
        "corrupt_json": b'{"cells": [',
        "empty_file": b"",
        "wrong_lab": lambda lab: nbformat.read(OTHER_LAB.release, as_version=4),
        "wrong_file_name": ("notebook.ipynb", good),
        "missing": None,
        "infinite_loop": lean(hostile.prepend("while True:\n    pass")),
    }


def _apply(nb, mutations):
    for mutate in mutations:
        nb = mutate(nb)
    return nb


def write_batch(subs: Path, kinds: dict[str, object]) -> None:
    """Lay ``kinds`` out as nbgrader's submitted folder."""
    for student, kind in kinds.items():
        folder = subs / student / LAB.id
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{LAB.id}.ipynb"
        if isinstance(kind, tuple):
            name, kind = kind
        if kind is None:
            continue
        if isinstance(kind, bytes):
            (folder / name).write_bytes(kind)
        else:
            nbformat.write(kind(LAB), folder / name)


#: Expected (status, score). nbgrader restores an edited or retyped test cell, so it scores as the
#: original; a deleted one is not restored and scores 0.
EXPECTED = {
    "good_a": ("ok", MAX),
    "good_b": ("ok", MAX),
    "release": ("ok", 0.0),
    "wrong_answer": ("ok", MAX - FIRST_POINTS),
    "sys_exit": ("ok", MAX - FIRST_POINTS),
    "os_exit": ("crashed", 0.0),
    "memory_bomb": ("memory", MAX - FIRST_POINTS),
    "thread_storm": ("ok", MAX),
    "fork_storm": ("ok", MAX),
    "edited_test": ("tampered", MAX),
    "deleted_test": ("tampered", MAX - FIRST_POINTS),
    "test_to_markdown": ("tampered", MAX),
    # Helpers replaced in the kernel change nothing: the grader's own numpy and assert judge the right answers.
    "patch_assert_allclose": ("ok", MAX),
    "patch_allclose": ("ok", MAX),
    "silence_tracebacks": ("ok", MAX),
    "read_solutions": ("ok", MAX),
    "read_hidden_tests": ("ok", MAX),
    "write_gradebook": ("ok", MAX),
    "write_other_student": ("ok", MAX),
    "network": ("ok", MAX),
    "huge_output": ("ok", MAX),
    "huge_line": ("ok", MAX),
    "huge_image": ("ok", MAX),
    "disk_filler": ("ok", MAX),
    "fake_numpy": ("ok", MAX - FIRST_POINTS),
    "displayhook": ("ok", MAX - FIRST_POINTS),
    "reads_expected": ("ok", MAX - FIRST_POINTS),
    "prints_history": ("ok", MAX),
    "raises_history": ("ok", MAX - FIRST_POINTS),
    FORMULA_NAME: ("ok", MAX),
    "corrupt_json": ("invalid", 0.0),
    "empty_file": ("invalid", 0.0),
    "wrong_lab": ("invalid", 0.0),
    "wrong_file_name": ("invalid", 0.0),
    "missing": ("missing", 0.0),
}
SECOND_BATCH = ["release", "wrong_answer", "os_exit", "edited_test", "patch_allclose", "corrupt_json", "missing"]


@pytest.fixture(scope="module")
def listener():
    """A TCP server on the grader's host that no submission may reach."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    yield server.getsockname()[1]
    server.close()


@pytest.fixture(scope="module")
def batch(tmp_path_factory, listener):
    """The first batch graded once: (submissions, out, rows by student, hash of good_a's notebook)."""
    root = tmp_path_factory.mktemp("hostile")
    subs, out = root / "submitted", root / "out"
    kinds = hostile_kinds(subs, out, listener)
    write_batch(subs, {k: v for k, v in kinds.items() if k in EXPECTED})
    good_a = subs / "good_a" / LAB.id / f"{LAB.id}.ipynb"
    before = hashlib.sha256(good_a.read_bytes()).hexdigest()
    grade(LAB, subs, out=out, jobs=2, timeout=BATCH_TIMEOUT, disk=256)
    return subs, out, {row["student_id"]: row for row in read_csv(out / "grades.csv")}, before


def test_at_least_twenty_hostile_kinds():
    assert len([k for k in EXPECTED if not k.startswith("good")]) + 1 >= 30


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_kind_gets_its_status_and_score(batch, student):
    _, _, rows, _ = batch
    status, score = EXPECTED[student]
    row = rows[student]
    assert row["status"] == status, f"{student}: {row}"
    if score is not None:
        assert float(row["score"]) == score, f"{student}: {row}"
    assert float(row["max_score"]) == MAX
    assert row["detail"].endswith("."), row


def test_tampering_is_named_in_the_detail(batch):
    _, _, rows, _ = batch
    assert f"deleted {FIRST_TEST}" in rows["deleted_test"]["detail"]
    assert "into markdown" in rows["test_to_markdown"]["detail"]
    assert (
        rows["wrong_answer"]["detail"] == f"graded: {MAX - FIRST_POINTS:g}/{MAX:g} points, lost points on {FIRST_TEST}."
    )


def test_outputs_are_cut_in_bytes_and_the_disk_is_bounded(batch):
    _, out, rows, _ = batch
    for student in ("huge_output", "huge_line", "huge_image"):
        page = out / "feedback" / student / LAB.id / f"{LAB.id}.html"
        assert page.stat().st_size < 4 * 2**20, f"{student}: a feedback page of {page.stat().st_size} bytes"
        assert "output cut here" in page.read_text(encoding="utf-8"), student
    graded = out / "autograded" / "disk_filler" / LAB.id / f"{LAB.id}.ipynb"
    filled = [o for cell in nbformat.read(graded, as_version=4).cells for o in cell.get("outputs", [])]
    assert any("filled" in "".join(o.get("text", "")) for o in filled), "the filler reports how far it got"


def test_a_formula_name_is_neutralised_in_the_csv_and_kept_in_the_gradebook(batch):
    _, out, rows, _ = batch
    with (out / "grades.csv").open(newline="", encoding="utf-8") as f:
        first_cells = [line[0] for line in csv.reader(f)]
    assert f"'{FORMULA_NAME}" in first_cells and FORMULA_NAME not in first_cells
    assert rows[FORMULA_NAME]["student_id"] == FORMULA_NAME  # read back as it was
    with sqlite3.connect(out / "gradebook.db") as db:
        names = {row[0] for row in db.execute("SELECT last_name FROM student")}
    assert FORMULA_NAME in names


def test_other_students_files_are_untouched(batch):
    subs, _, _, before = batch
    good_a = subs / "good_a" / LAB.id / f"{LAB.id}.ipynb"
    assert hashlib.sha256(good_a.read_bytes()).hexdigest() == before


def test_gradebook_is_intact_and_matches_the_csv(batch):
    _, out, rows, _ = batch
    with sqlite3.connect(out / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        nbgrader_id = {student.last_name: student.id for student in gb.students}  # the name as given -> nbgrader's id
        for student, row in rows.items():
            if row["status"] in ("invalid", "missing"):
                continue
            submission = gb.find_submission_notebook(LAB.id, LAB.id, nbgrader_id[student])
            assert float(submission.score) == float(row["score"]), student


def test_feedback_holds_no_hidden_test_line(batch):
    _, out, rows, _ = batch
    secret = {line for line in hidden_test_lines(nbformat.read(LAB.solution, as_version=4)) if len(line) >= 12}
    assert secret, "the lab has no hidden tests to check"
    pages = sorted((out / "feedback").rglob("*.html"))
    assert {page.parts[-3] for page in pages} == set(rows)
    for page in pages:
        text = html.unescape(page.read_text(encoding="utf-8"))
        leaked = [line for line in secret if line in text]
        assert not leaked, f"{page}: {leaked[:3]}"


def test_loop_times_out_and_grading_again_gives_the_same_rows(tmp_path, batch, listener):
    _, _, first_rows, _ = batch
    subs, out = tmp_path / "submitted", tmp_path / "out"
    kinds = hostile_kinds(subs, out, listener)
    write_batch(subs, {k: kinds[k] for k in [*SECOND_BATCH, "infinite_loop"]})
    rows = {row.student_id: row for row in grade(LAB, subs, out=out, jobs=2, timeout=LOOP_TIMEOUT)}
    assert rows["infinite_loop"].status == "timeout", rows["infinite_loop"]
    again = {row["student_id"]: row for row in read_csv(out / "grades.csv")}
    for student in SECOND_BATCH:
        assert again[student] == first_rows[student], student
