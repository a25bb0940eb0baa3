"""Verdicts made outside the student's kernel: test cells run in a trusted process, student code behind a boundary.

:mod:`~dcai_helpers.verdicts.trusted` runs the answer key's test cells, :mod:`~dcai_helpers.verdicts.proxy` calls
the student's functions in the kernel, :mod:`~dcai_helpers.verdicts.plain` is the data-only boundary between them
and :mod:`~dcai_helpers.verdicts.kernel_side` is the kernel's end (the one module of the package a kernel imports).
Used by ``dcai check`` (authoring) and ``dcai grade`` (grading) alike.
"""
