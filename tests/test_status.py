"""The statuses of grades.csv: one enum, one vocabulary of events, one ``decide``."""

from __future__ import annotations

import pytest

from dcai_helpers.grading.status import (
    MEANING,
    PHRASE,
    STATUS_OF,
    Event,
    Finding,
    Status,
    decide,
    event_of_error,
    event_of_failure,
    status_of,
)


def test_every_status_has_a_meaning_and_every_event_a_phrase_and_a_status():
    assert set(MEANING) == set(Status)
    assert set(PHRASE) == set(Event)
    assert set().union(*STATUS_OF.values()) == set(Event)


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([], Status.OK),
        ([Event.CELL_TIMEOUT], Status.TIMEOUT),
        ([Event.CELL_MEMORY, Event.CELL_TIMEOUT], Status.TIMEOUT),
        ([Event.KERNEL_OUT_OF_MEMORY], Status.MEMORY),
        ([Event.KERNEL_HUNG], Status.CRASHED),
        ([Event.GRADER_KILLED, Event.CELL_TIMEOUT], Status.TIMEOUT),
        ([Event.KERNEL_DIED, Event.CELL_EDITED], Status.TAMPERED),
        ([Event.CELL_DUPLICATED], Status.TAMPERED),
    ],
)
def test_the_first_status_that_applies_wins(events, expected):
    assert status_of([Finding(event, "cell") for event in events]) == expected


def test_error_names_and_logs_are_read_in_one_place():
    assert event_of_error("KeyboardInterrupt") == Event.CELL_TIMEOUT
    assert event_of_error("MemoryError") == Event.CELL_MEMORY
    assert event_of_error("AssertionError") is None
    assert event_of_failure("DeadKernelError: Kernel died", timed_out=False) == Event.KERNEL_DIED
    assert event_of_failure("Kernel died ... MemoryError", timed_out=False) == Event.KERNEL_OUT_OF_MEMORY
    assert event_of_failure("CellTimeoutError: Timeout waiting for IOPub output", timed_out=False) == Event.KERNEL_HUNG
    assert event_of_failure("CellTimeoutError: Timeout waiting for IOPub output", timed_out=True) == Event.CELL_TIMEOUT


def test_decide_names_each_cell_once_in_one_sentence():
    findings = [
        Finding(Event.CELL_DUPLICATED, "ex1"),
        Finding(Event.CELL_DUPLICATED, "ex1"),
        Finding(Event.KERNEL_DIED, "ex2"),
    ]
    status, detail = decide(findings, score=2.0, max_score=10.0, lost=["test_ex1", "test_ex2"], limit=600)
    assert status == Status.TAMPERED
    assert detail == (
        "graded: 2/10 points, lost points on test_ex1, test_ex2; cell ex1 was duplicated; the first copy was graded; "
        "the kernel died during ex2 (the notebook exited or crashed Python)."
    )


def test_a_full_score_names_no_cell():
    assert decide([], score=10.0, max_score=10.0, lost=[], limit=600) == (Status.OK, "graded: 10/10 points.")
