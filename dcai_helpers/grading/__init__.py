"""The grading wing: grade a class's submissions in sandboxed kernels, judge them, hand back feedback and grades.

Students' notebooks never import this package. It builds on :mod:`dcai_helpers.course` and
:mod:`dcai_helpers.verdicts`, never on :mod:`dcai_helpers.authoring`.
"""

import dcai_helpers.course  # noqa: F401  (first: keeps jsonschema's slow optional import out, see there)
