"""The worker's spec and result travel as JSON dataclasses; its cell records survive a kill."""

from __future__ import annotations

from dcai_helpers.grading.worker import CellScore, WorkerResult, WorkerSpec, read_progress


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
