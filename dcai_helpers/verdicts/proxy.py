"""The grader's end of its calls into a student's kernel: functions as proxies, results as plain data.

Hidden tests run in the grader's own process (:mod:`dcai_helpers.verdicts.trusted`), never in the
student's kernel. Each function an exercise asks for is a :class:`StudentFunction` there: calling it
sends the arguments to the kernel (pickled; the kernel may do what it likes with them), where
:func:`dcai_helpers.verdicts.kernel_side.serve` calls the student's function and sends the result back
as plain data (:mod:`dcai_helpers.verdicts.plain`), which is all the grader ever reads. So no code of the
student's runs in the grader's process, and no value the student made has methods the grader calls.

Semantics a test can rely on:

- Arguments are copies. A student's function that changes an argument in place fails with
  :class:`InputChanged` (the kernel reports it; the grader's copy never changes, so a fixture cannot be
  altered behind the test's back). A random generator passed in is consumed in the kernel only: the
  grader's generator does not advance.
- A result that is not plain data raises :class:`~dcai_helpers.verdicts.plain.NotPlainData`, unless the test
  asks for a handle (:meth:`StudentFunction.handle`): a :class:`StudentObject` whose attributes and methods
  are read through the same boundary (a model's ``predict_proba`` on inputs the test sends).
- An exception the student's function raises is raised in the test: the same built-in type with the
  student's message, else :class:`StudentError`. Warnings it emits are emitted again in the test.
- Functions a test cell defines (stubs) and objects that declare ``__grading_lends__`` (a labelling
  oracle that holds the truth) are *lent*: the kernel gets a stand-in whose every use calls back into the
  grader with plain-data arguments. Everything else is pickled into the kernel.
- Each call has until the submission's deadline; past it the kernel is interrupted and the call raises
  :class:`StudentTimeout`; a kernel that does not come back raises :class:`KernelLost`.
"""

from __future__ import annotations

import base64
import builtins
import dis
import inspect
import io
import json
import time
import types
import warnings
from collections.abc import Callable
from typing import Any

import cloudpickle
import zmq
from jupyter_client.blocking import BlockingKernelClient
from jupyter_core.utils import run_sync

from dcai_helpers.verdicts import plain
from dcai_helpers.verdicts.kernel_side import PREFIX

#: What the kernel runs to answer the grader (see :mod:`dcai_helpers.verdicts.kernel_side`).
SERVE_CODE = '__import__("dcai_helpers.verdicts.kernel_side", fromlist=["serve"]).serve(get_ipython().user_ns)'
#: Where code of the grader's test cells says it was defined (``co_filename``): functions defined there are lent.
TEST_FILENAME = "<dcai-test>"
#: Seconds an interrupted kernel has to come back before it counts as lost (a busy kernel's control thread
#: waits for the GIL; see worker.CONTROL_REPLY_SECONDS).
INTERRUPT_GRACE = 15.0
#: Seconds the grader's stdin socket may take to connect to the kernel.
HANDSHAKE_SECONDS = 10
#: Seconds between looks for the kernel's next frame.
POLL_SECONDS = 0.05


class StudentError(Exception):
    """The student's function raised an exception of a type the grader does not rebuild."""


class StudentTimeout(Exception):
    """The student's function ran past the submission's time and was interrupted."""


class KernelLost(Exception):
    """The kernel died, stopped answering, or left the conversation; no more calls can be made."""


class InputChanged(AssertionError):
    """The student's function changed one of its arguments in place."""


class GraderClient(BlockingKernelClient):
    """A kernel client of the grader's own: its own session, hence its own zmq identity.

    The kernel sends an ``input()`` prompt to the client that asked for the execution, on the stdin channel,
    and drops it when that client's stdin socket has not finished connecting; so :meth:`connect_stdin` waits
    for the connection's handshake before the first request goes out.
    """

    def connect_stdin(self, identity: bytes | None = None):
        sock = self.context.socket(zmq.DEALER)
        sock.linger = 1000
        if identity:
            sock.identity = identity
        monitor = sock.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)
        try:
            sock.connect(self._make_url("stdin"))
            if monitor.poll(HANDSHAKE_SECONDS * 1000):
                monitor.recv_multipart()
        finally:
            sock.disable_monitor()
            monitor.close()
        return sock

    @classmethod
    def of(cls, kernel_manager) -> GraderClient:
        """A connected client of the kernel ``kernel_manager`` runs (shell and stdin channels only)."""
        client = cls(connection_file=kernel_manager.connection_file)
        client.load_connection_file()
        client.start_channels(shell=True, iopub=False, stdin=True, hb=False, control=False)
        return client


