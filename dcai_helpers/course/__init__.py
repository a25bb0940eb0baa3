"""The course as nbgrader sees it, shared by both wings: the folder layout, the notebook format, the throw-away course.

:mod:`dcai_helpers.authoring` (release, check, site) and :mod:`dcai_helpers.grading` (the grading pipeline) both
build on this package; it imports neither.
"""

import sys

# jsonschema (imported by nbformat) imports rfc3987-syntax, where installed, only to check the "iri" string format,
# which no notebook schema uses; that import builds a grammar: 2 s of CPU, more than all of nbgrader's other imports,
# paid by the dcai command, the grader and its fork server alike. Without it jsonschema has no "iri" check. Every
# package that reads notebooks imports this one first, so this runs before any of them imports nbformat.
if "rfc3987_syntax" not in sys.modules:
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
