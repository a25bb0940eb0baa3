"""Integrity: cells changed against the release are reported and the notebook stays gradable on the release's."""

from __future__ import annotations

import nbformat
from conftest import grade_meta, tiny_notebook

from dcai_helpers.course.notebooks import nbgrader_meta
from dcai_helpers.grading.integrity import changed_locked_cells, prepare_submission
from dcai_helpers.grading.status import Event, Finding


def release_and_answer():
    release = tiny_notebook()
    return release, nbformat.from_dict(release)


def test_a_copied_answer_stays_as_code_and_a_copied_test_is_dropped():
    release, nb = release_and_answer()
    nb.cells.insert(2, nbformat.from_dict(nb.cells[1]))
    nb.cells.append(nbformat.from_dict(nb.cells[3]))
    prepared, findings = prepare_submission(nb, release)
    assert [nbgrader_meta(c).get("grade_id") for c in prepared.cells] == [None, "double", None, "test_double"]
    assert findings == [Finding(Event.CELL_DUPLICATED, "double"), Finding(Event.CELL_DUPLICATED, "test_double")]
    assert len(nb.cells) == 5, "the submission itself is not changed"


def test_an_added_graded_cell_is_dropped_and_changed_metadata_restored():
    release, nb = release_and_answer()
    nb.cells.append(nbformat.v4.new_code_cell("pass", metadata=grade_meta("bonus", grade=True, points=50)))
    nb.cells[2].metadata["nbgrader"]["grade"] = False
    prepared, findings = prepare_submission(nb, release)
    assert len(prepared.cells) == 3
    assert nbgrader_meta(prepared.cells[2])["grade"] is True
    assert [f.event for f in findings] == [Event.METADATA_CHANGED, Event.CELL_ADDED]
    assert "grade False instead of True" in findings[0].what


def test_edited_retyped_and_deleted_tests_are_named():
    release, nb = release_and_answer()
    assert prepare_submission(nb, release)[1] == []
    nb.cells[2].source = "pass"
    assert changed_locked_cells(nb, release) == [Finding(Event.CELL_EDITED, "test_double")]
    nb.cells[2] = nbformat.v4.new_markdown_cell("x", metadata=nb.cells[2].metadata)
    assert changed_locked_cells(nb, release) == [Finding(Event.CELL_RETYPED, "test_double", "markdown")]
    del nb.cells[2]
    assert changed_locked_cells(nb, release) == [Finding(Event.CELL_DELETED, "test_double")]
