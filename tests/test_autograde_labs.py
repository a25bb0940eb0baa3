"""``dcai grade`` end to end on every real lab, through the production path (sandbox and probes included).

A correct submission earns full marks with status ``ok``, the unchanged student release earns 0 on every
autograded cell, and a notebook with one wrong answer loses exactly that cell's points.
"""

from __future__ import annotations

import nbformat
import pytest
from hostile import correct
from labrun import hardcoded_answers, whole_lab_tests, with_answers
from nbgrader.api import Gradebook

from dcai_helpers.course.config import COURSE_ID
from dcai_helpers.grading.grade import grade
from dcai_helpers.grading.sandbox import bwrap_available
from dcai_helpers.labs import LABS

pytestmark = pytest.mark.notebook


# One xdist group per lab, so its three submissions are graded once, on one worker (make test: --dist loadgroup).
@pytest.fixture(
    scope="module",
    params=[pytest.param(lab, marks=pytest.mark.xdist_group(lab.id)) for lab in LABS],
    ids=lambda lab: lab.id,
)
def graded(request, tmp_path_factory):
    """The lab, the test cell answered wrongly, and per student: the row and the gradebook's scores by cell."""
    lab = request.param
    work = tmp_path_factory.mktemp(lab.id)
    wrong_test, answers = next(iter(hardcoded_answers(lab).items()))
    submissions = {
        "solution": correct(lab),
        "release": nbformat.read(lab.release, as_version=4),
        "one_wrong": with_answers(correct(lab), answers),
    }
    for student, nb in submissions.items():
        path = work / "submitted" / student / lab.id / f"{lab.id}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    # Graded as an instructor would, with bubblewrap wherever it works (CI installs it).
    rows = grade(lab, work / "submitted", out=work / "out", jobs=1, sandbox=bwrap_available())
    cells = {}
    with Gradebook(f"sqlite:///{work / 'out' / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        for student in submissions:
            notebook = gb.find_submission_notebook(lab.solution.stem, lab.id, student)
            cells[student] = {
                g.name: (float(g.score), float(g.max_score))
                for g in notebook.grades
                if g.cell.__class__.__name__ == "GradeCell"
            }
    return lab, wrong_test, {row.student_id: row for row in rows}, cells


def test_solution_earns_full_marks(graded):
    lab, _, rows, cells = graded
    row = rows["solution"]
    assert row.max_score == lab.points, "the registry's points must equal the notebook's test points"
    failing = [grade_id for grade_id, (score, points) in cells["solution"].items() if score != points]
    assert (row.status, row.score) == ("ok", row.max_score), f"the solution loses points on {failing}: {row.detail}"


def test_unchanged_release_earns_zero(graded):
    _, _, rows, cells = graded
    scored = {grade_id: score for grade_id, (score, _) in cells["release"].items() if score}
    assert not scored, f"the unchanged student notebook earns points on {scored}"
    assert rows["release"].score == 0


def test_one_wrong_answer_loses_exactly_its_points(graded):
    lab, wrong_test, rows, cells = graded
    by_cell = cells["one_wrong"]
    assert by_cell[wrong_test][0] == 0
    # A test of the whole lab's result (the capstone's final training set) may lose points too, by design.
    spared = {wrong_test, *whole_lab_tests(lab)}
    others = {gid: score for gid, (score, points) in by_cell.items() if gid not in spared and score != points}
    assert not others, f"a wrong answer to {wrong_test} also cost points on {others}"
    lost_on_whole = sum(points - score for gid, (score, points) in by_cell.items() if gid in spared - {wrong_test})
    assert rows["one_wrong"].score == rows["one_wrong"].max_score - by_cell[wrong_test][1] - lost_on_whole