class Conversation:
    """One session of requests to a kernel that runs :func:`~dcai_helpers.verdicts.kernel_side.serve`.

    Parameters
    ----------
    kernel_manager : jupyter_client KernelManager (sync or async)
        The student's kernel, already running.
    client : GraderClient
        The grader's connection to it.
    deadline : callable
        Returns the ``time.monotonic()`` by which the current call must end.
    """

    def __init__(self, kernel_manager, client: GraderClient, *, deadline: Callable[[], float]) -> None:
        self.km = kernel_manager
        self.kc = client
        self.deadline = deadline
        self.lender = Lender()
        self.msg_id = ""
        self.lost = ""  # why the kernel can no longer be asked (empty while it can)

    # Opening and closing ------------------------------------------------------------------------------

    def __enter__(self) -> Conversation:
        self.msg_id = self.kc.execute(SERVE_CODE, silent=True, store_history=False, allow_stdin=True)
        frame = self._next_frame()
        if frame.get("k") != "ready":
            self._lose(f"the kernel did not start answering the grader ({frame.get('k')})")
        return self

    def __exit__(self, *exc) -> None:
        if not self.lost:
            self.kc.input(json.dumps({"k": "done"}))
            if not self._wait_reply(INTERRUPT_GRACE):
                self.lost = "the kernel did not end its conversation with the grader"

    # Requests -----------------------------------------------------------------------------------------

    def call(self, name: str, args: tuple, kwargs: dict, *, handle_id: int | None = None, handles: bool = False):
        """Call the student's function ``name`` (or method ``name`` of a handle) and return its decoded result."""
        request = {"k": "call", "name": name, "pickle": self.lender.pickle((list(args), kwargs)), "handles": handles}
        if handle_id is not None:
            request["handle"] = handle_id
        frame = self.ask(request)
        self._reissue_warnings(frame)
        result = self._value(frame, f"{name}()", handles=handles)
        changed = frame.get("changed") or []
        if changed:
            names = ", ".join(f"argument {c + 1}" if isinstance(c, int) else f"'{c}'" for c in changed)
            raise InputChanged(
                f"{name}() changed its input in place ({names}); leave the inputs as they are and work on a copy "
                "(for example x = x.copy())"
            )
        return result

    def get(self, name: str):
        """The value of the student's variable ``name``, as plain data (:class:`KernelFunction` for a function)."""
        frame = self.ask({"k": "get", "name": name})
        if frame.get("k") == "callable":
            return KernelFunction(name)
        return self._value(frame, f"the variable {name}")

    def getattr(self, handle_id: int, name: str):
        """Attribute ``name`` of a handle: plain data, or another handle."""
        request = {"k": "getattr", "handle": handle_id, "name": name, "handles": True}
        return self._value(self.ask(request), name, handles=True)

    def ask(self, request: dict) -> dict:
        """Send a request; answer the kernel's call-backs to lent objects until its answer comes."""
        if self.lost:
            raise KernelLost(self.lost)
        self.kc.input(json.dumps(request))
        while True:
            frame = self._next_frame()
            if frame.get("k") != "callback":
                return frame
            self.kc.input(json.dumps(self.lender.answer(frame, self)))

    # Reading the kernel -------------------------------------------------------------------------------

    def _value(self, frame: dict, what: str, *, handles: bool = False):
        kind = frame.get("k")
        if kind == "result":
            handle = (lambda i, t: StudentObject(self, i, t)) if handles else None
            return plain.decode(frame.get("value"), handle=handle)
        if kind == "refused":
            raise plain.NotPlainData(f"{what} gave something the grader cannot read: {frame.get('message')}")
        if kind == "raised":
            raise _rebuilt(frame)
        raise KernelLost(f"the kernel sent an unexpected answer ({str(kind)[:40]})")

    def _next_frame(self) -> dict:
        """The kernel's next frame (a prompt of ours), interrupting it at the deadline."""
        interrupted_at = None
        last_alive_check = time.monotonic()
        while True:
            now = time.monotonic()
            if interrupted_at is None and now > self.deadline():
                _blocking(self.km.interrupt_kernel)
                interrupted_at = now
            elif interrupted_at is not None and now - interrupted_at > INTERRUPT_GRACE:
                self._lose("the kernel stopped answering after it was interrupted at the time limit")
            if now - last_alive_check > 1.0:
                last_alive_check = now
                if not _blocking(self.km.is_alive):
                    self._lose("the kernel died")
            try:
                msg = self.kc.stdin_channel.get_msg(timeout=POLL_SECONDS)
            except Exception:  # noqa: BLE001 (queue.Empty: nothing yet)
                if self._wait_reply(0):
                    self._lose("the kernel stopped answering the grader (its answering loop ended)")
                continue
            if msg["header"]["msg_type"] != "input_request":
                continue
            prompt = msg["content"].get("prompt", "")
            if not isinstance(prompt, str) or not prompt.startswith(PREFIX):
                self.kc.input("")  # the student's own input(): it reads an empty line
                continue
            try:
                frame = json.loads(prompt[len(PREFIX) :])
            except ValueError:
                frame = {"k": "malformed"}
            if not isinstance(frame, dict):
                frame = {"k": "malformed"}
            if interrupted_at is not None and frame.get("k") == "raised" and frame.get("type") == "KeyboardInterrupt":
                raise StudentTimeout("the function ran past the time limit and was interrupted")
            return frame

    def _wait_reply(self, seconds: float) -> bool:
        """Whether the kernel finished the ``serve`` request (its execute reply came) within ``seconds``."""
        end = time.monotonic() + seconds
        while True:
            try:
                msg = self.kc.shell_channel.get_msg(timeout=max(0.0, end - time.monotonic()) or 0.001)
            except Exception:  # noqa: BLE001 (queue.Empty)
                return False
            if msg.get("parent_header", {}).get("msg_id") == self.msg_id:
                return True

    def _lose(self, why: str) -> None:
        self.lost = why
        raise KernelLost(why)

    @staticmethod
    def _reissue_warnings(frame: dict) -> None:
        for category, message in frame.get("warnings") or []:
            cls = getattr(builtins, str(category), None)
            if not (isinstance(cls, type) and issubclass(cls, Warning)):
                cls, message = UserWarning, f"{category}: {message}"
            warnings.warn(str(message), cls, stacklevel=3)


