"""The authoring wing: release the labs from the answer key, self-check a notebook, build the course site.

It builds on :mod:`dcai_helpers.course` and :mod:`dcai_helpers.verdicts`, never on :mod:`dcai_helpers.grading`.
"""

import dcai_helpers.course  # noqa: F401  (first: keeps jsonschema's slow optional import out, see there)
