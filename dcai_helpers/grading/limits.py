"""What one submission may use while it is graded: one typed object, built once by ``dcai grade``.

:func:`dcai_helpers.grading.grade.grade` builds a :class:`Limits` from its options and hands the same
object to every worker (:mod:`dcai_helpers.grading.worker`) and, through it, to the kernel's sandbox
(:mod:`dcai_helpers.grading.sandbox`). Nothing renames or re-packs a limit on the way. Changing how a
kernel is isolated or limited is a change in ``sandbox.py`` (and, for a new limit, here).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

#: Seconds one submission may run in all: every cell of the notebook and every test the grader runs.
DEFAULT_SECONDS = 600
#: The kernel's address space, in MiB (``RLIMIT_AS``).
DEFAULT_MEMORY_MB = 4096
#: What the kernel may write in all, in MiB: its scratch folder is a file system of this size (bubblewrap).
DEFAULT_DISK_MB = 1024
#: Output kept per cell and per notebook, in KiB; the rest is cut, with a note saying how much.
DEFAULT_OUTPUT_CELL_KB = 1024
DEFAULT_OUTPUT_NOTEBOOK_KB = 16 * 1024
#: The grading worker's own address space, in MiB (it holds nbgrader, the tests' libraries, the outputs).
DEFAULT_WORKER_MEMORY_MB = 8192


@dataclass(frozen=True)
class Limits:
    """Limits of one submission's run.

    Attributes
    ----------
    seconds : int
        Wall-clock seconds for the whole run (cells and grader tests share them; each cell gets at least
        a few seconds even when they are spent).
    memory_mb : int
        Address space of the kernel, MiB.
    disk_mb : int
        Bytes the kernel may write, MiB (with bubblewrap; without it only one file's size is capped).
    output_cell_kb, output_notebook_kb : int
        Output kept per cell and per notebook, KiB.
    worker_memory_mb : int
        Address space of the grading worker that runs nbgrader and the grader's tests, MiB.
    isolate : bool
        Run the kernel in bubblewrap.
    threads : int
        Threads of the kernel's numerical libraries (0: their default).
    """

    seconds: int = DEFAULT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB
    disk_mb: int = DEFAULT_DISK_MB
    output_cell_kb: int = DEFAULT_OUTPUT_CELL_KB
    output_notebook_kb: int = DEFAULT_OUTPUT_NOTEBOOK_KB
    worker_memory_mb: int = DEFAULT_WORKER_MEMORY_MB
    isolate: bool = True
    threads: int = 0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if item.type in ("int", int) and (not isinstance(value, int) or isinstance(value, bool)):
                raise TypeError(f"`{item.name}` must be an integer; got {value!r}")
            if item.type in ("int", int) and item.name != "threads" and value < 1:
                raise ValueError(f"`{item.name}` must be a positive integer; got {value}")

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Limits:
        return cls(**json.loads(text))
