"""Helpers shared by the data-centric AI labs: offline data sets, plotting and the ``dcai`` command."""

import os
import sys
from pathlib import Path

__version__ = "0.1.0"

# nbgrader runs the `alembic` script of its environment by name when it creates a gradebook. Put this
# interpreter's scripts folder on PATH, so `.venv/bin/dcai` works without activating the venv.
_SCRIPTS = str(Path(sys.executable).parent)
if _SCRIPTS not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _SCRIPTS + os.pathsep + os.environ.get("PATH", "")
