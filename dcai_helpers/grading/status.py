"""What can happen to a submission, and what ``grades.csv`` says about it: one vocabulary, one :func:`decide`.

- :class:`Status`: the statuses of ``grades.csv``, best first.
- :class:`Event`: everything the grader can observe about one run (a cell out of time or memory, a kernel
  that died or stopped answering, the grading process killed, helpers replaced, cells edited, duplicated...).
  :class:`Finding` is one event, with the cell it concerns; findings travel as data, never inside messages.
- :func:`event_of_error`: the one place where an error name or a log line is read as a kernel death, a limit
  or tampering.
- :func:`decide`: the status and the one-sentence detail of a row, from the findings and the score.

Adding a status is a change in this module (and ``tests/test_status.py``): a :class:`Status` member in its
place (best first), its :data:`MEANING`, the events that lead to it in :data:`STATUS_OF`, and a phrase for
each new event in :data:`PHRASE`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """What happened to one student's submission, best first."""

    OK = "ok"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    CRASHED = "crashed"
    TAMPERED = "tampered"
    INVALID = "invalid"
    MISSING = "missing"


#: One line per status, for the README and the feedback page.
MEANING: dict[Status, str] = {
    Status.OK: "graded normally",
    Status.TIMEOUT: "a cell ran past the time left and was interrupted (or the whole run was stopped)",
    Status.MEMORY: "a cell ran out of memory (or the kernel died of it)",
    Status.CRASHED: "the kernel died, hung or was killed",
    Status.TAMPERED: "test cells were edited, retyped, deleted or duplicated",
    Status.INVALID: "not a valid notebook of this lab (not a notebook, corrupt, another lab's, wrong name, a link)",
    Status.MISSING: "a student folder or zip entry without the notebook",
}


class Event(StrEnum):
    """Something the grader observed about one submission's run."""

    # Limits.
    CELL_TIMEOUT = "cell_timeout"  # a cell ran past the time left and was interrupted
    RUN_TIMEOUT = "run_timeout"  # the whole run passed its limit and the worker was stopped
    CELL_MEMORY = "cell_memory"  # a cell raised MemoryError
    KERNEL_OUT_OF_MEMORY = "kernel_out_of_memory"  # the kernel died of a lack of memory
    # Kernel deaths.
    KERNEL_DIED = "kernel_died"  # the kernel exited or crashed Python
    KERNEL_HUNG = "kernel_hung"  # the kernel stopped answering (no reply, no output)
    GRADER_KILLED = "grader_killed"  # the grading process itself was killed while a cell ran
    GRADER_ERROR = "grader_error"  # the grader failed for a reason of its own (a bug)
    # Tampering.
    CELL_EDITED = "cell_edited"  # a locked cell's source changed (nbgrader restores it)
    CELL_DELETED = "cell_deleted"  # a test cell is gone (it scores 0)
    CELL_RETYPED = "cell_retyped"  # a test cell turned into Markdown or raw (nbgrader restores it)
    CELL_DUPLICATED = "cell_duplicated"  # a graded cell appears twice (the copy is not graded)
    CELL_ADDED = "cell_added"  # a cell claims to be graded but the release has no such cell (dropped)
    METADATA_CHANGED = "metadata_changed"  # a graded cell's nbgrader metadata changed (restored)


#: Events that make a row ``tampered``, ``timeout``, ``memory`` or ``crashed``; the first status that applies wins.
STATUS_OF: dict[Status, frozenset[Event]] = {
    Status.TAMPERED: frozenset(
        {
            Event.CELL_EDITED,
            Event.CELL_DELETED,
            Event.CELL_RETYPED,
            Event.CELL_DUPLICATED,
            Event.CELL_ADDED,
            Event.METADATA_CHANGED,
        }
    ),
    Status.TIMEOUT: frozenset({Event.CELL_TIMEOUT, Event.RUN_TIMEOUT}),
    Status.MEMORY: frozenset({Event.CELL_MEMORY, Event.KERNEL_OUT_OF_MEMORY}),
    Status.CRASHED: frozenset({Event.KERNEL_DIED, Event.KERNEL_HUNG, Event.GRADER_KILLED, Event.GRADER_ERROR}),
}

