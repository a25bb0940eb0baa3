"""Helpers the data-centric AI labs import: offline data sets with datasheets, plotting, the lab registry.

Importing this package has no side effects. What instructors run (release, self-check, grading) lives
in :mod:`dcai_helpers.grading`; students' notebooks never import it.
"""

__version__ = "0.1.0"
