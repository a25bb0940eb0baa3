"""nbval's comparison tolerates a lab's stated float noise in numbers, and nothing else."""

from __future__ import annotations

import nbformat

from dcai_helpers.authoring.output_tolerance import reconcile, reconcile_outputs, tolerance_of
from dcai_helpers.labs import get_lab


def test_numbers_within_the_tolerance_take_the_committed_text():
    assert reconcile("AUC 0.672, 0.466+-0.008", "AUC 0.673, 0.466+-0.005", 0.006) == "AUC 0.673, 0.466+-0.005"


def test_a_number_beyond_it_or_any_other_difference_still_fails():
    assert reconcile("AUC 0.672", "AUC 0.690", 0.006) == "AUC 0.672"
    assert reconcile("turn and scale 0.870", "turn and scale + mixup 0.870", 0.006) == "turn and scale 0.870"
    assert reconcile("AUC 0.672", "AUC 0.673", 0.0) == "AUC 0.672"


def test_outputs_are_reconciled_field_by_field_and_stay_notebook_nodes():
    ran = [nbformat.v4.new_output("stream", name="stdout", text="best AUC 0.833\n")]
    committed = [nbformat.v4.new_output("stream", name="stdout", text="best AUC 0.832\n")]
    (output,) = reconcile_outputs(ran, committed, 0.006)
    assert output.text == "best AUC 0.832\n" and output.output_type == "stream"


def test_the_tolerance_is_the_labs():
    lab = get_lab("data_privacy")
    assert tolerance_of(lab.solution) == lab.output_tolerance > 0
    assert tolerance_of(get_lab("label_errors").solution) == 0.0
