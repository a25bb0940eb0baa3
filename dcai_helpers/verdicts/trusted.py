"""Test cells run by the grader in its own process, against functions that stay in the student's kernel.

The answer key's test cells (public and hidden parts) never enter the student's kernel. They run here, in
a namespace of their own (:class:`TrustedTests`) that holds

- the *prelude*: the imports, function and class definitions and UPPER_CASE constants of the lab's given
  code cells, taken from the answer key (never from the submission);
- a :class:`~dcai_helpers.verdicts.proxy.StudentFunction` for every function a solution cell defines;
- before each test cell, the value of each other name a solution cell defines that the test reads
  (``X_train_final``), fetched from the kernel as plain data.

A test cell earns its points when its public part and then its hidden part run without an exception.
Everything a test needs beyond that (a data set, a fitted reference) it builds itself. CONTRIBUTING.md
("What hidden tests may assume") states this contract for lab authors.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

from dcai_helpers.course.notebooks import is_solution_cell, is_test_cell, nbgrader_meta, split_hidden
from dcai_helpers.verdicts.plain import NotPlainData
from dcai_helpers.verdicts.proxy import (
    TEST_FILENAME,
    Conversation,
    GraderClient,
    KernelFunction,
    KernelLost,
    StudentFunction,
    StudentTimeout,
)

#: The ``__name__`` of the namespace the test cells run in.
TRUSTED_MODULE = "__dcai_grader__"
#: Longest failure message kept (characters).
MAX_MESSAGE = 1500
#: Statements of a given cell that the prelude keeps.
PRELUDE_STATEMENTS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class Outcome:
    """How one part (public or hidden) of a test cell ended."""

    PASSED = "passed"
    FAILED = "failed"  # an assertion or an error: the message says which
    TIMEOUT = "timeout"  # the student's function ran past the time left
    LOST = "lost"  # the kernel died or stopped answering
    NOT_RUN = "not_run"  # the public part failed, or there is no hidden part, or the kernel was lost before


@dataclass(frozen=True)
class KeyCell:
    """One test cell of the answer key: its grade id, points, and the source of its public and hidden parts."""

    grade_id: str
    points: float
    public: str
    hidden: str


@dataclass(frozen=True)
class TestPlan:
    """What the grader runs for one lab, read from the answer key once per grading run."""

    __test__ = False  # not a pytest test class, whatever its name

    prelude: str
    functions: tuple[str, ...]  # names solution cells define with def or class: called in the kernel
    variables: tuple[str, ...]  # other names solution cells assign: read from the kernel as plain data
    cells: tuple[KeyCell, ...]

    @classmethod
    def from_notebook(cls, nb: dict) -> TestPlan:
        """The plan of an answer-key notebook (a solution notebook with hidden tests)."""
        prelude, functions, variables, cells = [], [], [], []
        for cell in nb["cells"]:
            if cell.get("cell_type") != "code":
                continue
            if is_test_cell(cell):
                public, hidden = split_hidden(_source(cell))
                meta = nbgrader_meta(cell)
                cells.append(KeyCell(meta["grade_id"], float(meta.get("points", 0)), public, hidden))
                continue
            try:
                tree = _parse(_source(cell))
            except SyntaxError:  # a student's cell that does not parse defines nothing (it raises in the kernel)
                continue
            if is_solution_cell(cell):
                for node in tree.body:
                    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                        functions.append(node.name)
                    else:
                        variables.extend(_assigned(node))
            else:
                prelude.extend(ast.unparse(node) for node in tree.body if _in_prelude(node))
        functions = tuple(dict.fromkeys(functions))
        variables = tuple(name for name in dict.fromkeys(variables) if name not in functions)
        return cls("\n".join(prelude), functions, variables, tuple(cells))

    def modules(self) -> tuple[str, ...]:
        """The top-level modules the prelude and the test cells import (a worker can import them in advance)."""
        found = []
        for source in (self.prelude, *(c.public for c in self.cells), *(c.hidden for c in self.cells)):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    found += [alias.name.split(".")[0] for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.append(node.module.split(".")[0])
        return tuple(sorted(set(found)))

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> TestPlan:
        data = json.loads(text)
        data["cells"] = tuple(KeyCell(**cell) for cell in data["cells"])
        return cls(**{key: tuple(value) if isinstance(value, list) else value for key, value in data.items()})

    def cell(self, grade_id: str) -> KeyCell:
        """The test cell ``grade_id``."""
        return next(cell for cell in self.cells if cell.grade_id == grade_id)


@dataclass
class Verdict:
    """What one test cell earned, decided in the grader's process."""

    grade_id: str
    points: float
    max_points: float
    public: str
    hidden: str
    message: str = ""  # why it lost its points (for the student's feedback)
    printed: str = ""  # what the test printed (for the instructor's notebook)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.points == self.max_points

    def to_dict(self) -> dict:
        return asdict(self)