def _blocking(method: Callable[[], Any]) -> Any:
    """Call a kernel manager's method and wait for its result, whether the manager is synchronous or not."""
    return run_sync(method)() if inspect.iscoroutinefunction(method) else method()


def _rebuilt(frame: dict) -> BaseException:
    """The exception a student's function raised, as the grader raises it in the test."""
    name, message = str(frame.get("type", "Exception")), str(frame.get("message", ""))
    if name == "KeyboardInterrupt":
        return StudentTimeout("the function was interrupted")
    cls = getattr(builtins, name, None) if frame.get("module") == "builtins" else None
    if isinstance(cls, type) and issubclass(cls, Exception):
        err = cls(message)
    else:
        err = StudentError(f"{name}: {message}" if message else name)
    err.raised_by_student = True  # so a hidden test's report does not echo what the student put in the message
    return err


class KernelFunction(str):
    """What :meth:`Conversation.get` gives for a name the student bound to a function: the name, to call it by."""


class StudentFunction:
    """A function of the student's, called in the student's kernel through the current :class:`Conversation`."""

    def __init__(self, name: str, conversation: Callable[[], Conversation]) -> None:
        self.__name__ = self.__qualname__ = name
        self._conversation = conversation

    def __call__(self, *args, **kwargs):
        return self._conversation().call(self.__name__, args, kwargs)

    def handle(self, *args, **kwargs):
        """Call it, and return a :class:`StudentObject` for a result that is not plain data (a model)."""
        return self._conversation().call(self.__name__, args, kwargs, handles=True)

    def __repr__(self) -> str:
        return f"<the student's {self.__name__}>"


class StudentObject:
    """An object that stays in the student's kernel: its attributes and methods are read as plain data."""

    def __init__(self, conversation: Conversation, handle_id: int, type_name: str) -> None:
        self._conversation, self._id, self._type = conversation, handle_id, type_name

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._conversation.getattr(self._id, name)

    def __call__(self, *args, **kwargs):
        return self._conversation.call("__call__", args, kwargs, handle_id=self._id, handles=True)

    def __repr__(self) -> str:
        return f"<the student's {self._type}>"


