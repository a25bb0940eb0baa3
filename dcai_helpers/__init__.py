"""Helpers the data-centric AI labs import: offline data sets with datasheets, plotting, the lab registry.

Importing this package has no side effects. What instructors run lives in two wings that students' notebooks
never import: :mod:`dcai_helpers.authoring` (release, self-check, site) and :mod:`dcai_helpers.grading` (grading a
class), both on :mod:`dcai_helpers.course` and :mod:`dcai_helpers.verdicts`; :mod:`dcai_helpers.cli` is the
``dcai`` command over both.
"""

__version__ = "0.1.0"
