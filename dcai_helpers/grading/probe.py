"""The integrity probe that runs inside a student's kernel: it records the pristine test helpers, then reports.

This module is real, linted and unit-tested source, and it imports nothing at module level, so that
:mod:`dcai_helpers.grading.integrity` can inject it whole (its source, read with :func:`inspect.getsource`)
as the first cell the kernel runs: :func:`snapshot` then returns ``report``, which the probe cell around
every test cell calls. ``report`` publishes what was replaced since the snapshot as display data of MIME
type :data:`PROBE_MIME`; the grader reads it from the executed cell (see ``integrity.probe_report``).
"""

PROBE_MIME = "application/vnd.dcai.integrity+json"

#: Watched functions of each module (``numpy.testing``'s ``assert*`` are all watched too).
WATCHED_NAMES = {
    "numpy": ["allclose", "isclose", "array_equal", "array_equiv", "all", "any", "abs", "isnan", "isfinite"],
    "builtins": [
        "AssertionError",
        "isinstance",
        "len",
        "abs",
        "all",
        "any",
        "round",
        "sum",
        "min",
        "max",
        "sorted",
        "set",
        "float",
        "int",
        "type",
        "hasattr",
        "getattr",
        "print",
        "repr",
        "str",
    ],
    "math": ["isclose"],
}
#: IPython's execution and traceback machinery, which a notebook could replace to hide failures.
SHELL_METHODS = [
    "run_cell",
    "run_cell_async",
    "run_ast_nodes",
    "run_code",
    "showtraceback",
    "_showtraceback",
    "showsyntaxerror",
    "transform_cell",
    "should_run_async",
]
#: Modules in which a function defined in the notebook is a replacement.
LIBRARY_MODULES = ("numpy", "numpy.testing", "pandas.testing", "sklearn.metrics", "math", "builtins")


def snapshot(shell, publish):
    """Record the pristine helpers of ``shell``'s kernel; return ``report(position)``.

    Parameters
    ----------
    shell : IPython.core.interactiveshell.InteractiveShell
        The kernel's shell (``get_ipython()``).
    publish : callable
        ``IPython.display.publish_display_data``, or a stand-in in tests.

    Returns
    -------
    callable
        ``report(position)``: publishes ``{"position": position, "replaced": [names...]}``.
    """
    import builtins
    import math
    import sys

    import numpy
    import numpy.testing

    watched = {"numpy": numpy, "numpy.testing": numpy.testing, "builtins": builtins, "math": math}
    names = {**WATCHED_NAMES, "numpy.testing": [n for n in dir(numpy.testing) if n.startswith("assert")]}
    pristine = {(m, n): getattr(watched[m], n) for m in names for n in names[m] if hasattr(watched[m], n)}
    pristine.update({("shell", n): getattr(shell, n) for n in SHELL_METHODS if hasattr(shell, n)})
    modules = {m: sys.modules.get(m) for m in watched}
    tracer = (sys.gettrace(), sys.getprofile())

    def from_notebook(obj):
        code = getattr(obj, "__code__", None) or getattr(getattr(obj, "__func__", None), "__code__", None)
        filename = getattr(code, "co_filename", "") or ""
        return (
            getattr(obj, "__module__", None) == "__main__"
            or type(obj).__module__ == "__main__"
            or "ipykernel_" in filename
            or filename.startswith("<ipython-input")
        )

    def hooks():
        manager = shell.input_transformer_manager
        yield from (f for callbacks in shell.events.callbacks.values() for f in callbacks)
        yield from shell.ast_transformers
        yield from shell.input_transformers_post
        yield from manager.cleanup_transforms
        yield from manager.line_transforms

    def replaced():
        found = []
        for (m, n), value in pristine.items():
            owner = shell if m == "shell" else watched[m]
            current = getattr(owner, n, None)
            if current is not value and current != value:  # bound methods are new objects, equal ones
                found.append(f"{m}.{n}")
        found += [f"sys.modules[{m!r}]" for m, module in modules.items() if sys.modules.get(m) is not module]
        if any(from_notebook(hook) for hook in hooks()):
            found.append("IPython's execution hooks (events or input/AST transformers)")
        if (sys.gettrace(), sys.getprofile()) != tracer:
            found.append("the trace or profile function")
        for name in LIBRARY_MODULES:
            module = sys.modules.get(name)
            for attr in dir(module) if module is not None else []:
                try:
                    value = getattr(module, attr)
                except Exception:  # noqa: BLE001 (a lazy attribute that fails is not a replacement)
                    continue
                if callable(value) and from_notebook(value):
                    found.append(f"{name}.{attr}")
        return sorted(set(found))

    def report(position):
        try:
            found = replaced()
        except BaseException as err:  # noqa: BLE001 (a probe that cannot look is itself a finding)
            found = [f"the integrity probe failed ({type(err).__name__})"]
        publish({PROBE_MIME: {"position": position, "replaced": found}})

    return report
