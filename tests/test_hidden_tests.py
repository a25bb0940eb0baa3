"""Each lab's hidden tests reject a hard-coded answer that passes the public tests (tests/hardcoded/)."""

from __future__ import annotations

import pytest
from labrun import errors, hardcoded_answers, public_and_hidden_run

from dcai_helpers.grading import notebooks
from dcai_helpers.labs import LABS

CASES = [
    pytest.param(lab, test_id, answers, id=f"{lab.id}-{test_id}")
    for lab in LABS
    for test_id, answers in hardcoded_answers(lab).items()
]


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_every_test_cell_has_a_hardcoded_answer(lab):
    graded = {
        notebooks.nbgrader_meta(cell)["grade_id"]
        for cell in notebooks.test_cells(notebooks.read_notebook(lab.solution))
    }
    assert set(hardcoded_answers(lab)) == graded, f"tests/hardcoded/{lab.id}.py must cover exactly the test cells"


@pytest.mark.notebook
@pytest.mark.parametrize(("lab", "test_id", "answers"), CASES)
def test_hidden_tests_reject_hardcoded_answer(lab, test_id, answers):
    public, hidden = public_and_hidden_run(lab, test_id, answers)
    assert not errors(public), f"the hard-coded answer should pass the public tests, but: {errors(public)}"
    assert errors(hidden), "the hidden tests accepted a hard-coded answer"
