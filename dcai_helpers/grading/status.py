"""The statuses of ``grades.csv``: one enum, the single vocabulary every grading module uses.

Adding a status is a change in this module (and its test): give it a member, a meaning in
:data:`MEANING`, and its place in :data:`Status` order (best first).
"""

from __future__ import annotations

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
    Status.TAMPERED: "test cells were edited, retyped, deleted or duplicated, or test helpers were replaced",
    Status.INVALID: "not a valid notebook of this lab (not a notebook, corrupt, another lab's, wrong name, a link)",
    Status.MISSING: "a student folder or zip entry without the notebook",
}
