"""The data-only boundary between a student's kernel and the trusted grader: plain data as JSON text.

What a student's function returns reaches the grader only as *plain data*: ``None``, booleans, numbers,
strings, lists, tuples, sets and dicts of these, numpy arrays and scalars of a numeric, boolean or string
dtype, torch tensors of such a dtype (sent as arrays) and pandas frames and series whose columns are such
arrays or strings. :func:`encode` turns a value into JSON text on the student's side (it runs in the
kernel, so it is only a convenience: a student can send any text); :func:`decode` rebuilds the value on the
grader's side with the grader's own numpy, pandas and torch, and refuses anything else. Nothing that
crosses is unpickled or executed: arrays travel as ``.npy`` bytes read with ``allow_pickle=False``.

A value that is not plain data may travel as a *handle* (``{"$": "handle"}``) where the grader asked for
one: an id of an object that stays in the kernel, whose methods the grader can call (see
:mod:`dcai_helpers.verdicts.proxy`).
"""

from __future__ import annotations

import base64
import io
import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np

#: Longest JSON text the grader decodes (characters): a result larger than this is refused unread.
MAX_TEXT = 512 * 1024 * 1024
#: Deepest nesting of lists, tuples and dicts the grader decodes.
MAX_DEPTH = 64
#: numpy dtype kinds that are plain data: bool, signed and unsigned int, float, complex, unicode, bytes,
#: datetime and timedelta. Object ("O") and structured ("V") arrays are never plain.
ARRAY_KINDS = frozenset("biufcUSMm")
#: What a refusal tells a student to return instead.
PLAIN_HINT = (
    "return plain data: numbers, strings, booleans, None, lists/tuples/dicts of these, numpy arrays of numbers, "
    "booleans or strings, torch tensors of numbers, or pandas DataFrames/Series"
)


class NotPlainData(TypeError):
    """A value that cannot cross the boundary; the message says what it was and what to return instead."""


# Student side ----------------------------------------------------------------------------------------


def encode(value: Any, *, handle: Callable[[Any], int] | None = None) -> str:
    """``value`` as JSON text of plain data.

    Parameters
    ----------
    value : object
        What a student's function returned (or an argument's state).
    handle : callable, optional
        Called with a value that is not plain data; returns an id under which that object is kept. Without
        it, such a value raises :class:`NotPlainData`.

    Raises
    ------
    NotPlainData
        For a value that is not plain data (and no ``handle``).
    """
    return json.dumps(_to_tree(value, handle, 0), allow_nan=True, separators=(",", ":"))