#: How each event reads in a row's detail: ``{cell}`` is the cell, ``{what}`` what was found, ``{limit}`` seconds.
PHRASE: dict[Event, str] = {
    Event.CELL_TIMEOUT: "{cell} ran out of the {limit} s limit and was interrupted",
    Event.RUN_TIMEOUT: "the grading ran past the {limit} s limit (in {cell}) and was stopped",
    Event.CELL_MEMORY: "{cell} ran out of memory",
    Event.KERNEL_OUT_OF_MEMORY: "the kernel died for lack of memory during {cell}",
    Event.KERNEL_DIED: "the kernel died during {cell} (the notebook exited or crashed Python)",
    Event.KERNEL_HUNG: "the kernel stopped answering during {cell} ({what})",
    Event.GRADER_KILLED: "the grading process was killed during {cell} (the notebook killed its parent process)",
    Event.GRADER_ERROR: "the grader failed on this submission (a bug to report, with logs/ attached): {what}",
    Event.CELL_EDITED: "test cell {cell} was edited; the original test was graded",
    Event.CELL_DELETED: "deleted {cell}, a test cell, which scores 0",
    Event.CELL_RETYPED: "test cell {cell} was turned into {what}; the original test was graded",
    Event.CELL_DUPLICATED: "cell {cell} was duplicated; the first copy was graded",
    Event.CELL_ADDED: "an added cell claimed to be graded cell {cell}; it was not run",
    Event.METADATA_CHANGED: "the grading metadata of {cell} was changed ({what}); the release's was restored",
}

#: Error names (``ename``) that mean a cell ran out of time, and out of memory.
TIMEOUT_ERRORS = frozenset({"CellTimeoutError", "TimeoutError", "KeyboardInterrupt"})
MEMORY_ERRORS = frozenset({"MemoryError", "_ArrayMemoryError"})
#: Words in a log that mean the kernel died, stopped answering, or ran out of memory.
DEATH_SIGNS = ("Kernel died", "DeadKernelError")
HUNG_SIGNS = ("UnresponsiveKernelError", "Timeout waiting for IOPub output", "Timeout waiting for execute reply")
MEMORY_SIGNS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "out of memory")


@dataclass(frozen=True)
class Finding:
    """One event of a run, about one cell (a grade id, ``cell <index>``, or empty for the notebook)."""

    event: Event
    cell: str = ""
    what: str = ""

    def phrase(self, limit: int) -> str:
        """The finding as a phrase of a row's detail."""
        return PHRASE[self.event].format(cell=self.cell or "the notebook", what=self.what, limit=limit)


def event_of_error(ename: str) -> Event | None:
    """What a cell's error name says about the run: a cell timeout, a cell out of memory, or nothing."""
    if ename in TIMEOUT_ERRORS:
        return Event.CELL_TIMEOUT
    if ename in MEMORY_ERRORS:
        return Event.CELL_MEMORY
    return None


def event_of_failure(log: str, *, timed_out: bool) -> Event:
    """Why a kernel stopped in the middle of a cell, from the log of the run that failed.

    ``timed_out`` tells that the cell had already used its time and was interrupted: a kernel that then
    does not answer ignored the interrupt, which is a time limit, not a crash.
    """
    if timed_out:
        return Event.CELL_TIMEOUT
    if any(sign in log for sign in DEATH_SIGNS):
        return Event.KERNEL_OUT_OF_MEMORY if any(sign in log for sign in MEMORY_SIGNS) else Event.KERNEL_DIED
    return Event.KERNEL_HUNG


def status_of(findings: Iterable[Finding]) -> Status:
    """The row's status: the first of :data:`STATUS_OF` with an event among ``findings``, else ``ok``."""
    events = {finding.event for finding in findings}
    return next((status for status, causes in STATUS_OF.items() if events & causes), Status.OK)


def decide(
    findings: list[Finding], *, score: float, max_score: float, lost: list[str], limit: int
) -> tuple[Status, str]:
    """The status and the one-sentence detail of a graded (or partly graded) submission.

    Parameters
    ----------
    findings : list of Finding
        What the grader observed, in the order it happened.
    score, max_score : float
        Points earned (cells that ran keep theirs) and the lab's points.
    lost : list of str
        The test cells that lost points, in the notebook's order.
    limit : int
        The run's time limit in seconds, for the detail.
    """
    summary = f"graded: {score:g}/{max_score:g} points" + (f", lost points on {', '.join(lost)}" if lost else "")
    notes = list(dict.fromkeys(finding.phrase(limit) for finding in findings))
    return status_of(findings), "; ".join([summary, *notes]) + "."
