"""The worker's spec and result travel as JSON dataclasses; its event log survives a kill."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dcai_helpers.course import config
from dcai_helpers.grading import events
from dcai_helpers.grading.limits import Limits
from dcai_helpers.grading.worker import Spans, WorkerResult, WorkerSpec


def test_spec_and_result_round_trip_through_json(tmp_path):
    spec = WorkerSpec(
        course="/c",
        work="/w",
        lab="tiny_lab",
        notebook_name="tiny_lab",
        nbgrader_id="jose-garcia",
        notebook="/w/submission.ipynb",
        template_db="/t.db",
        plan="/w/plan.json",
        uid=61000,
        result="/w/result.json",
        events="/w/events.jsonl",
        token="abc",
        limits=Limits(seconds=60, memory_mb=2048, disk_mb=64, isolate=True),
    )
    spec.write(tmp_path / "spec.json")
    assert WorkerSpec.read(tmp_path / "spec.json") == spec
    result = WorkerResult(success=True, log="ok", timings={"cells": 1.0})
    result.write(tmp_path / "result.json")
    assert WorkerResult.read(tmp_path / "result.json") == result


def test_a_record_cut_short_by_a_kill_is_skipped(tmp_path):
    log = events.EventLog(tmp_path / "events.jsonl")
    log.write(events.Kind.START, index=0, grade_id="double")
    log.write(events.Kind.VERDICT, index=1, grade_id="test_double", verdict={"points": 3.0})
    with open(tmp_path / "events.jsonl", "a") as f:
        f.write('{"kind": "end", "ind')
    assert events.read(tmp_path / "events.jsonl") == [
        events.Record(events.Kind.START, index=0, grade_id="double"),
        events.Record(events.Kind.VERDICT, index=1, grade_id="test_double", verdict={"points": 3.0}),
    ]
    assert events.read(tmp_path / "none.jsonl") == []
    assert not log.kernel_ended()
    log.write(events.Kind.KERNEL_ENDED)
    assert log.kernel_ended()


def test_spans_add_up_by_name():
    spans = Spans()
    spans.add("cells", 1.5)
    spans.add("cells", 0.5)
    with spans.span("feedback"):
        pass
    assert spans.seconds["cells"] == 2.0
    assert 0 <= spans.seconds["feedback"] < 1


def test_the_gradebook_schema_version_read_in_process_is_what_alembic_says(monkeypatch):
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    assert config._alembic_head() == config._ask_alembic()


def _allocate_past_a_limit() -> None:
    from dcai_helpers.grading.worker import limit_memory

    in_use = int(next(line for line in open("/proc/self/status") if line.startswith("VmSize:")).split()[1]) // 1024
    limit_memory(in_use + 256)  # MiB: room for a little more, not for a gigabyte
    try:
        bytearray(1024 * 1024 * 1024)
    except MemoryError:
        os._exit(0)
    os._exit(1)


def test_the_worker_caps_its_own_memory():
    import multiprocessing

    process = multiprocessing.get_context("fork").Process(target=_allocate_past_a_limit)
    process.start()
    process.join(60)
    assert process.exitcode == 0, "a gigabyte past the worker's limit was allocated"
