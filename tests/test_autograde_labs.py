"""nbgrader autograde end to end on every real lab, in a temporary course folder.

A solution earns full marks, the unchanged student release earns 0 on every autograded cell, and a
notebook with one wrong answer loses exactly that cell's points.
"""

from __future__ import annotations

import nbformat
import pytest
from labrun import hardcoded_answers, with_answers

from dcai_helpers.grading.course import Course
from dcai_helpers.grading.notebooks import read_notebook
from dcai_helpers.labs import LABS

pytestmark = pytest.mark.notebook


# One xdist group per lab, so its three submissions are graded once, on one worker (make test: --dist loadgroup).
@pytest.fixture(
    scope="module",
    params=[pytest.param(lab, marks=pytest.mark.xdist_group(lab.id)) for lab in LABS],
    ids=lambda lab: lab.id,
)
def graded(request, tmp_path_factory):
    """The lab, and the autograded scores of a solution, the release and a one-wrong-answer notebook."""
    lab = request.param
    work = tmp_path_factory.mktemp(lab.id)
    course = Course(lab, work / "course")
    course.setup()
    wrong_test, answers = next(iter(hardcoded_answers(lab).items()))
    one_wrong = work / f"{lab.id}.ipynb"
    nbformat.write(with_answers(read_notebook(lab.solution), answers), one_wrong)
    submissions = {"solution": lab.solution, "release": lab.release, "one_wrong": one_wrong}
    scores = {}
    for student, notebook in submissions.items():
        course.submit(student, notebook)
        scores[student] = course.autograde(student)
    return lab, wrong_test, scores


def test_solution_earns_full_marks(graded):
    lab, _, scores = graded
    result = scores["solution"]
    assert result.max_score == lab.points, "the registry's points must equal the notebook's test points"
    failing = [c.grade_id for c in result.cells if c.score != c.max_score]
    assert result.score == result.max_score, f"the solution loses points on {failing}"


def test_unchanged_release_earns_zero(graded):
    _, _, scores = graded
    scored = {c.grade_id: c.score for c in scores["release"].cells if c.score}
    assert not scored, f"the unchanged student notebook earns points on {scored}"


def test_one_wrong_answer_loses_exactly_its_points(graded):
    _, wrong_test, scores = graded
    by_cell = {c.grade_id: c for c in scores["one_wrong"].cells}
    assert by_cell[wrong_test].score == 0
    others = {gid: c.score for gid, c in by_cell.items() if gid != wrong_test and c.score != c.max_score}
    assert not others, f"a wrong answer to {wrong_test} also cost points on {others}"
