"""The worker's spec and result travel as JSON dataclasses; its cell records survive a kill."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dcai_helpers.grading import config
from dcai_helpers.grading.worker import CellScore, Spans, WorkerResult, WorkerSpec, read_progress


def test_spec_and_result_round_trip_through_json(tmp_path):
    spec = WorkerSpec(
        course="/c",
        work="/w",
        lab="tiny_lab",
        notebook_name="tiny_lab",
        nbgrader_id="jose-garcia",
        notebook="/w/submission.ipynb",
        template_db="/t.db",
        uid=61000,
        result="/w/result.json",
        progress="/w/progress.jsonl",
        token="abc",
        timeout=60,
        memory_mb=2048,
        isolate=True,
    )
    spec.write(tmp_path / "spec.json")
    assert WorkerSpec.read(tmp_path / "spec.json") == spec
    result = WorkerResult(success=True, score=2.0, cells=[CellScore("test_double", 2.0, 3.0)])
    result.write(tmp_path / "result.json")
    assert WorkerResult.read(tmp_path / "result.json") == result


def test_a_record_cut_short_by_a_kill_is_skipped(tmp_path):
    progress = tmp_path / "progress.jsonl"
    progress.write_text('{"event": "start", "index": 0, "probe": false}\n{"event": "end", "ind')
    assert read_progress(progress) == [{"event": "start", "index": 0, "probe": False}]
    assert read_progress(tmp_path / "none.jsonl") == []


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
