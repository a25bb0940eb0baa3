"""The worker's event log: one JSON line per thing that happened while a submission ran.

A grading worker (:mod:`dcai_helpers.grading.worker`) writes it as the kernel runs, so that when the
kernel hangs, dies or kills the worker, the parent (:mod:`dcai_helpers.grading.grade`) still knows which
cells ran, what each test cell earned and which cell was running. This module is the only one that
writes or reads it: :class:`Kind` names the events, :class:`Record` is one line, :class:`EventLog`
writes, :func:`read` reads. The points of a submission come from its ``verdict`` records and nowhere else.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path


class Kind(StrEnum):
    """What a record says happened."""

    START = "start"  # a cell started
    END = "end"  # a cell ended (its error names, if any)
    RAISED = "raised"  # running a cell raised in the worker (the kernel died, nbclient gave up)
    TIMED_OUT = "timed_out"  # a cell used its time and the kernel, still answering, was interrupted
    UNRESPONSIVE = "unresponsive"  # a cell used its time and the kernel no longer answered
    TESTING = "testing"  # the grader started its tests of a test cell (the kernel ran the cell already)
    VERDICT = "verdict"  # the grader decided a test cell (see dcai_helpers.verdicts.trusted.Verdict)
    KERNEL_ENDED = "kernel_ended"  # the kernel is gone: what follows needs no core of a kernel's


@dataclass
class Record:
    """One event of a submission's run.

    ``index`` is the cell's position in the graded notebook (``-1`` for the notebook), ``grade_id`` its
    nbgrader id or ``""``; ``errors`` the error names of a cell that ended; ``error`` and ``message`` what
    raised; ``verdict`` a :class:`~dcai_helpers.verdicts.trusted.Verdict` as a dict.
    """

    kind: Kind
    index: int = -1
    grade_id: str = ""
    errors: list[str] = field(default_factory=list)
    error: str = ""
    message: str = ""
    seconds: float = 0.0
    verdict: dict = field(default_factory=dict)

    def to_json(self) -> str:
        data = {key: value for key, value in asdict(self).items() if value not in ("", [], {})}
        data["kind"] = str(self.kind)
        return json.dumps(data)

    @classmethod
    def from_json(cls, line: str) -> Record | None:
        """The record of a line, or ``None`` for a line cut short (a killed worker) or not ours."""
        try:
            data = json.loads(line)
            data["kind"] = Kind(data["kind"])
            return cls(**data)
        except (ValueError, KeyError, TypeError):
            return None


class EventLog:
    """Appends records to a file, each flushed at once (the worker may be killed at any moment)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None

    def write(self, kind: Kind, **fields) -> None:
        if self.path is None:
            return
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(Record(kind, **fields).to_json() + "\n")

    def kernel_ended(self) -> bool:
        """Whether the last record says the kernel has ended (read from the file's end; cheap to poll)."""
        if self.path is None:
            return False
        try:
            with open(self.path, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 200))
                return f'"kind": "{Kind.KERNEL_ENDED}"'.encode() in f.read()
        except OSError:
            return False


def read(path: str | Path) -> list[Record]:
    """Every complete record of the log at ``path`` (none when it does not exist)."""
    path = Path(path)
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [record for record in map(Record.from_json, lines) if record is not None]
