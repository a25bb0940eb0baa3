"""Each lab's hidden tests reject a hard-coded answer that passes the public tests (tests/hardcoded/), and the
grader's verdict on the solution itself is full marks at every test cell."""

from __future__ import annotations

import pytest
from labrun import errors, hardcoded_answers, run_variants

from dcai_helpers.course import notebooks
from dcai_helpers.labs import LABS
from dcai_helpers.verdicts.trusted import Outcome


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_every_test_cell_has_a_hardcoded_answer(lab):
    graded = {
        notebooks.nbgrader_meta(cell)["grade_id"]
        for cell in notebooks.test_cells(notebooks.read_notebook(lab.solution))
    }
    assert set(hardcoded_answers(lab)) == graded, f"tests/hardcoded/{lab.id}.py must cover exactly the test cells"


@pytest.mark.notebook
@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_hidden_tests_reject_hardcoded_answers(lab):
    answers = hardcoded_answers(lab)
    runs = run_variants(lab, {test_id: [variant] for test_id, variant in answers.items()})
    problems = []
    for test_id, (run,) in runs.variants.items():
        if errors(run.public):
            problems.append(f"{test_id}: the hard-coded answer should pass the public tests, but: {errors(run.public)}")
        if run.verdict.public != Outcome.PASSED:
            problems.append(f"{test_id}: the grader's run of the public tests rejects it: {run.verdict.message}")
        elif run.verdict.hidden != Outcome.FAILED or run.verdict.points:
            problems.append(f"{test_id}: the hidden tests accepted a hard-coded answer ({run.verdict})")
    for test_id, verdict in runs.solution.items():
        if not verdict.passed:
            problems.append(f"{test_id}: the grader does not give the solution full marks: {verdict.message}")
    assert not problems, "\n".join(problems)
