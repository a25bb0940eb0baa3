"""The student's end of the grader's calls: runs inside the student's (sandboxed) kernel.

The grader (:mod:`dcai_helpers.verdicts.proxy`) asks the kernel to run :func:`serve`, and then talks to it
through the kernel's own stdin channel: every frame the kernel sends is the prompt of an ``input()``
call, every frame the grader sends is the reply. The grader's requests: call a student's function by
name (arguments pickled by the grader), read a variable, call a method of an object kept in the kernel
(a *handle*), or end. The kernel's answers are plain data (:func:`dcai_helpers.verdicts.plain.encode`),
an exception's type and message, or a refusal; while a student's function runs it may call back into
the grader, through objects the grader lent it (a labelling oracle, a stub function).

Nothing here is trusted: a submission can replace any of it. The grader treats every frame as a
student's claim, decodes it as plain data and compares it with its own reference.
"""

from __future__ import annotations

import base64
import builtins
import importlib
import io
import json
import pickle
import warnings
from typing import Any

from dcai_helpers.verdicts.plain import NotPlainData, encode, fingerprint

#: Every frame the kernel sends starts with this, so the grader can tell it from a student's own ``input()``.
PREFIX = "dcai-frame:"
#: Longest exception message sent back (characters).
MAX_MESSAGE = 2000


class _Session:
    """What one :func:`serve` keeps: the student's namespace and the objects it lent the grader as handles."""

    def __init__(self, namespace: dict) -> None:
        self.namespace = namespace
        self.objects: dict[int, Any] = {}
        self.ask = builtins.input  # taken now: a student's later replacement of input() does not matter to us

    def keep(self, value: Any) -> int:
        self.objects[id(value)] = value
        return id(value)


_SESSION: _Session | None = None


def serve(namespace: dict) -> None:
    """Answer the grader's requests about the student's ``namespace`` until it says it is done."""
    global _SESSION
    _SESSION = _Session(namespace)
    try:
        request = _send({"k": "ready"})
        while request.get("k") != "done":
            request = _send(_answer(request))
    finally:
        _SESSION = None


def _send(frame: dict) -> dict:
    """Send ``frame`` to the grader and return its next request."""
    text = _SESSION.ask(PREFIX + json.dumps(frame))
    try:
        request = json.loads(text)
    except ValueError:
        request = None
    return request if isinstance(request, dict) else {"k": "invalid"}


def _answer(request: dict) -> dict:
    """Do what the grader asked; the frame that answers it."""
    kind = request.get("k")
    try:
        if kind == "call":
            return _call(request)
        if kind == "get":
            name = request["name"]
            if name not in _SESSION.namespace:
                return _raised(NameError(f"name '{name}' is not defined"))
            value = _SESSION.namespace[name]
            if callable(value) and not isinstance(value, type):
                return {"k": "callable"}  # the grader calls it by name, as it calls the functions it knows of
            return _result(value, request.get("handles", False))
        if kind == "getattr":
            target = _SESSION.objects[request["handle"]]
            return _result(getattr(target, request["name"]), request.get("handles", False))
    except BaseException as err:  # noqa: BLE001 (every error is the student's, reported as data)
        return _raised(err)
    return {"k": "raised", "type": "RuntimeError", "message": f"the grader sent an unknown request {kind!r}"}