#: MIME type of a verdict output in the graded notebook (the instructor's; feedback keeps only its text).
VERDICT_MIME = "application/vnd.dcai.verdict+json"


def verdict_output(verdict: dict) -> dict:
    """The output that shows a verdict under its test cell: its text for everyone, the whole verdict for the
    instructor (:data:`VERDICT_MIME`, which the feedback drops)."""
    from nbformat.v4 import new_output

    text = f"Grader: {verdict['points']:g}/{verdict['max_points']:g} points"
    parts = {"public": verdict["public"], "hidden": verdict["hidden"]}
    text += " (" + ", ".join(f"{part} tests {outcome.replace('_', ' ')}" for part, outcome in parts.items()) + ")"
    if verdict.get("message"):
        text += f"\n{verdict['message']}"
    return new_output("display_data", data={"text/plain": text, VERDICT_MIME: verdict})


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _parse(source: str) -> ast.Module:
    """A cell's source as Python (IPython's magics and shell escapes turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return ast.parse(TransformerManager().transform_cell(source))


def _assigned(node: ast.stmt) -> list[str]:
    targets = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            targets.append(sub.id)
    return targets if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.For | ast.With) else []


def _in_prelude(node: ast.stmt) -> bool:
    """Imports, definitions, and UPPER_CASE names bound to literals (``SEED = 0``)."""
    if isinstance(node, PRELUDE_STATEMENTS):
        return True
    if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets):
        try:
            ast.literal_eval(node.value)
        except ValueError:
            return False
        return True
    return False


def _free_names(source: str) -> set[str]:
    """Names ``source`` reads but never binds itself (what it expects to find in the namespace)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    read, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return read - bound