def _npy(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, np.array(array, order="C", copy=None), allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _to_tree(value: Any, handle, depth: int) -> Any:  # noqa: C901 (one case per plain type)
    if depth > MAX_DEPTH:
        raise NotPlainData(f"the value is nested more than {MAX_DEPTH} levels deep; {PLAIN_HINT}")
    if value is None or isinstance(value, bool | str):
        return value
    if type(value) is int:
        return value
    if type(value) is float:
        return value if math.isfinite(value) else {"$": "float", "repr": repr(value)}
    if isinstance(value, np.generic) and value.dtype.kind in ARRAY_KINDS:
        return {"$": "npscalar", "npy": _npy(np.asarray(value))}
    if isinstance(value, int | float) and not isinstance(value, np.generic):
        return _to_tree(int(value) if isinstance(value, int) else float(value), handle, depth)
    if isinstance(value, np.ndarray):  # a subclass arrives as a plain array
        array = np.asarray(value)
        if array.dtype.kind not in ARRAY_KINDS:
            if handle is not None:
                return {"$": "handle", "id": handle(value), "type": type(value).__name__}
            raise NotPlainData(f"a numpy array of dtype {array.dtype} is not plain data; {PLAIN_HINT}")
        return {"$": "ndarray", "npy": _npy(array)}
    if type(value) in (list, tuple, set, frozenset):
        items = [_to_tree(item, handle, depth + 1) for item in value]
        return items if type(value) is list else {"$": type(value).__name__, "items": items}
    if type(value) is dict:
        return {
            "$": "dict",
            "items": [[_to_tree(k, handle, depth + 1), _to_tree(v, handle, depth + 1)] for k, v in value.items()],
        }
    module = type(value).__module__.split(".")[0]
    if module == "torch":
        tree = _torch_tree(value)
        if tree is not None:
            return tree
    if module == "pandas":
        tree = _pandas_tree(value, handle, depth)
        if tree is not None:
            return tree
    if handle is not None:
        return {"$": "handle", "id": handle(value), "type": type(value).__name__}
    raise NotPlainData(f"a {type(value).__module__}.{type(value).__qualname__} is not plain data; {PLAIN_HINT}")


def _torch_tree(value: Any) -> dict | None:
    import torch

    if type(value) is not torch.Tensor and not isinstance(value, torch.nn.Parameter):
        return None
    tensor = value.detach().cpu()
    if tensor.dtype == torch.bfloat16:
        tensor = tensor.float()
    array = tensor.resolve_conj().resolve_neg().numpy()
    if array.dtype.kind not in ARRAY_KINDS:
        raise NotPlainData(f"a tensor of dtype {value.dtype} is not plain data; {PLAIN_HINT}")
    return {"$": "tensor", "npy": _npy(array), "dtype": str(value.dtype).removeprefix("torch.")}


def _pandas_column(values: Any) -> Any:
    """One column or index level: an array when numeric, boolean or datetime, else a list of plain scalars."""
    import pandas as pd

    if isinstance(values.dtype, pd.CategoricalDtype):
        return {
            "$": "categorical",
            "codes": {"$": "ndarray", "npy": _npy(np.asarray(values.codes))},
            "categories": _pandas_column(pd.Index(values.categories)),
            "ordered": bool(values.ordered),
        }
    array = np.asarray(values)
    if array.dtype.kind in ARRAY_KINDS:
        return {"$": "ndarray", "npy": _npy(array)}
    items = []
    for item in array.tolist():
        if item is None or isinstance(item, bool | int | float | str):
            items.append(
                item if not isinstance(item, float) or math.isfinite(item) else {"$": "float", "repr": repr(item)}
            )
        elif item is pd.NA or item is pd.NaT:
            items.append(None)
        else:
            raise NotPlainData(f"a pandas column holds a {type(item).__name__}, which is not plain data; {PLAIN_HINT}")
    return {"$": "column", "items": items}


def _label(label: Any) -> Any:
    if label is None or isinstance(label, bool | str | int | float):
        return label if not isinstance(label, np.generic) else label.item()
    if isinstance(label, tuple):
        return {"$": "tuple", "items": [_label(part) for part in label]}
    raise NotPlainData(f"a pandas label of type {type(label).__name__} is not plain data; use strings or numbers")


def _index_tree(index: Any) -> dict:
    import pandas as pd

    if type(index) is pd.RangeIndex:
        return {"$": "range", "start": index.start, "stop": index.stop, "step": index.step, "name": _label(index.name)}
    if isinstance(index, pd.MultiIndex):
        return {
            "$": "multiindex",
            "levels": [_pandas_column(index.get_level_values(i)) for i in range(index.nlevels)],
            "names": [_label(name) for name in index.names],
        }
    return {"$": "index", "values": _pandas_column(index), "name": _label(index.name)}


def _pandas_tree(value: Any, handle, depth: int) -> dict | None:
    import pandas as pd

    if type(value) is pd.DataFrame:
        return {
            "$": "frame",
            "columns": _index_tree(value.columns),
            "data": [_pandas_column(value.iloc[:, i].array) for i in range(value.shape[1])],
            "index": _index_tree(value.index),
        }
    if type(value) is pd.Series:
        return {
            "$": "series",
            "data": _pandas_column(value.array),
            "index": _index_tree(value.index),
            "name": _label(value.name),
        }
    if isinstance(value, pd.Index):
        return _index_tree(value)
    return None


# Grader side -----------------------------------------------------------------------------------------


def decode(text: str, *, handle: Callable[[int, str], Any] | None = None) -> Any:
    """The value that JSON ``text`` from a student's kernel holds, rebuilt with the grader's own libraries.

    Parameters
    ----------
    text : str
        What :func:`encode` produced (or anything a student's kernel sent instead).
    handle : callable, optional
        Called with ``(id, type name)`` for each handle; without it a handle is refused.

    Raises
    ------
    NotPlainData
        For text that is not plain data (too long, too deep, malformed, an object or structured array, a
        handle where none was asked for).
    """
    if not isinstance(text, str):
        raise NotPlainData(f"the kernel sent a {type(text).__name__}, not text")
    if len(text) > MAX_TEXT:
        raise NotPlainData(f"the value is larger than {MAX_TEXT // 2**20} MiB once encoded; return less data")
    try:
        tree = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise NotPlainData(f"the kernel sent malformed data ({type(err).__name__})") from None
    try:
        return _from_tree(tree, handle, 0)
    except NotPlainData:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError) as err:
        raise NotPlainData(f"the kernel sent malformed data ({type(err).__name__}: {str(err)[:200]})") from None