def _call(request: dict) -> dict:
    """Call a student's function (by name) or a method of a handle, watching its arguments and warnings."""
    if "handle" in request:
        function = getattr(_SESSION.objects[request["handle"]], request["name"])
    elif request["name"] not in _SESSION.namespace:
        return _raised(NameError(f"name '{request['name']}' is not defined"))
    else:
        function = _SESSION.namespace[request["name"]]
    args, kwargs = _unpickle(request["pickle"])
    before = {**{i: fingerprint(a) for i, a in enumerate(args)}, **{k: fingerprint(v) for k, v in kwargs.items()}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = function(*args, **kwargs)
        except BaseException as err:  # noqa: BLE001 (KeyboardInterrupt included: the grader's time limit)
            return _raised(err, caught)
    after = {**{i: fingerprint(a) for i, a in enumerate(args)}, **{k: fingerprint(v) for k, v in kwargs.items()}}
    changed = [key for key, digest in before.items() if digest is not None and after[key] != digest]
    frame = _result(value, request.get("handles", False))
    frame.update(changed=changed, warnings=_warnings(caught))
    return frame


def _result(value: Any, handles: bool) -> dict:
    try:
        return {"k": "result", "value": encode(value, handle=_SESSION.keep if handles else None)}
    except NotPlainData as err:
        return {"k": "refused", "message": str(err)}


def _raised(err: BaseException, caught: list | None = None) -> dict:
    return {
        "k": "raised",
        "type": type(err).__name__,
        "module": type(err).__module__,
        "message": str(err)[:MAX_MESSAGE],
        "warnings": _warnings(caught or []),
    }


def _warnings(caught: list) -> list[list[str]]:
    return [[w.category.__name__, str(w.message)[:MAX_MESSAGE]] for w in caught[:20]]


# What the grader lends: objects and functions that stay on its side ---------------------------------------


class Lent:
    """An object or function the grader lent to the student's code: every use is a call back to the grader.

    Attribute reads and calls go to the grader with plain-data arguments; what comes back is whatever the
    grader returns (a value, or another lent object). Names starting with ``_`` are not lent.
    """

    def __init__(self, ref: int, kind: str) -> None:
        object.__setattr__(self, "_ref", ref)
        object.__setattr__(self, "_kind", kind)

    def __call__(self, *args, **kwargs):
        return _callback({"k": "callback", "ref": self._ref, "op": "call"}, args, kwargs)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return _callback({"k": "callback", "ref": self._ref, "op": "getattr", "name": name}, (), {})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{self._kind} is the grader's: its attributes cannot be set")

    def __len__(self) -> int:
        return _callback({"k": "callback", "ref": self._ref, "op": "len"}, (), {})

    def __repr__(self) -> str:
        return f"<{self._kind}, lent by the grader>"


def _callback(frame: dict, args: tuple, kwargs: dict) -> Any:
    """Ask the grader to use one of its lent objects, answering its own requests meanwhile."""
    try:
        frame["args"] = encode([list(args), kwargs], handle=_SESSION.keep)
    except NotPlainData as err:
        raise TypeError(f"cannot pass this to the grader's object: {err}") from None
    reply = _send(frame)
    while reply.get("k") not in ("return", "raise"):
        reply = _send(_answer(reply))
    if reply["k"] == "raise":
        raise _exception(reply.get("type", ""), reply.get("message", ""))
    return _unpickle(reply["pickle"])


def _exception(qualified: str, message: str) -> BaseException:
    """An exception of the grader's type (a built-in one, or one of an importable module), else RuntimeError."""
    module, _, name = qualified.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), name) if module else getattr(builtins, name)
        if isinstance(cls, type) and issubclass(cls, Exception):
            return cls(message)
    except (ImportError, AttributeError, TypeError):
        pass
    return RuntimeError(f"{qualified}: {message}")


class _Unpickler(pickle.Unpickler):
    """Arguments from the grader: student functions by name, lent objects as :class:`Lent`."""

    def persistent_load(self, pid):
        kind, value = pid[0], pid[1]
        if kind == "student":
            if value not in _SESSION.namespace:
                raise NameError(f"name '{value}' is not defined")
            return _SESSION.namespace[value]
        if kind == "handle":
            return _SESSION.objects[value]
        if kind == "lent":
            return Lent(value, pid[2])
        raise pickle.UnpicklingError(f"unknown reference {kind!r}")


def _unpickle(text: str) -> Any:
    return _Unpickler(io.BytesIO(base64.b64decode(text))).load()