class TrustedTests:
    """Runs the answer key's test cells, one at a time, against a student's kernel.

    Parameters
    ----------
    plan : TestPlan
        The answer key.
    min_seconds : float
        Seconds every test cell gets at least, even when the submission's time is spent.
    """

    def __init__(self, plan: TestPlan, *, min_seconds: float = 5.0) -> None:
        self.plan = plan
        self.min_seconds = min_seconds
        self.namespace: dict | None = None
        self.lost = ""  # why the kernel can no longer be asked
        self._provider: Callable[[], Conversation] = _no_kernel
        self._client: GraderClient | None = None
        self._client_of = None  # the kernel manager the client talks to

    def _namespace(self) -> dict:
        if self.namespace is None:
            namespace = {"__name__": TRUSTED_MODULE, "__builtins__": builtins}
            exec(compile(self.plan.prelude, "<dcai-prelude>", "exec"), namespace)  # noqa: S102 (the answer key's)
            for name in self.plan.functions:
                namespace[name] = StudentFunction(name, self._current)
            self.namespace = namespace
        return self.namespace

    def _current(self) -> Conversation:
        """The conversation of the test cell now running (the proxies call through it)."""
        return self._provider()

    def verdict(self, grade_id: str, kernel_manager, *, deadline: float) -> Verdict:
        """Run test cell ``grade_id`` against the kernel; what it earned.

        Parameters
        ----------
        kernel_manager : jupyter_client KernelManager
            The student's kernel, right after it ran the notebook up to this test cell.
        deadline : float
            ``time.monotonic()`` by which the submission's time is spent.
        """
        cell = self.plan.cell(grade_id)
        verdict = Verdict(grade_id, 0.0, cell.points, Outcome.NOT_RUN, Outcome.NOT_RUN)
        if self.lost:
            verdict.public = Outcome.LOST
            verdict.message = f"not run: {self.lost}"
            return verdict
        started = time.monotonic()
        end = max(deadline, started + self.min_seconds)
        namespace = self._namespace()
        printed = io.StringIO()
        with self._talking(kernel_manager, lambda: end), contextlib.redirect_stdout(printed):
            verdict.public, verdict.message = self._run(cell.public, f"{TEST_FILENAME}:{grade_id}:public", namespace)
            if verdict.public == Outcome.PASSED and cell.hidden.strip():
                verdict.hidden, message = self._run(cell.hidden, f"{TEST_FILENAME}:{grade_id}:hidden", namespace)
                verdict.message = f"a hidden test failed: {message}" if message else ""
        has_hidden = bool(cell.hidden.strip())
        passed = verdict.public == Outcome.PASSED and (not has_hidden or verdict.hidden == Outcome.PASSED)
        verdict.points = cell.points if passed else 0.0
        verdict.printed = printed.getvalue()[-4000:]
        verdict.seconds = round(time.monotonic() - started, 3)
        return verdict

    @contextlib.contextmanager
    def _talking(self, kernel_manager, deadline: Callable[[], float]) -> Iterator[None]:
        """A conversation with the kernel for one test cell, opened at its first call; a lost kernel is noted."""
        if self._client_of is not kernel_manager:
            self.close()
            self._client, self._client_of = GraderClient.of(kernel_manager), kernel_manager
        conversation = Conversation(kernel_manager, self._client, deadline=deadline)
        opened = False

        def current() -> Conversation:
            nonlocal opened
            if not opened:
                opened = True
                conversation.__enter__()
            return conversation

        self._provider = current
        try:
            yield
        finally:
            self._provider = _no_kernel
            if opened:
                with contextlib.suppress(KernelLost):
                    conversation.__exit__(None, None, None)
            self.lost = self.lost or conversation.lost

    def close(self) -> None:
        """Close the grader's connection to the kernel (at the end of the run)."""
        if self._client is not None:
            self._client.stop_channels()
        self._client, self._client_of = None, None

    def _run(self, source: str, filename: str, namespace: dict) -> tuple[str, str]:
        """Run one part of a test cell; its outcome and, when it failed, the message."""
        if not source.strip():
            return Outcome.PASSED, ""
        wanted = _free_names(source)
        for name in self.plan.variables:
            if name in wanted:
                try:
                    value = self._current().get(name)
                    if isinstance(value, KernelFunction):
                        value = StudentFunction(name, self._current)
                    namespace[name] = value
                except (KernelLost, StudentTimeout) as err:
                    return _outcome_of(err), str(err)
                except Exception as err:  # noqa: BLE001 (the variable is missing or not plain data)
                    return Outcome.FAILED, _message(err, hidden=filename.endswith("hidden"))
        try:
            exec(compile(source, filename, "exec"), namespace)  # noqa: S102 (the answer key's test code)
        except (KernelLost, StudentTimeout) as err:
            return _outcome_of(err), str(err)
        except Exception as err:  # noqa: BLE001 (an assertion, or any error: the test fails)
            return Outcome.FAILED, _message(err, hidden=filename.endswith("hidden"))
        return Outcome.PASSED, ""


def _no_kernel() -> Conversation:
    raise KernelLost("no kernel to call outside a test cell")


def _outcome_of(err: BaseException) -> str:
    return Outcome.TIMEOUT if isinstance(err, StudentTimeout) else Outcome.LOST


def _message(err: BaseException, *, hidden: bool) -> str:
    """What a student reads about a failed test part.

    An exception the student's function raised during a hidden test is named by type only: its message is
    the student's own text, which could echo the hidden test's inputs back into the feedback.
    """
    if getattr(err, "raised_by_student", False):
        name = type(err).__name__
        if hidden:
            return f"your function raised {name} on a hidden test's input"
        return f"your function raised {name}: {err}"[:MAX_MESSAGE]
    if isinstance(err, AssertionError):
        return (str(err) or "an assertion failed")[:MAX_MESSAGE]
    if isinstance(err, NotPlainData):
        return str(err)[:MAX_MESSAGE]
    return f"{type(err).__name__}: {err}"[:MAX_MESSAGE]
