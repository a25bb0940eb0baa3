"""Each lab's public tests catch the plausible beginner mistakes and name the broken rule (tests/mistakes/).

A rule an exercise states is only a rule if a public test checks it: ``tests/mistakes/<lab>.py`` lists,
per test cell, mistakes a beginner makes (one per stated rule at least), and each must fail the public
part of that test cell with a message that contains the rule's name.
"""

from __future__ import annotations

import pytest
from labrun import errors, mistakes, public_runs

from dcai_helpers.grading import notebooks
from dcai_helpers.labs import LABS


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_every_test_cell_has_mistakes(lab):
    graded = {
        notebooks.nbgrader_meta(cell)["grade_id"]
        for cell in notebooks.test_cells(notebooks.read_notebook(lab.solution))
    }
    listed = {test_id for test_id, found in mistakes(lab).items() if found}
    assert listed == graded, f"tests/mistakes/{lab.id}.py must list mistakes for exactly the test cells"


CASES = [
    pytest.param(lab, test_id, found, id=f"{lab.id}-{test_id}", marks=pytest.mark.xdist_group(f"mistakes-{lab.id}"))
    for lab in LABS
    for test_id, found in mistakes(lab).items()
]


@pytest.mark.notebook
@pytest.mark.parametrize(("lab", "test_id", "found"), CASES)
def test_public_tests_catch_the_mistakes(lab, test_id, found):
    outputs = public_runs(lab, test_id, [mistake.answers for mistake in found])
    for mistake, output in zip(found, outputs, strict=True):
        raised = errors(output)
        assert raised, f"{test_id}: the public tests accept the mistake '{mistake.what}'"
        assert any(mistake.rule in message for message in raised), (
            f"{test_id}: the mistake '{mistake.what}' fails, but the message does not name the rule "
            f"'{mistake.rule}': {raised}"
        )
