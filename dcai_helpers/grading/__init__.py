"""What instructors and the ``dcai`` command run: release, self-check, grading, sandbox, feedback.

Students' notebooks never import this package; the data sets and plotting they use are in
:mod:`dcai_helpers`.
"""

import sys

# jsonschema (imported by nbformat) imports rfc3987-syntax, where installed, only to check the "iri" string format,
# which no notebook schema uses; that import builds a grammar: 2 s of CPU, more than all of nbgrader's other imports,
# paid by the dcai command, the grader and its fork server alike. Without it jsonschema has no "iri" check. Here, in
# the package's __init__, it runs before any of its modules imports nbformat.
if "rfc3987_syntax" not in sys.modules:
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
