"""The grader's calls into a student's kernel: plain data back, copies out, spies lent, time limits kept.

One real kernel for the module (``jupyter_client``), holding a few "student" functions; each test talks to it
through :class:`~dcai_helpers.verdicts.proxy.Conversation` as the trusted runner does.
"""

from __future__ import annotations

import base64
import io
import json
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from jupyter_client.manager import start_new_kernel

from dcai_helpers.verdicts import plain
from dcai_helpers.verdicts.proxy import (
    TEST_FILENAME,
    Conversation,
    GraderClient,
    InputChanged,
    KernelLost,
    StudentError,
    StudentFunction,
    StudentTimeout,
    lends,
)

STUDENT_CODE = """
import warnings
import numpy as np
import pandas as pd

def halve(x):
    return np.asarray(x) / 2

def frame(n):
    return pd.DataFrame({"a": np.arange(n), "name": [f"r{i}" for i in range(n)]}, index=list("xyz")[:n])

def sort_in_place(x):
    x.sort()
    return x

def model():
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression().fit([[0], [1], [2], [3]], [0, 0, 1, 1])

def fails(kind):
    if kind == "value":
        raise ValueError("bad value")
    raise np.linalg.LinAlgError("singular")

def warns():
    warnings.warn("careful", RuntimeWarning)
    return 1

def asks_the_user():
    return input("your name? ")

def uses(callback, values):
    return [callback(v) for v in values]

def sleeps(seconds):
    import time
    time.sleep(seconds)
    return "woke"

def dies():
    import os
    os._exit(3)
"""


@pytest.fixture(scope="module")
def kernel():
    km, kc = start_new_kernel(kernel_name="python3")
    kc.execute_interactive(STUDENT_CODE, timeout=60)
    client = GraderClient.of(km)
    yield km, client
    client.stop_channels()
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def talk(kernel, seconds: float = 30.0) -> Conversation:
    km, client = kernel
    end = time.monotonic() + seconds
    return Conversation(km, client, deadline=lambda: end)


def test_results_come_back_as_the_graders_own_plain_data(kernel):
    with talk(kernel) as conversation:
        halved = conversation.call("halve", ([2, 4, 6],), {})
        table = conversation.call("frame", (3,), {})
    assert type(halved) is np.ndarray and halved.tolist() == [1.0, 2.0, 3.0]
    assert type(table) is pd.DataFrame and table["name"].tolist() == ["r0", "r1", "r2"]
    assert table.index.tolist() == ["x", "y", "z"]


def test_a_result_that_is_not_plain_data_is_refused_unless_a_handle_is_asked_for(kernel):
    with talk(kernel) as conversation:
        with pytest.raises(plain.NotPlainData, match="LogisticRegression is not plain data"):
            conversation.call("model", (), {})
        fitted = conversation.call("model", (), {}, handles=True)
        assert fitted.predict([[0], [3]]).tolist() == [0, 1]
        assert fitted.classes_.tolist() == [0, 1]


def test_an_input_changed_in_place_fails_and_the_graders_copy_stays(kernel):
    values = [3, 1, 2]
    with talk(kernel) as conversation, pytest.raises(InputChanged, match="changed its input in place"):
        conversation.call("sort_in_place", (values,), {})
    assert values == [3, 1, 2]


def test_exceptions_are_rebuilt_by_type_and_marked_as_the_students(kernel):
    with talk(kernel) as conversation:
        with pytest.raises(ValueError, match="bad value") as raised:
            conversation.call("fails", ("value",), {})
        assert raised.value.raised_by_student
        with pytest.raises(StudentError, match="LinAlgError: singular"):
            conversation.call("fails", ("linalg",), {})
        with pytest.raises(NameError, match="not_there"):
            conversation.call("not_there", (), {})


def test_warnings_are_emitted_again_on_the_graders_side(kernel):
    with talk(kernel) as conversation, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert conversation.call("warns", (), {}) == 1
    assert [(w.category, str(w.message)) for w in caught] == [(RuntimeWarning, "careful")]


def test_the_students_own_input_reads_an_empty_line(kernel):
    with talk(kernel) as conversation:
        assert conversation.call("asks_the_user", (), {}) == ""


def test_a_spy_a_test_defines_is_lent_and_records_on_the_graders_side(kernel):
    namespace: dict = {}
    exec(compile("calls = []\ndef spy(v):\n    calls.append(v)\n    return v * 10\n", TEST_FILENAME, "exec"), namespace)
    assert lends(namespace["spy"])
    with talk(kernel) as conversation:
        assert conversation.call("uses", (namespace["spy"], [1, 2]), {}) == [10, 20]
    assert namespace["calls"] == [1, 2]


def test_a_pure_function_a_test_defines_runs_in_the_kernel(kernel):
    namespace: dict = {}
    exec(compile("def triple(v):\n    return 3 * v\n", TEST_FILENAME, "exec"), namespace)
    assert not lends(namespace["triple"])
    with talk(kernel) as conversation:
        assert conversation.call("uses", (namespace["triple"], [1, 2]), {}) == [3, 6]


def test_a_student_function_passed_as_an_argument_is_the_students_own(kernel):
    halve = StudentFunction("halve", lambda: None)
    with talk(kernel) as conversation:
        assert [float(v) for v in conversation.call("uses", (halve, [4, 8]), {})] == [2.0, 4.0]


def test_a_call_past_the_deadline_is_interrupted_and_the_kernel_goes_on(kernel):
    with talk(kernel, seconds=2) as conversation, pytest.raises(StudentTimeout):
        conversation.call("sleeps", (60,), {})
    with talk(kernel) as conversation:
        assert conversation.call("sleeps", (0,), {}) == "woke"


def test_a_kernel_that_dies_is_lost_not_waited_for(tmp_path):
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        kc.execute_interactive(STUDENT_CODE, timeout=60)
        client = GraderClient.of(km)
        start = time.monotonic()
        with pytest.raises(KernelLost, match="died"), talk((km, client)) as conversation:
            conversation.call("dies", (), {})
        assert time.monotonic() - start < 20
        client.stop_channels()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.mark.parametrize(
    "text",
    [
        '{"$": "ndarray", "npy": "not base64!"}',
        '{"$": "handle", "id": 1, "type": "Model"}',
        '{"$": "exec", "code": "import os"}',
        "[" * 100_000,
        '{"$": "float", "repr": "__import__(\'os\')"}',
    ],
)
def test_the_decoder_refuses_what_is_not_plain_data(text):
    with pytest.raises(plain.NotPlainData):
        plain.decode(text)


def test_object_arrays_never_cross():
    with pytest.raises(plain.NotPlainData, match="dtype object"):
        plain.encode(np.array([1, "a"], dtype=object))
    buffer = io.BytesIO()
    np.save(buffer, np.array([1, "a"], dtype=object), allow_pickle=True)  # what a kernel could send instead
    forged = json.dumps({"$": "ndarray", "npy": base64.b64encode(buffer.getvalue()).decode()})
    with pytest.raises(plain.NotPlainData):
        plain.decode(forged)
