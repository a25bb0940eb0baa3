"""What instructors and the ``dcai`` command run: release, self-check, grading, sandbox, feedback.

Students' notebooks never import this package; the data sets and plotting they use are in
:mod:`dcai_helpers`.
"""