def _array(text: Any) -> np.ndarray:
    if not isinstance(text, str):
        raise NotPlainData("an array must travel as .npy bytes")
    array = np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    if type(array) is not np.ndarray or array.dtype.kind not in ARRAY_KINDS or array.dtype.fields is not None:
        raise NotPlainData(f"an array of dtype {getattr(array, 'dtype', '?')} is not plain data; {PLAIN_HINT}")
    return array


def _items(tree: dict) -> list:
    items = tree.get("items")
    if type(items) is not list:
        raise NotPlainData("malformed container")
    return items


def _from_tree(tree: Any, handle, depth: int) -> Any:  # noqa: C901 (one case per plain type)
    if depth > MAX_DEPTH:
        raise NotPlainData(f"the value is nested more than {MAX_DEPTH} levels deep; {PLAIN_HINT}")
    if tree is None or type(tree) in (bool, int, float, str):
        return tree
    if type(tree) is list:
        return [_from_tree(item, handle, depth + 1) for item in tree]
    if type(tree) is not dict or type(tree.get("$")) is not str:
        raise NotPlainData("malformed value")
    kind = tree["$"]
    if kind == "float":
        if tree.get("repr") not in ("nan", "inf", "-inf"):
            raise NotPlainData("malformed float")
        return float(tree["repr"])
    if kind in ("tuple", "set", "frozenset"):
        items = [_from_tree(item, handle, depth + 1) for item in _items(tree)]
        return {"tuple": tuple, "set": set, "frozenset": frozenset}[kind](items)
    if kind == "dict":
        pairs = _items(tree)
        if any(type(pair) is not list or len(pair) != 2 for pair in pairs):
            raise NotPlainData("malformed dict")
        return {_from_tree(k, handle, depth + 1): _from_tree(v, handle, depth + 1) for k, v in pairs}
    if kind == "ndarray":
        return _array(tree.get("npy"))
    if kind == "npscalar":
        array = _array(tree.get("npy"))
        if array.shape != ():
            raise NotPlainData("malformed scalar")
        return array[()]
    if kind == "tensor":
        import torch

        return torch.from_numpy(np.array(_array(tree.get("npy")), copy=True))
    if kind in ("frame", "series", "range", "index", "multiindex"):
        return _pandas_from_tree(tree)
    if kind == "handle":
        if handle is None:
            raise NotPlainData(f"a {str(tree.get('type'))[:80]} is not plain data; {PLAIN_HINT}")
        if type(tree.get("id")) is not int:
            raise NotPlainData("malformed handle")
        return handle(tree["id"], str(tree.get("type", ""))[:80])
    raise NotPlainData(f"unknown kind of value {kind[:40]!r}")


def _column_from_tree(tree: Any) -> Any:
    import pandas as pd

    if type(tree) is not dict:
        raise NotPlainData("malformed column")
    if tree.get("$") == "ndarray":
        return _array(tree.get("npy"))
    if tree.get("$") == "column":
        items = []
        for item in _items(tree):
            if item is None or type(item) in (bool, int, float, str):
                items.append(item)
            elif type(item) is dict and item.get("$") == "float" and item.get("repr") in ("nan", "inf", "-inf"):
                items.append(float(item["repr"]))
            else:
                raise NotPlainData("malformed column item")
        return items
    if tree.get("$") == "categorical":
        codes = _array(tree.get("codes", {}).get("npy") if type(tree.get("codes")) is dict else None)
        categories = _column_from_tree(tree.get("categories"))
        return pd.Categorical.from_codes(codes, categories=categories, ordered=bool(tree.get("ordered")))
    raise NotPlainData("malformed column")


def _label_from_tree(tree: Any) -> Any:
    if tree is None or type(tree) in (bool, int, float, str):
        return tree
    if type(tree) is dict and tree.get("$") == "tuple":
        return tuple(_label_from_tree(part) for part in _items(tree))
    raise NotPlainData("malformed label")