class Lender:
    """What the grader lends to a kernel: test-defined functions and objects that keep the truth on this side."""

    def __init__(self) -> None:
        self.lent: dict[int, Any] = {}

    def pickle(self, value: Any) -> str:
        """``value`` pickled for the kernel: student functions by name, lent things by reference."""
        buffer = io.BytesIO()
        _Pickler(buffer, self).dump(value)
        return base64.b64encode(buffer.getvalue()).decode("ascii")

    def lend(self, value: Any) -> int:
        self.lent[id(value)] = value
        return id(value)

    def answer(self, frame: dict, conversation: Conversation) -> dict:
        """Use a lent object as the kernel asked; the reply frame (a pickled value or an exception)."""
        try:
            target = self.lent[frame["ref"]]
            args, kwargs = plain.decode(frame.get("args"), handle=lambda i, t: StudentObject(conversation, i, t))
            op = frame.get("op")
            if op == "call":
                value = target(*args, **kwargs)
            elif op == "len":
                value = len(target)
            elif op == "getattr" and frame.get("name") in getattr(target, "__grading_lends__", ()):
                value = getattr(target, frame["name"])
            else:
                raise AttributeError(f"the grader's {type(target).__name__} lends no {str(frame.get('name'))[:60]!r}")
            return {"k": "return", "pickle": self.pickle(value)}
        except KernelLost:
            raise
        except Exception as err:  # noqa: BLE001 (the kernel gets the error, as a local call would raise it)
            qualified = f"{type(err).__module__}.{type(err).__qualname__}".removeprefix("builtins.")
            return {"k": "raise", "type": qualified, "message": str(err)[:2000]}


def lends(value: Any) -> bool:
    """Whether ``value`` is lent to the kernel rather than pickled into it.

    Lent: objects whose class declares ``__grading_lends__`` (they hold the truth), their bound methods, and the
    functions a test cell defines that keep the test's state (they write a global or an outer variable, or read
    a list, dict or set of the test's, or a lent object): a spy must record on the grader's side. Every other
    function a test defines is pure, and runs in the kernel, where it is cheap to call.
    """
    if isinstance(value, type):
        return False
    if hasattr(type(value), "__grading_lends__"):
        return True
    if isinstance(value, types.MethodType):
        return lends(value.__self__)
    return isinstance(value, types.FunctionType) and _keeps_test_state(value)


#: Containers whose use by a test's function means it records something for the test.
_STATEFUL = (list, dict, set, bytearray)


def _keeps_test_state(function: types.FunctionType) -> bool:
    """A function a test cell defined (not a method of a class it defined) that writes or reads the test's state."""
    parts = function.__qualname__.split(".")
    is_method = len(parts) > 1 and parts[-2] != "<locals>"
    if is_method or not function.__code__.co_filename.startswith(TEST_FILENAME):
        return False
    cells = dict(zip(function.__code__.co_freevars, function.__closure__ or (), strict=False))
    codes = [function.__code__]
    while codes:
        code = codes.pop()
        codes.extend(const for const in code.co_consts if isinstance(const, types.CodeType))
        for instruction in dis.get_instructions(code):
            if instruction.opname in ("STORE_GLOBAL", "STORE_DEREF", "DELETE_GLOBAL", "DELETE_DEREF"):
                return True
            if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
                found = function.__globals__.get(instruction.argval)
            elif instruction.opname in ("LOAD_DEREF", "LOAD_CLOSURE") and instruction.argval in cells:
                try:
                    found = cells[instruction.argval].cell_contents
                except ValueError:  # an empty cell
                    continue
            else:
                continue
            if isinstance(found, _STATEFUL) or hasattr(type(found), "__grading_lends__"):
                return True
    return False


class _Pickler(cloudpickle.CloudPickler):
    def __init__(self, file, lender: Lender) -> None:
        super().__init__(file, protocol=5)
        self.lender = lender

    def persistent_id(self, obj):
        if isinstance(obj, StudentFunction):
            return ("student", obj.__name__)
        if isinstance(obj, StudentObject):
            return ("handle", obj._id)
        if lends(obj):
            return ("lent", self.lender.lend(obj), type(obj).__name__)
        return None
