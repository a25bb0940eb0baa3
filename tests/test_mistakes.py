"""Each lab's public tests catch the plausible beginner mistakes and name the broken rule (tests/mistakes/).

A rule an exercise states is only a rule if a public test checks it: ``tests/mistakes/<lab>.py`` lists,
per test cell, mistakes a beginner makes (one per stated rule at least), and each must fail the public
part of that test cell with a message that contains the rule's name, as a student sees it (``dcai check``),
and lose that test cell's points at grading (the grader's verdict, made outside the kernel).
"""

from __future__ import annotations

import pytest
from labrun import errors, mistakes, run_variants

from dcai_helpers.course import notebooks
from dcai_helpers.labs import LABS


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_every_test_cell_has_mistakes(lab):
    graded = {
        notebooks.nbgrader_meta(cell)["grade_id"]
        for cell in notebooks.test_cells(notebooks.read_notebook(lab.solution))
    }
    listed = {test_id for test_id, found in mistakes(lab).items() if found}
    assert listed == graded, f"tests/mistakes/{lab.id}.py must list mistakes for exactly the test cells"


@pytest.mark.notebook
@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_public_tests_catch_the_mistakes(lab):
    listed = mistakes(lab)
    runs = run_variants(lab, {test_id: [m.answers for m in found] for test_id, found in listed.items()})
    problems = []
    for test_id, found in listed.items():
        for mistake, run in zip(found, runs.variants[test_id], strict=True):
            if run.verdict.points:
                problems.append(f"{test_id}: the grader gives points to the mistake '{mistake.what}'")
            raised = errors(run.public)
            if not raised:
                problems.append(f"{test_id}: the public tests accept the mistake '{mistake.what}'")
            elif not any(mistake.rule in message for message in raised):
                problems.append(
                    f"{test_id}: the mistake '{mistake.what}' fails, but no message names the rule "
                    f"'{mistake.rule}': {raised}"
                )
    assert not problems, "\n".join(problems)