def _index_from_tree(tree: Any) -> Any:
    import pandas as pd

    if type(tree) is not dict:
        raise NotPlainData("malformed index")
    kind = tree.get("$")
    if kind == "range":
        bounds = [tree.get(key) for key in ("start", "stop", "step")]
        if any(type(bound) is not int for bound in bounds):
            raise NotPlainData("malformed range index")
        return pd.RangeIndex(*bounds, name=_label_from_tree(tree.get("name")))
    if kind == "multiindex":
        levels = [_column_from_tree(level) for level in _items({"items": tree.get("levels")})]
        names = [_label_from_tree(name) for name in _items({"items": tree.get("names")})]
        return pd.MultiIndex.from_arrays(levels, names=names)
    if kind == "index":
        return pd.Index(_column_from_tree(tree.get("values")), name=_label_from_tree(tree.get("name")))
    raise NotPlainData("malformed index")


def _pandas_from_tree(tree: dict) -> Any:
    import pandas as pd

    kind = tree["$"]
    if kind in ("range", "index", "multiindex"):
        return _index_from_tree(tree)
    index = _index_from_tree(tree.get("index"))
    if kind == "series":
        return pd.Series(_column_from_tree(tree.get("data")), index=index, name=_label_from_tree(tree.get("name")))
    columns = _index_from_tree(tree.get("columns"))
    data = [_column_from_tree(column) for column in _items({"items": tree.get("data")})]
    if len(data) != len(columns):
        raise NotPlainData("malformed frame")
    frame = pd.DataFrame({i: column for i, column in enumerate(data)}, index=index)
    frame.columns = columns
    return frame


# Inputs that must not change -------------------------------------------------------------------------


def fingerprint(value: Any) -> str | None:
    """A digest of ``value``'s content, or ``None`` when there is nothing to watch.

    Run before and after a student's function on each of its arguments, on the student's side: an
    argument whose digest changed was changed in place (see :mod:`dcai_helpers.verdicts.proxy`). Arrays,
    tensors, frames, series, lists, dicts and sets are hashed; a model counts its fitted attributes
    (names ending in ``_``) and, for torch modules, its parameters and buffers.
    """
    import hashlib

    digest = hashlib.sha256()
    try:
        _feed(digest, value, 0)
    except _NothingToWatch:
        return None
    return digest.hexdigest()


class _NothingToWatch(Exception):
    pass


def _feed(digest, value: Any, depth: int) -> None:  # noqa: C901 (one case per watched type)
    if depth > MAX_DEPTH:
        raise _NothingToWatch
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in ARRAY_KINDS:
            raise _NothingToWatch
        digest.update(f"{value.dtype}{value.shape}".encode())
        digest.update(np.array(value, order="C", copy=None).tobytes())
        return
    if type(value) in (list, tuple):
        digest.update(f"{type(value).__name__}{len(value)}[".encode())
        for item in value:
            _feed(digest, item, depth + 1)
        digest.update(b"]")
        return
    if type(value) is dict:
        digest.update(f"dict{len(value)}{{".encode())
        for key, item in value.items():
            digest.update(repr(key).encode())
            _feed(digest, item, depth + 1)
        digest.update(b"}")
        return
    if type(value) in (set, frozenset):
        digest.update(repr(sorted(map(repr, value))).encode())
        return
    if value is None or isinstance(value, bool | int | float | str | np.generic):
        digest.update(repr(value).encode())
        return
    module = type(value).__module__.split(".")[0]
    if module == "pandas":
        import pandas as pd

        if isinstance(value, pd.DataFrame | pd.Series):
            labels = value.columns if isinstance(value, pd.DataFrame) else [value.name]
            digest.update(repr((value.shape, list(map(str, labels)))).encode())
            digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
            return
    if module == "torch":
        import torch

        if isinstance(value, torch.Tensor):
            _feed(
                digest, value.detach().cpu().numpy() if value.dtype != torch.bfloat16 else value.float().numpy(), depth
            )
            return
        if isinstance(value, torch.nn.Module):
            for name, tensor in value.state_dict().items():
                digest.update(name.encode())
                _feed(digest, tensor, depth + 1)
            return
    if hasattr(value, "get_params") and hasattr(value, "fit"):  # a scikit-learn estimator: fitted or not
        digest.update(repr(sorted(k for k in vars(value) if k.endswith("_") and not k.startswith("_"))).encode())
        return
    raise _NothingToWatch
